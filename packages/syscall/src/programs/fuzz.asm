; fuzz.asm - random system calls: numbers and six arguments from a xorshift32 generator seeded from
; [USER_DATA], [USER_DATA + 4] calls. Arguments are raw random words or pointers aimed at the
; interesting places: user data, read-only data, the unmapped hole, kernel memory. exit (1) and
; exit_group (252) are skipped. The loop state lives on the stack, which no argument points at.
%include "k.inc"
bits 32
org USER_TEXT

_start:
    sub esp, 32                 ; [esp] = seed, [esp + 4] = calls left, [esp + 8..31] = arguments
    mov eax, [USER_DATA]
    mov [esp], eax
    mov eax, [USER_DATA + 4]
    mov [esp + 4], eax
.next:
    call rand
    mov ecx, eax
    and ecx, 0x1ff              ; usually 0..511 (NR_syscalls is 470)
    test eax, 0x00c00000
    jnz .small
    mov ecx, eax                ; one in four: any 32-bit number
.small:
    cmp ecx, SYS_exit
    je .next
    cmp ecx, SYS_exit_group
    je .next
    push ecx
    mov ebx, 0
.args:
    call arg
    mov [esp + 12 + ebx * 4], eax
    inc ebx
    cmp ebx, 6
    jne .args
    pop eax
    mov ebx, [esp + 8]
    mov ecx, [esp + 12]
    mov edx, [esp + 16]
    mov esi, [esp + 20]
    mov edi, [esp + 24]
    mov ebp, [esp + 28]
    int 0x80
    dec dword [esp + 4]
    jnz .next
    xor ebx, ebx
    sys SYS_exit

; xorshift32 on the seed at [esp + 4] (the caller's [esp])
rand:
    mov eax, [esp + 4]
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [esp + 4], eax
    ret

; one argument in eax (called with one extra word pushed: seed at [esp + 8])
arg:
    mov eax, [esp + 8]
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [esp + 8], eax
    mov edx, eax
    shr edx, 8
    and eax, 7
    cmp eax, 0
    je .data
    cmp eax, 1
    je .rodata
    cmp eax, 2
    je .kernel
    cmp eax, 3
    je .hole
    cmp eax, 4
    je .small
    mov eax, [esp + 8]          ; raw, but never the stack's 64 KiB
    mov edx, eax
    and edx, 0xffff0000
    cmp edx, 0xbfff0000
    jne .done
    xor eax, 0x40000000
    ret
.data:
    and edx, 0x3fff
    lea eax, [USER_DATA + edx]
    ret
.rodata:
    and edx, 0xfff
    lea eax, [USER_RODATA + edx]
    ret
.kernel:
    lea eax, [KERNEL_PTR + edx * 4]
    ret
.hole:
    and edx, 0xfff
    lea eax, [USER_HOLE - 0x800 + edx]
    ret
.small:
    and edx, 0x1ff
    mov eax, edx
.done:
    ret
