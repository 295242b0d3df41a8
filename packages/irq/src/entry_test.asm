; entry_test.asm - guest programs for entry_32.pc.test.ts, loaded at 0x20000 (linear = physical).
; Each routine starts at a fixed offset so the test can point EIP at it.

bits 32
org 0x20000

RESULT      equ 0x2f800         ; where results are stored
USER_STACK  equ 0x2f000
__USER_CS   equ 0x73
__USER_DS   equ 0x7b

; 0x20000: int 0x80 from ring 0, result to RESULT, then idle
kernel_int80:
    mov eax, 21
    mov ebx, 0x1234
    int 0x80
    mov [RESULT], eax
    mov [RESULT + 4], ebx       ; preserved across the gate
.idle:
    sti
    hlt
    jmp .idle

    times 0x100 - ($ - $$) db 0xcc
; 0x20100: an invalid opcode in the kernel
kernel_ud2:
    mov eax, 0xdeadbeef
    ud2

    times 0x200 - ($ - $$) db 0xcc
; 0x20200: drop to ring 3 at EBX through iret
to_user:
    mov eax, __USER_DS          ; user data segments (iret would null DPL-0 ones)
    mov ds, eax
    mov es, eax
    push dword __USER_DS
    push dword USER_STACK
    push dword 0x202            ; IF set
    push dword __USER_CS
    push ebx                    ; the ring-3 entry point
    iretd

    times 0x300 - ($ - $$) db 0xcc
; 0x20300: ring 3: two system calls, then try to forge the kernel gate
user_code:
    mov eax, 7
    int 0x80
    mov [RESULT + 8], eax
    mov eax, 8
    int 0x80
    mov [RESULT + 12], eax
    mov eax, USER_STACK
    out 0xee, eax               ; #GP: no I/O permission in ring 3
    jmp $

    times 0x400 - ($ - $$) db 0xcc
; 0x20400: ring 3 tries a DPL-0 gate
user_int_dpl0:
    int 0x21
    jmp $

    times 0x500 - ($ - $$) db 0xcc
; 0x20500: a kernel #GP with a handler that skips the instruction, then int 0x80 to switch tasks
kernel_gp:
    mov eax, 0x21 << 3          ; not a valid selector: #GP(0x108)
    mov ds, eax
    mov dword [RESULT + 16], 1  ; reached after the handler skipped the mov
    mov eax, 99
    int 0x80                    ; the handler switches ESP to another task's frame
    jmp $                       ; never reached

    times 0x600 - ($ - $$) db 0xcc
; 0x20600: the other task
other_task:
    mov [RESULT + 20], eax      ; eax from that task's frame
    mov [RESULT + 24], esp
.idle:
    sti
    hlt
    jmp .idle

    times 0x700 - ($ - $$) db 0xcc
; 0x20700: a process that blocks in a system call (int 0x81) until a device interrupt delivers data
blocking_process:
    mov eax, 3
    int 0x81
    mov [RESULT + 28], eax
    mov [RESULT + 32], esp
.idle:
    sti
    hlt
    jmp .idle

    times 0x800 - ($ - $$) db 0xcc
; 0x20800: ring 3 spinning with interrupts on
user_spin:
    inc dword [RESULT + 36]
    jmp user_spin
