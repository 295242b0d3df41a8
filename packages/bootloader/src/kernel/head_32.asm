; The protected-mode part of the k kernel image, loaded at 0x100000 (code32_start). For now a
; stub in the place of arch/x86/boot/compressed/head_32.S startup_32: it reports on COM1 that it
; was reached with ESI = &boot_params and halts. The kernel core will replace the halt with its
; entry through the kernel gate.
;
; Assemble: nasm -f bin -o src/kernel/head_32.bin src/kernel/head_32.asm

bits 32
cpu 686
org 0x100000

%define COM1 0x3F8

startup_32:
    cld
    mov esp, stack_top
    push esi
    mov ebx, msg_reached
    call serial_puts
    mov eax, [esp]
    call serial_hex32
    mov ebx, msg_tail
    call serial_puts
    pop esi
.halt:
    cli
    hlt
    jmp .halt

; EBX = NUL-terminated string
serial_puts:
.next:
    mov al, [ebx]
    test al, al
    jz .done
    call serial_putc
    inc ebx
    jmp .next
.done:
    ret

serial_putc:
    push edx
    push ecx
    push eax
    mov dx, COM1 + 5
    mov ecx, 0x10000
.wait:
    in al, dx
    test al, 0x20
    jnz .ready
    loop .wait
.ready:
    pop eax
    mov dx, COM1
    out dx, al
    pop ecx
    pop edx
    ret

serial_hex32:
    mov ecx, 8
.digit:
    rol eax, 4
    push eax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .put
    add al, 'a' - '9' - 1
.put:
    call serial_putc
    pop eax
    loop .digit
    ret

msg_reached: db "k: startup_32 reached at code32_start, boot_params at 0x", 0
msg_tail:    db 13, 10, "k: the kernel proper is not wired to this image yet; halting", 13, 10, 0

align 16
    times 256 db 0
stack_top:
