; Keyboard: IRQ 1 (int 09h) reads scancode set 1 from the 8042 and queues (scancode << 8 | ASCII)
; in the BDA ring buffer; int 16h reads it (AH=00h/10h wait, 01h/11h peek, 02h/12h shift flags,
; 03h typematic rate, 05h store a key).

int09_keyboard:
    push ax
    push bx
    push ds
    mov ax, BDA_SEG
    mov ds, ax
    in al, 0x60
    cmp al, 0x2A                        ; left shift make/break
    je .shift_on
    cmp al, 0x36
    je .shift_on
    cmp al, 0xAA
    je .shift_off
    cmp al, 0xB6
    je .shift_off
    test al, 0x80
    jnz .eoi                            ; other break codes
    cmp al, 0x3A
    jae .eoi
    mov ah, al
    movzx bx, al
    test byte [BDA_KBD_FLAGS], 0x03
    jz .lower
    mov al, [cs:scancode_upper + bx]
    jmp .queue
.lower:
    mov al, [cs:scancode_lower + bx]
.queue:
    mov bx, [BDA_KBD_TAIL]
    mov [bx], ax
    add bx, 2
    cmp bx, [BDA_KBD_END]
    jb .no_wrap
    mov bx, [BDA_KBD_START]
.no_wrap:
    cmp bx, [BDA_KBD_HEAD]
    je .eoi                             ; full: drop
    mov [BDA_KBD_TAIL], bx
    jmp .eoi
.shift_on:
    or byte [BDA_KBD_FLAGS], 0x02
    jmp .eoi
.shift_off:
    and byte [BDA_KBD_FLAGS], 0xFC
.eoi:
    mov al, 0x20
    out 0x20, al
    pop ds
    pop bx
    pop ax
    iret

int16_handler:
    ENTER_FRAME
    mov bx, BDA_SEG
    mov ds, bx
    cmp ah, 0x00
    je k_read
    cmp ah, 0x10
    je k_read
    cmp ah, 0x01
    je k_peek
    cmp ah, 0x11
    je k_peek
    cmp ah, 0x02
    je k_flags
    cmp ah, 0x12
    je k_flags
    cmp ah, 0x03
    je k_rate
    cmp ah, 0x05
    je k_store
    jmp iret_frame

k_read:                                 ; wait for a key with interrupts on
    cli
    mov bx, [BDA_KBD_HEAD]
    cmp bx, [BDA_KBD_TAIL]
    jne .got
    sti
    hlt
    jmp k_read
.got:
    mov ax, [bx]
    add bx, 2
    cmp bx, [BDA_KBD_END]
    jb .no_wrap
    mov bx, [BDA_KBD_START]
.no_wrap:
    mov [BDA_KBD_HEAD], bx
    mov [bp+R_AX], ax
    jmp iret_frame

k_peek:                                 ; ZF=1: no key; ZF=0: AX = key (left queued)
    mov bx, [BDA_KBD_HEAD]
    cmp bx, [BDA_KBD_TAIL]
    je .empty
    mov ax, [bx]
    mov [bp+R_AX], ax
    and byte [bp+R_FLAGS], 0xBF
    jmp iret_frame
.empty:
    or byte [bp+R_FLAGS], 0x40
    jmp iret_frame

k_flags:
    mov al, [BDA_KBD_FLAGS]
    mov [bp+R_AL], al
    jmp iret_frame

k_rate:                                 ; AL=05h: BH delay, BL rate; accepted, nothing to program
    jmp iret_frame

k_store:                                ; CX = key; AL=0 stored, 1 buffer full
    mov bx, [BDA_KBD_TAIL]
    mov ax, bx
    add ax, 2
    cmp ax, [BDA_KBD_END]
    jb .no_wrap
    mov ax, [BDA_KBD_START]
.no_wrap:
    cmp ax, [BDA_KBD_HEAD]
    je .full
    mov cx, [bp+R_CX]
    mov [bx], cx
    mov [BDA_KBD_TAIL], ax
    mov byte [bp+R_AL], 0
    jmp iret_frame
.full:
    mov byte [bp+R_AL], 1
    jmp iret_frame

scancode_lower:
    db 0, 27, "1234567890-=", 8, 9
    db "qwertyuiop[]", 13, 0, "asdfghjkl;'`", 0, "\zxcvbnm,./", 0, "*", 0, " "
scancode_upper:
    db 0, 27, "!@#$%^&*()_+", 8, 9
    db "QWERTYUIOP{}", 13, 0, "ASDFGHJKL:", 34, "~", 0, "|ZXCVBNM<>?", 0, "*", 0, " "
