; unprivileged.asm - run as uid 1000 without capabilities: sethostname and reboot fail with EPERM.
%include "k.inc"
bits 32
org USER_TEXT

_start:
    sys SYS_getuid32
    expect 1000, 1
    mov ebx, hostname
    mov ecx, 4
    sys SYS_sethostname
    expect -EPERM, 2
    mov ebx, 0xfee1dead
    mov ecx, 672274793
    mov edx, 0x4321fedc         ; LINUX_REBOOT_CMD_POWER_OFF
    xor esi, esi
    sys SYS_reboot
    expect -EPERM, 3
    xor ebx, ebx
    sys SYS_exit

hostname: db "evil"
