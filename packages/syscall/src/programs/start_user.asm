; start_user.asm - ring 0: load the kernel's descriptor tables with @k/irq's load_descriptors, then
; enter user mode the way Linux's start_thread + ret_from_fork do: an iret frame for ring 3
; (SS:ESP, EFLAGS, CS:EIP) with the user data segments loaded and the other registers cleared.
;
; In:  EAX = load_descriptors, EBX = its descriptor block, ECX = user EIP, EDX = user ESP.

bits 32
org 0

__USER_CS equ 0x73
__USER_DS equ 0x7B

start_user:
    push ecx
    push edx
    call eax                    ; lgdt, lidt, segment reloads, ltr
    pop edx
    pop ecx
    push dword __USER_DS        ; SS
    push edx                    ; ESP
    push dword 0x202            ; EFLAGS: IF, IOPL 0
    push dword __USER_CS        ; CS
    push ecx                    ; EIP
    mov eax, __USER_DS
    mov ds, eax
    mov es, eax
    xor eax, eax
    mov fs, eax
    mov gs, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretd
