; hello.asm - the smallest program: write(1, "hello, world\n", 13); getpid(); exit_group(0).
%include "k.inc"
bits 32
org USER_TEXT

_start:
    mov ebx, 1
    mov ecx, msg
    mov edx, msg_len
    sys SYS_write
    sys SYS_getpid
    xor ebx, ebx
    sys SYS_exit_group

msg:     db "hello, world", 10
msg_len  equ $ - msg
