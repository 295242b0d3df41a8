; faults.asm - one privileged or faulting instruction per 32-byte slot; the harness starts the
; program at slot N. Each must fault; falling through exits with 99 ("no fault").
%include "k.inc"
bits 32
org USER_TEXT

%macro slot 0-1
    align 32, db 0xCC
%endmacro

%macro nofault 0
    mov ebx, 99
    sys SYS_exit
%endmacro

slot                            ; 0: a DPL 0 gate from ring 3: #GP(0x21 << 3 | 2)
    int 0x21
    nofault
slot                            ; 1: CLI with IOPL 0: #GP(0)
    cli
    nofault
slot                            ; 2: HLT is privileged: #GP(0)
    hlt
    nofault
slot                            ; 3: IN with IOPL 0 and no I/O bitmap: #GP(0)
    in al, 0x60
    nofault
slot                            ; 4: OUT likewise
    out 0x80, al
    nofault
slot                            ; 5: read a supervisor page: #PF(P|U)
    mov eax, [KERNEL_PTR]
    nofault
slot                            ; 6: write a read-only page: #PF(P|W|U)
    mov dword [USER_RODATA], 1
    nofault
slot                            ; 7: #UD
    ud2
    nofault
slot                            ; 8: #DE
    xor edx, edx
    xor ecx, ecx
    div ecx
    nofault
slot                            ; 9: read an unmapped page: #PF(U)
    mov eax, [USER_HOLE]
    nofault
