; Stage 1: the master boot record. The BIOS loads it at 0000:7C00 with DL = boot drive. It finds
; the active partition in the partition table, reads that partition's first sector (the k boot
; directory, see disk_image.ts) to 0000:7E00 with CHS int 13h reads (geometry from AH=08h),
; loads stage 2 from the sectors the directory names to 0000:8000, and jumps there with
; DL = boot drive and SI = 7E00h (the directory).
;
; Assemble: nasm -f bin -o src/loader/mbr.bin src/loader/mbr.asm

bits 16
cpu 386
org 0x7C00

%define DIR_ADDR     0x7E00
%define STAGE2_ADDR  0x8000
%define DIR_STAGE2_LBA     0x0C
%define DIR_STAGE2_SECTORS 0x10

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov [drive], dl
    ; geometry
    mov ah, 0x08
    xor di, di
    int 0x13
    jc read_error
    and cx, 0x3F
    mov [spt], cx
    movzx ax, dh
    inc ax
    mov [heads], ax
    ; active partition
    mov si, partition_table
    mov cx, 4
.find:
    cmp byte [si], 0x80
    je .found
    add si, 16
    loop .find
    mov si, msg_no_active
    jmp fail
.found:
    mov eax, [si+8]                     ; partition start LBA
    mov bx, DIR_ADDR
    call read_sector
    cmp dword [DIR_ADDR], 'KBOO'
    jne .no_dir
    cmp dword [DIR_ADDR+4], 'TDIR'
    jne .no_dir
    mov eax, [DIR_ADDR + DIR_STAGE2_LBA]
    mov cx, [DIR_ADDR + DIR_STAGE2_SECTORS]
    test cx, cx
    jz .no_dir
    cmp cx, 64
    ja .no_dir
    mov bx, STAGE2_ADDR
.load:
    push cx
    call read_sector
    pop cx
    inc eax
    add bx, 512
    loop .load
    mov dl, [drive]
    mov si, DIR_ADDR
    jmp 0x0000:STAGE2_ADDR
.no_dir:
    mov si, msg_no_dir
    jmp fail

; Reads LBA EAX (below 2^32) to 0000:BX with int 13h AH=02h, converting to CHS.
read_sector:
    pushad
    xor edx, edx
    movzx ecx, word [spt]
    div ecx                             ; EAX = LBA / spt, EDX = LBA % spt
    mov cl, dl
    inc cl                              ; sector (1-based)
    xor edx, edx
    movzx esi, word [heads]
    div esi                             ; EAX = cylinder, EDX = head
    cmp eax, 1023
    ja read_error
    mov dh, dl
    mov ch, al
    shl ah, 6
    or cl, ah
    mov dl, [drive]
    mov ax, 0x0201
    mov di, 3                           ; retries
.retry:
    pusha
    int 0x13
    popa
    jnc .ok
    dec di
    jnz .retry
    jmp read_error
.ok:
    popad
    ret

read_error:
    mov si, msg_read_error
fail:
    lodsb
    test al, al
    jz .halt
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp fail
.halt:
    cli
    hlt
    jmp .halt

msg_no_active:  db "MBR: no active partition", 13, 10, 0
msg_no_dir:     db "MBR: no k boot directory in the active partition", 13, 10, 0
msg_read_error: db "MBR: disk read error", 13, 10, 0

drive: db 0x80
spt:   dw 63
heads: dw 16

    times 440 - ($ - $$) db 0
disk_signature: dd 0
    dw 0
partition_table:                        ; filled in by the disk builder
    times 64 db 0
    dw 0xAA55
