; k BIOS: the 64 KiB system ROM at F000:0000-F000:FFFF (aliased below 4 GiB).
; The CPU starts at F000:FFF0; POST builds the interrupt vector table, the BIOS data area (BDA)
; at 0x400 and a 1 KiB extended BIOS data area (EBDA) below 640 KiB, programs the PICs, PIT and
; COM1, finds the ATA disk, builds the e820 map from the CMOS memory-size bytes, turns A20 off
; (as the PC/AT BIOS hands over) and boots the disk with int 19h. Services follow the IBM PC/AT BIOS conventions as Ralf Brown's interrupt
; list documents them (and as SeaBIOS implements them): results in registers, errors with CF=1
; and a status in AH.
;
; Assemble: nasm -f bin -I src/bios/ -o src/bios/bios.bin src/bios/bios.asm

bits 16
cpu 686
org 0

%define BDA_SEG         0x40
; BDA offsets (segment 0x40)
%define BDA_COM1        0x00
%define BDA_EBDA_SEG    0x0E
%define BDA_EQUIPMENT   0x10
%define BDA_BASE_MEM    0x13
%define BDA_KBD_FLAGS   0x17
%define BDA_KBD_HEAD    0x1A
%define BDA_KBD_TAIL    0x1C
%define BDA_KBD_BUF     0x1E
%define BDA_VIDEO_MODE  0x49
%define BDA_VIDEO_COLS  0x4A
%define BDA_VIDEO_PAGESZ 0x4C
%define BDA_VIDEO_START 0x4E
%define BDA_CURSOR_POS  0x50
%define BDA_CURSOR_SHAPE 0x60
%define BDA_VIDEO_PAGE  0x62
%define BDA_CRTC_BASE   0x63
%define BDA_TICKS       0x6C
%define BDA_MIDNIGHT    0x70
%define BDA_DISK_STATUS 0x74
%define BDA_DISK_COUNT  0x75
%define BDA_KBD_START   0x80
%define BDA_KBD_END     0x82
%define BDA_VIDEO_ROWS  0x84
%define BDA_CHAR_HEIGHT 0x85

; EBDA layout (our own, after the standard size word at offset 0)
%define EBDA_SIZE_KIB   0x00
%define EBDA_DISK_LBA   0x10            ; qword: total sectors
%define EBDA_DISK_CYLS  0x18
%define EBDA_DISK_HEADS 0x1A
%define EBDA_DISK_SPT   0x1C
%define EBDA_DISK_OK    0x1E            ; byte: 1 when an ATA disk answered IDENTIFY
%define EBDA_E820_COUNT 0x20            ; byte
%define EBDA_EXT1_KIB   0x24            ; dword: KiB between 1 MiB and 64 MiB (CMOS 0x30/0x31)
%define EBDA_EXT2_BLK   0x28            ; dword: 64 KiB blocks between 16 MiB and 4 GiB (CMOS 0x34/0x35)
%define EBDA_HIGH_BLK   0x2C            ; dword: 64 KiB blocks above 4 GiB (CMOS 0x5B-0x5D)
%define EBDA_E820_TABLE 0x40            ; 20-byte entries
%define E820_MAX        16

%define COM1            0x3F8
%define DEBUG_PORT      0xE9
%define POST_PORT       0x80

%macro POST 1
    mov al, %1
    out POST_PORT, al
%endmacro

; Register frame built by the service entry (push ds; push es; pushad; mov bp, sp).
%define R_EDI   0
%define R_DI    0
%define R_ESI   4
%define R_SI    4
%define R_EBP   8
%define R_EBX   16
%define R_BX    16
%define R_BL    16
%define R_BH    17
%define R_EDX   20
%define R_DX    20
%define R_DL    20
%define R_DH    21
%define R_ECX   24
%define R_CX    24
%define R_CL    24
%define R_CH    25
%define R_EAX   28
%define R_AX    28
%define R_AL    28
%define R_AH    29
%define R_ES    32
%define R_DS    34
%define R_IP    36
%define R_CS    38
%define R_FLAGS 40

%macro ENTER_FRAME 0
    push ds
    push es
    pushad
    mov bp, sp
%endmacro

%macro SETVEC 2
    mov word [es:(%1)*4], %2
    mov word [es:(%1)*4+2], 0xF000
%endmacro

; ---------------------------------------------------------------------------------------------
post:
    cli
    cld
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov es, ax
    POST 0x01
    ; Clear the IVT and the BDA.
    xor ax, ax
    xor di, di
    mov cx, 0x500 / 2
    rep stosw
    ; Every vector gets a harmless default; hardware IRQs acknowledge the PIC.
    xor di, di
    mov cx, 256
