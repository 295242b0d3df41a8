; Time: IRQ 0 (int 08h) counts ticks at 18.2 Hz in the BDA and calls int 1Ch; int 1Ah reads the
; tick count and the CMOS real-time clock (BCD, as stored).

%define TICKS_PER_DAY 0x001800B0

int08_timer:
    push eax
    push ds
    mov ax, BDA_SEG
    mov ds, ax
    mov eax, [BDA_TICKS]
    inc eax
    cmp eax, TICKS_PER_DAY
    jb .store
    xor eax, eax
    mov byte [BDA_MIDNIGHT], 1
.store:
    mov [BDA_TICKS], eax
    int 0x1C
    mov al, 0x20
    out 0x20, al
    pop ds
    pop eax
    iret

int1a_handler:
    ENTER_FRAME
    mov bx, BDA_SEG
    mov ds, bx
    cmp ah, 0x00
    je t_get_ticks
    cmp ah, 0x01
    je t_set_ticks
    cmp ah, 0x02
    je t_get_time
    cmp ah, 0x03
    je t_set
    cmp ah, 0x04
    je t_get_date
    cmp ah, 0x05
    je t_set
    jmp ret_unsupported

t_get_ticks:
    cli
    mov ax, [BDA_TICKS]
    mov [bp+R_DX], ax
    mov ax, [BDA_TICKS+2]
    mov [bp+R_CX], ax
    mov al, [BDA_MIDNIGHT]
    mov [bp+R_AL], al
    mov byte [BDA_MIDNIGHT], 0
    jmp ret_ok

t_set_ticks:
    mov [BDA_TICKS], dx
    mov [BDA_TICKS+2], cx
    mov byte [BDA_MIDNIGHT], 0
    mov byte [bp+R_AH], 0
    jmp ret_ok

t_get_time:                             ; CH hours, CL minutes, DH seconds (BCD), DL DST
    mov al, 0x04
    call cmos_read
    mov [bp+R_CH], al
    mov al, 0x02
    call cmos_read
    mov [bp+R_CL], al
    mov al, 0x00
    call cmos_read
    mov [bp+R_DH], al
    mov byte [bp+R_DL], 0
    mov byte [bp+R_AH], 0
    jmp ret_ok

t_get_date:                             ; CH century, CL year, DH month, DL day (BCD)
    mov al, 0x32
    call cmos_read
    test al, al
    jnz .century
    mov al, 0x20
.century:
    mov [bp+R_CH], al
    mov al, 0x09
    call cmos_read
    mov [bp+R_CL], al
    mov al, 0x08
    call cmos_read
    mov [bp+R_DH], al
    mov al, 0x07
    call cmos_read
    mov [bp+R_DL], al
    mov byte [bp+R_AH], 0
    jmp ret_ok

t_set:                                  ; setting the clock is accepted and ignored
    mov byte [bp+R_AH], 0
    jmp ret_ok
