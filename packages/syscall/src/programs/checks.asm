; checks.asm - valid and invalid system call numbers, and kernel, unmapped, read-only and
; straddling pointers to calls that read and write user memory. Each check exits with its number
; when the result is wrong; exit(0) when all pass. Run as pid 42, root, with "input" on stdin.
%include "k.inc"
bits 32
org USER_TEXT

_start:
    sys SYS_getpid
    expect 42, 1

    ; numbers with no system call: -ENOSYS
    sys 470                     ; NR_syscalls
    expect -ENOSYS, 2
    sys 0x7fffffff
    expect -ENOSYS, 3
    sys 0xffffffff              ; -1
    expect -ENOSYS, 4
    sys 17                      ; "break": in the table, never implemented
    expect -ENOSYS, 5
    sys 222                     ; unassigned
    expect -ENOSYS, 6
    sys 0                       ; restart_syscall: not built in
    expect -ENOSYS, 7

    ; write(2): reads user memory
    mov ebx, 1
    mov ecx, msg
    mov edx, msg_len
    sys SYS_write
    expect msg_len, 8
    mov ebx, 1
    mov ecx, KERNEL_PTR
    mov edx, 4
    sys SYS_write
    expect -EFAULT, 9
    mov ebx, 1
    mov ecx, USER_HOLE
    mov edx, 4
    sys SYS_write
    expect -EFAULT, 10
    mov ebx, 1
    mov ecx, 0xBFFFFFFC         ; runs over TASK_SIZE: access_ok fails
    mov edx, 8
    sys SYS_write
    expect -EFAULT, 11

    ; read(2): writes user memory
    mov ebx, 0
    mov ecx, _start             ; program text is read-only
    mov edx, 16
    sys SYS_read
    expect -EFAULT, 12
    mov ebx, 0
    mov ecx, KERNEL_PTR + 0x1000
    mov edx, 16
    sys SYS_read
    expect -EFAULT, 13
    mov ebx, 0
    mov ecx, USER_DATA + 0x200
    mov edx, 16
    sys SYS_read
    expect 5, 14
    mov eax, [USER_DATA + 0x200]
    expect 'inpu', 26

    ; uname(2): writes 390 bytes
    mov ebx, KERNEL_PTR
    sys SYS_uname
    expect -EFAULT, 15
    mov ebx, USER_RODATA
    sys SYS_uname
    expect -EFAULT, 16
    mov ebx, USER_HOLE
    sys SYS_uname
    expect -EFAULT, 17
    mov ebx, USER_DATA + 0x100
    sys SYS_uname
    expect 0, 18
    mov eax, [USER_DATA + 0x100]
    expect 'Linu', 19

    ; sethostname(2): reads user memory, needs CAP_SYS_ADMIN (we are root)
    mov ebx, KERNEL_PTR
    mov ecx, 4
    sys SYS_sethostname
    expect -EFAULT, 20
    mov ebx, hostname
    mov ecx, hostname_len
    sys SYS_sethostname
    expect 0, 21
    mov ebx, hostname
    mov ecx, 65
    sys SYS_sethostname
    expect -EINVAL, 22

    ; brk(0): the current break
    xor ebx, ebx
    sys SYS_brk
    expect 0x08060000, 23

    ; every register but EAX survives a system call
    mov ebx, 0x11111111
    mov ecx, 0x22222222
    mov edx, 0x33333333
    mov esi, 0x44444444
    mov edi, 0x55555555
    mov ebp, 0x66666666
    sys SYS_getpid
    cmp ebx, 0x11111111
    jne .clobbered
    cmp ecx, 0x22222222
    jne .clobbered
    cmp edx, 0x33333333
    jne .clobbered
    cmp esi, 0x44444444
    jne .clobbered
    cmp edi, 0x55555555
    jne .clobbered
    cmp ebp, 0x66666666
    jne .clobbered
    cmp esp, USER_STACK
    jne .clobbered

    ; a write that runs from a readable page into the hole: a short count
    mov ebx, 1
    mov ecx, USER_HOLE - 4
    mov edx, 8
    sys SYS_write
    expect 4, 25

    xor ebx, ebx
    sys SYS_exit
.clobbered:
    mov ebx, 24
    sys SYS_exit

msg:          db "checks: write ok", 10
msg_len       equ $ - msg
hostname:     db "k-box"
hostname_len  equ $ - hostname
