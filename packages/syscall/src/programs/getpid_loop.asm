; getpid_loop.asm - [USER_DATA] null system calls (getpid), then exit(0): the benchmark.
%include "k.inc"
bits 32
org USER_TEXT

_start:
    mov ecx, [USER_DATA]
.loop:
    mov eax, SYS_getpid
    int 0x80
    dec ecx
    jnz .loop
    xor ebx, ebx
    sys SYS_exit
