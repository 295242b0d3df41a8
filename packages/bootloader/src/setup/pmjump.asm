; protected_mode_jump (arch/x86/boot/pmjump.S): EAX = code32_start, EDX = &boot_params (linear).
; Sets CR0.PE, far-jumps to 32-bit in_pm32, loads the flat data segments, the TSS and a null LDT,
; clears the registers the 32-bit boot protocol leaves undefined, and jumps to EAX with
; ESI = &boot_params.

protected_mode_jump:
    mov esi, edx                        ; pointer to boot_params
    xor ebx, ebx
    mov bx, cs
    shl ebx, 4
    add [.in_pm32_offset], ebx          ; CS-relative -> linear (self-modifying, as in Linux)
    jmp short .serialize                ; short jump to serialize on 386/486
.serialize:
    mov cx, __BOOT_DS
    mov di, __BOOT_TSS
    mov edx, cr0
    or dl, 1                            ; CR0.PE
    mov cr0, edx
    db 0x66, 0xEA                       ; ljmpl
.in_pm32_offset:
    dd in_pm32
    dw __BOOT_CS

bits 32
in_pm32:
    mov ds, ecx
    mov es, ecx
    mov fs, ecx
    mov gs, ecx
    mov ss, ecx
    add esp, ebx                        ; a valid stack for debugging hacks
    ltr di
    xor ecx, ecx
    xor edx, edx
    xor ebx, ebx
    xor ebp, ebp
    xor edi, edi
    lldt cx
    jmp eax                             ; code32_start
bits 16