.ivt:
    mov word [es:di], dummy_iret
    mov word [es:di+2], 0xF000
    add di, 4
    loop .ivt
    mov di, 0x08 * 4
    mov cx, 8
.irq_master:
    mov word [es:di], irq_master_eoi
    add di, 4
    loop .irq_master
    mov di, 0x70 * 4
    mov cx, 8
.irq_slave:
    mov word [es:di], irq_slave_eoi
    add di, 4
    loop .irq_slave
    SETVEC 0x00, int00_divide_error
    SETVEC 0x06, int06_invalid_opcode
    SETVEC 0x08, int08_timer
    SETVEC 0x09, int09_keyboard
    SETVEC 0x10, int10_handler
    SETVEC 0x11, int11_handler
    SETVEC 0x12, int12_handler
    SETVEC 0x13, int13_handler
    SETVEC 0x14, int14_handler
    SETVEC 0x15, int15_handler
    SETVEC 0x16, int16_handler
    SETVEC 0x17, int17_handler
    SETVEC 0x18, int18_handler
    SETVEC 0x19, int19_handler
    SETVEC 0x1A, int1a_handler
    POST 0x02

    ; Base memory from CMOS 0x15/0x16 (KiB below 640 KiB); the top 1 KiB becomes the EBDA.
    mov al, 0x16
    call cmos_read
    mov ah, al
    mov al, 0x15
    call cmos_read
    cmp ax, 640
    jbe .base_ok
    mov ax, 640
.base_ok:
    cmp ax, 64
    jae .base_min
    mov ax, 640
.base_min:
    dec ax                              ; KiB left for DOS-style programs
    mov bx, BDA_SEG
    mov ds, bx
    mov [BDA_BASE_MEM], ax
    shl ax, 6                           ; KiB -> paragraphs
    mov [BDA_EBDA_SEG], ax
    mov es, ax
    xor di, di
    xor ax, ax
    mov cx, 512
    rep stosw                           ; clear the EBDA
    mov word [es:EBDA_SIZE_KIB], 1

    ; Equipment word: 80x25 colour, one serial port (set below), no diskette.
    mov word [BDA_EQUIPMENT], 0x0020
    ; Keyboard buffer.
    mov word [BDA_KBD_HEAD], BDA_KBD_BUF
    mov word [BDA_KBD_TAIL], BDA_KBD_BUF
    mov word [BDA_KBD_START], BDA_KBD_BUF
    mov word [BDA_KBD_END], BDA_KBD_BUF + 32
    POST 0x03

    call pic_init
    call pit_init
    call serial_init
    POST 0x04
    call video_init
    POST 0x05
    call memory_init                    ; e820 map into the EBDA
    POST 0x06
    call ata_init
    POST 0x07

    mov si, msg_banner
    call print_str
    call a20_off
    POST 0x08
    sti
    int 0x19
    ; int 19h does not return; if it ever does, stop.
halt_forever:
    cli
    hlt
    jmp halt_forever

; ---------------------------------------------------------------------------------------------
; Chipset set-up.

pic_init:
    mov al, 0x11                        ; ICW1: edge, cascade, ICW4
    out 0x20, al
    out 0xA0, al
    mov al, 0x08                        ; ICW2: master vectors 08h-0Fh
    out 0x21, al
    mov al, 0x70                        ; slave vectors 70h-77h
    out 0xA1, al
    mov al, 0x04                        ; ICW3: slave on IRQ2
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01                        ; ICW4: 8086 mode
    out 0x21, al
    out 0xA1, al
    mov al, 0xF8                        ; master: timer, keyboard, cascade
    out 0x21, al
    mov al, 0xFF                        ; slave: all masked (the disk is polled)
    out 0xA1, al
    ret

pit_init:
    mov al, 0x34                        ; channel 0, lobyte/hibyte, mode 2
    out 0x43, al
    xor al, al                          ; divisor 65536: 18.2 Hz
    out 0x40, al
    out 0x40, al
    ret

; Hands over with A20 off, as the PC/AT BIOS does (8086 wrap-around at 1 MiB): through the 8042
; (output port command D1h, data DDh) and port 0x92. int 15h AX=2401h turns it back on.
a20_off:
    call kbc_wait
    mov al, 0xD1
    out 0x64, al
    call kbc_wait
    mov al, 0xDD
    out 0x60, al
    call kbc_wait
    in al, 0x92
    and al, 0xFC
    out 0x92, al
    ret

; Waits (bounded) until the 8042 input buffer is empty.
kbc_wait:
    push cx
    mov cx, 0xFFFF
