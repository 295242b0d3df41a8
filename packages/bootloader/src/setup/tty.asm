; Console output (arch/x86/boot/tty.c): puts goes to the BIOS teletype (which this BIOS mirrors to
; COM1). The debug build's step log (DBG) goes straight to COM1, like tty.c's serial_putchar.

%define COM1 0x3F8

; Prints the NUL-terminated string at DS:SI with int 10h AH=0Eh.
puts:
    pusha
.next:
    lodsb
    test al, al
    jz .done
    cmp al, 10
    jne .put
    mov al, 13
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    mov al, 10
.put:
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp .next
.done:
    popa
    ret

%ifdef DEBUG
; AL -> COM1, polling the line status register (bounded).
serial_putchar:
    push dx
    push cx
    push ax
    mov dx, COM1 + 5
    mov cx, 0xFFFF
.wait:
    in al, dx
    test al, 0x20
    jnz .ready
    loop .wait
.ready:
    pop ax
    mov dx, COM1
    out dx, al
    pop cx
    pop dx
    ret

; Prints the NUL-terminated string that follows the call, then returns past it.
dbg_inline:
    push bp
    mov bp, sp
    push si
    push ax
    mov si, [bp+2]
.next:
    mov al, [cs:si]
    inc si
    test al, al
    jz .done
    call serial_putchar
    jmp .next
.done:
    mov [bp+2], si
    pop ax
    pop si
    pop bp
    ret

; Prints EAX as 0x%08x on COM1.
dbg_hex32:
    push eax
    push cx
    push eax
    mov al, '0'
    call serial_putchar
    mov al, 'x'
    call serial_putchar
    pop eax
    mov cx, 8
.digit:
    rol eax, 4
    push eax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .put
    add al, 'a' - '9' - 1
.put:
    call serial_putchar
    pop eax
    loop .digit
    pop cx
    pop eax
    ret
%endif

%macro DBG 1+
%ifdef DEBUG
    call dbg_inline
    db %1, 0
%endif
%endmacro

; DBGHEX value: prints a 32-bit value (register or memory operand) in hex.
%macro DBGHEX 1
%ifdef DEBUG
    push eax
    mov eax, %1
    call dbg_hex32
    pop eax
%endif
%endmacro

%macro DBGNL 0
    DBG 13, 10
%endmacro
