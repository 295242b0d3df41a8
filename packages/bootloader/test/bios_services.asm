; A boot sector that exercises BIOS services the way clients call them and records the results
; at 0000:0600 for test/bios_services.test.ts to check. Each record is 32 bytes:
;   +0 EAX  +4 EBX  +8 ECX  +12 EDX  +16 FLAGS (CF = bit 0)  +18 ES  +20 DI
;
; Assemble: nasm -f bin -o test/bios_services.bin test/bios_services.asm

bits 16
cpu 686
org 0x7C00

%define OUT 0x0600
%define BUF 0x1000

%macro RECORD 0
    call record
%endmacro

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    ; the rest of this program is in sectors 2-4: CHS read to 0000:7E00
    mov ax, 0x0203
    mov cx, 0x0002
    mov dx, 0x0080
    mov bx, 0x7E00
    int 0x13
    jc .halt0
    jmp main
.halt0:
    cli
    hlt
    jmp .halt0
    times 510 - ($ - $$) db 0
    dw 0xAA55

main:
    mov word [out_ptr], OUT
    ; 0: E820 first entry
    xor ebx, ebx
    mov eax, 0xE820
    mov ecx, 24
    mov edx, 0x534D4150
    mov di, BUF
    int 0x15
    RECORD
    ; 1..: walk the whole map; entries go to BUF + 20 * n
    xor ebx, ebx
    mov di, BUF
.walk:
    mov eax, 0xE820
    mov ecx, 20
    mov edx, 0x534D4150
    int 0x15
    jc .walked
    add di, 20
    inc byte [count]
    test ebx, ebx
    jnz .walk
.walked:
    mov al, [count]
    mov [OUT - 0x10], al                ; entry count at 0000:05F0
    ; 1: bad signature
    xor ebx, ebx
    mov eax, 0xE820
    mov ecx, 20
    mov edx, 0x12345678
    mov di, BUF + 0x200
    int 0x15
    RECORD
    ; 2: continuation past the end
    mov ebx, 99
    mov eax, 0xE820
    mov ecx, 20
    mov edx, 0x534D4150
    int 0x15
    RECORD
    ; 3: buffer too small
    xor ebx, ebx
    mov eax, 0xE820
    mov ecx, 10
    mov edx, 0x534D4150
    int 0x15
    RECORD
    ; 4: E801
    mov ax, 0xE801
    xor bx, bx
    xor cx, cx
    xor dx, dx
    int 0x15
    RECORD
    ; 5: AH=88h
    mov ah, 0x88
    int 0x15
    RECORD
    ; 6: A20 support 2403h
    mov ax, 0x2403
    int 0x15
    RECORD
    ; 7: A20 off, 8: status, 9: on, 10: status
    mov ax, 0x2400
    int 0x15
    RECORD
    mov ax, 0x2402
    int 0x15
    RECORD
    mov ax, 0x2401
    int 0x15
    RECORD
    mov ax, 0x2402
    int 0x15
    RECORD
    ; 11: APM installation check
    mov ax, 0x5300
    xor bx, bx
    int 0x15
    RECORD
    ; 12: IST
    mov eax, 0xE980
    mov edx, 0x47534943
    mov ebx, 0x11111111
    mov ecx, 0x22222222
    int 0x15
    RECORD
    ; 13: C0h configuration table
    mov ah, 0xC0
    int 0x15
    mov di, bx
    RECORD
    ; 14: int 13h AH=41h
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, 0x80
    int 0x13
    RECORD
    ; 15: AH=08h
    xor ax, ax
    mov es, ax
    mov ah, 0x08
    mov dl, 0x80
    int 0x13
    RECORD
    xor ax, ax
    mov es, ax
    ; 16: AH=48h to BUF+0x300
    mov word [BUF + 0x300], 0x1E
    mov ah, 0x48
    mov dl, 0x80
    mov si, BUF + 0x300
    int 0x13
    RECORD
    ; 17: CHS read of C0 H0 S2 (LBA 1) to BUF+0x400
    mov ax, 0x0201
    mov cx, 0x0002
    mov dx, 0x0080
    mov bx, BUF + 0x400
    int 0x13
    RECORD
    ; 18: EDD read of LBA 1 to BUF+0x600
    mov si, dap
    mov ah, 0x42
    mov dl, 0x80
    int 0x13
    RECORD
    ; 19: drive 81h does not exist
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, 0x81
    int 0x13
    RECORD
    ; 20: read past the end of the disk
    mov si, dap_far
    mov ah, 0x42
    mov dl, 0x80
    int 0x13
    RECORD
    ; 21: write is refused
    mov ax, 0x0301
    mov cx, 0x0002
    mov dx, 0x0080
    mov bx, BUF + 0x400
    int 0x13
    RECORD
    ; 22: int 12h, 23: int 11h
    int 0x12
    RECORD
    int 0x11
    RECORD
    ; 24: int 16h AH=02h, then AX=0305h, 25: AH=01h (no key: ZF=1 -> FLAGS bit 6)
    mov ah, 0x02
    int 0x16
    mov ax, 0x0305
    xor bx, bx
    int 0x16
    RECORD
    mov ah, 0x01
    int 0x16
    RECORD
    ; 26: int 1Ah AH=02h RTC time, 27: AH=04h date
    mov ah, 0x02
    int 0x1A
    RECORD
    mov ah, 0x04
    int 0x1A
    RECORD
    ; 28: int 10h AH=0Fh, 29: AX=1A00h, 30: AH=12h BL=10h, 31: AX=4F00h
    mov ah, 0x0F
    int 0x10
    RECORD
    mov ax, 0x1A00
    int 0x10
    RECORD
    mov ah, 0x12
    mov bl, 0x10
    int 0x10
    RECORD
    mov ax, 0x4F00
    mov di, BUF + 0x800
    int 0x10
    RECORD
    ; 32: int 15h AH=87h: copy 16 bytes from BUF+0x400 (linear 0x1400) to 0x200000
    mov si, gdt87
    mov cx, 8
    mov ah, 0x87
    int 0x15
    RECORD
    mov si, msg_done
.print:
    lodsb
    test al, al
    jz .halt
    mov ah, 0x0E
    mov bx, 7
    int 0x10
    jmp .print
.halt:
    cli
    hlt
    jmp .halt

record:
    pushf
    push di
    mov di, [out_ptr]
    mov [di], eax
    mov [di+4], ebx
    mov [di+8], ecx
    mov [di+12], edx
    pop word [di+20]
    pop word [di+16]
    mov [di+18], es
    add word [out_ptr], 32
    push word [di+16]
    popf
    mov di, [di+20]
    ret

msg_done: db "bios_services: done", 13, 10, 0
count: db 0
out_ptr: dw 0
align 4
dap:     db 0x10, 0
         dw 1
         dw BUF + 0x600, 0
         dd 1, 0
dap_far: db 0x10, 0
         dw 1
         dw BUF + 0x600, 0
         dd 0x00FFFFFF, 0
align 8
gdt87:   dq 0, 0
         dw 0xFFFF, 0x1400
         db 0x00, 0x93, 0x00, 0x00
         dw 0xFFFF, 0x0000
         db 0x20, 0x93, 0x00, 0x00
         dq 0, 0
    times 2048 - ($ - $$) db 0