.poll:
    in al, 0x64
    test al, 0x02
    jz .done
    loop .poll
.done:
    pop cx
    ret

cmos_read:                              ; AL = register -> AL = value
    out 0x70, al
    in al, 0x71
    ret

; ---------------------------------------------------------------------------------------------
; Default handlers.

dummy_iret:
    iret

irq_master_eoi:
    push ax
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

irq_slave_eoi:
    push ax
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

; CPU exceptions that would otherwise re-execute the faulting instruction forever: report where
; and halt. (Vectors 08h-0Fh are the IRQs in real mode, as on every PC.)
int00_divide_error:
    mov si, msg_divide_error
    jmp exception_stop
int06_invalid_opcode:
    mov si, msg_invalid_opcode
exception_stop:
    call print_str
    mov bp, sp
    mov ax, [ss:bp+2]                   ; CS
    call print_hex16
    mov al, ':'
    call print_char
    mov ax, [ss:bp]                     ; IP
    call print_hex16
    mov si, msg_halted
    call print_str
    jmp halt_forever

; Prints AX as four hex digits through int 10h teletype.
print_hex16:
    push cx
    push ax
    mov cx, 4
.digit:
    rol ax, 4
    push ax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .put
    add al, 'a' - '9' - 1
.put:
    call print_char
    pop ax
    loop .digit
    pop ax
    pop cx
    ret

print_char:
    push ax
    push bx
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    pop bx
    pop ax
    ret

; int 11h: equipment list.
int11_handler:
    push ds
    mov ax, BDA_SEG
    mov ds, ax
    mov ax, [BDA_EQUIPMENT]
    pop ds
    iret

; int 12h: conventional memory size in KiB.
int12_handler:
    push ds
    mov ax, BDA_SEG
    mov ds, ax
    mov ax, [BDA_BASE_MEM]
    pop ds
    iret

; int 17h: printer. There is none: report "timeout" in AH.
int17_handler:
    mov ah, 0x01
    iret

; int 18h: no ROM BASIC; say so and stop.
int18_handler:
    mov si, msg_int18
    call print_str
    jmp halt_forever

; Common service exits for handlers that built a register frame.
ret_ok:
    and byte [bp+R_FLAGS], 0xFE
    jmp iret_frame
ret_err:
    or byte [bp+R_FLAGS], 1
iret_frame:
    popad
    pop es
    pop ds
    iret

; Unsupported function: CF=1, AH=86h (as SeaBIOS's set_code_unimplemented).
ret_unsupported:
    mov byte [bp+R_AH], 0x86
    jmp ret_err

; DS := EBDA segment.
load_ebda_ds:
    push ax
    mov ax, BDA_SEG
    mov ds, ax
    mov ds, [BDA_EBDA_SEG]
    pop ax
    ret

; ES := EBDA segment.
load_ebda_es:
    push ds
    push ax
    mov ax, BDA_SEG
    mov ds, ax
    mov es, [BDA_EBDA_SEG]
    pop ax
    pop ds
    ret

; Prints the NUL-terminated string at CS:SI through int 10h teletype.
print_str:
    push ax
    push bx
    push si
.next:
    mov al, [cs:si]
    test al, al
    jz .done
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    inc si
    jmp .next
.done:
    pop si
    pop bx
    pop ax
    ret

%include "serial.asm"
%include "video.asm"
%include "e820map.asm"
%include "system.asm"
%include "disk.asm"
%include "kbd.asm"
%include "clock.asm"
%include "boot.asm"

msg_banner: db "k BIOS 1.0", 13, 10, 0
msg_divide_error:   db "k BIOS: divide error (#DE) at ", 0
msg_invalid_opcode: db "k BIOS: invalid opcode (#UD) at ", 0
msg_halted:         db "; system halted", 13, 10, 0
msg_int18:  db "k BIOS: no bootable device and no ROM BASIC; system halted", 13, 10, 0

; System configuration table for int 15h AH=C0h.
config_table:
    dw 8                                ; bytes following
    db 0xFC                             ; model: AT
    db 0x01                             ; submodel
    db 0x00                             ; BIOS revision
    db 0x74                             ; feature 1: EBDA, RTC, second 8259, int 15h/4Fh
    db 0x40                             ; feature 2: int 16h AH=09h
    db 0x00, 0x00, 0x00

; ---------------------------------------------------------------------------------------------
    times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:                           ; F000:FFF0
    jmp 0xF000:post
    db "11/23/26"                       ; F000:FFF5 BIOS date
    db 0x00
    db 0xFC                             ; F000:FFFE model byte (AT)
    db 0x00
