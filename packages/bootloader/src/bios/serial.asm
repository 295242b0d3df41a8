; COM1 (16550 at 0x3F8) for the console mirror, and int 14h.

serial_init:
    mov dx, COM1 + 7                    ; scratch register: is a UART there?
    mov al, 0x5A
    out dx, al
    in al, dx
    cmp al, 0x5A
    jne .absent
    mov dx, COM1 + 1
    xor al, al
    out dx, al                          ; IER: no interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                          ; DLAB
    mov dx, COM1
    mov al, 0x01
    out dx, al                          ; 115200 baud
    inc dx
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                          ; 8N1
    mov dx, COM1 + 2
    mov al, 0xC7
    out dx, al                          ; FIFO on, cleared
    mov dx, COM1 + 4
    mov al, 0x03
    out dx, al                          ; DTR, RTS
    mov word [BDA_COM1], COM1           ; DS = BDA here
    or word [BDA_EQUIPMENT], 0x0200     ; one serial port
.absent:
    ret

; AL = byte: to COM1 (when present, waiting a bounded time for THRE) and to port 0xE9.
serial_putc:
    push ax
    push cx
    push dx
    push ds
    mov ah, al
    out DEBUG_PORT, al
    mov dx, BDA_SEG
    mov ds, dx
    mov dx, [BDA_COM1]
    test dx, dx
    jz .done
    add dx, 5
    mov cx, 0xFFFF
.wait:
    in al, dx
    test al, 0x20
    jnz .ready
    loop .wait
.ready:
    sub dx, 5
    mov al, ah
    out dx, al
.done:
    pop ds
    pop dx
    pop cx
    pop ax
    ret

; int 14h: AH=00 init (ignored, returns status), 01 send AL, 02 receive, 03 status.
int14_handler:
    push dx
    cmp ah, 0x01
    jne .not_send
    call serial_putc
    mov ah, 0x60
    pop dx
    iret
.not_send:
    cmp ah, 0x02
    jne .status
    mov dx, COM1 + 5
    in al, dx
    test al, 1
    mov ah, 0x80                        ; timeout
    jz .out
    mov dx, COM1
    in al, dx
    xor ah, ah
    jmp .out
.status:
    mov dx, COM1 + 5
    in al, dx
    mov ah, al
    xor al, al
.out:
    pop dx
    iret
