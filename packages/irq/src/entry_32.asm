; entry_32.asm - the kernel's x86 entry stubs, mirroring arch/x86/entry/entry_32.S (i386).
;
; Every IDT gate points at a 16-byte stub in the table below. A stub pushes what the vector needs
; to make the frame look the same for everyone, then jumps to a common path that pushes the rest
; of struct pt_regs (SAVE_ALL), loads the kernel data segments, and enters the TypeScript kernel
; through the kernel gate: a 32-bit OUT to KERNEL_GATE_PORT with
;     eax = pointer to pt_regs, ecx = vector, edx = error code (0 when the CPU pushed none).
; When the OUT completes (the TypeScript handler has run, and may have switched ESP to another
; task's kernel stack), RESTORE_ALL pops pt_regs from ESP and IRET returns.
;
; orig_eax (PT_ORIG_EAX) as Linux leaves it:
;   exceptions 0-31   -1 (the error code travels in edx, as error_code: passes it)
;   int 0x80          eax at entry: the system call number
;   other vectors     ~vector (Linux 2.6's `pushl $~(vector)`), so do_IRQ finds the vector there
;
; The blob is position independent (only relative jumps), so it can be loaded anywhere; its header
; gives the offsets of the labels the kernel needs.

bits 32
org 0

KERNEL_GATE_PORT equ 0xEE
__KERNEL_CS      equ 0x60
__KERNEL_DS      equ 0x68
__KERNEL_PERCPU  equ 0xD8
__KERNEL_TSS     equ 0x80
SYSCALL_VECTOR   equ 0x80
STUB_SIZE        equ 16
STUBS            equ 0x40

PT_EBX      equ 0
PT_ECX      equ 4
PT_EDX      equ 8
PT_ESI      equ 12
PT_EDI      equ 16
PT_EBP      equ 20
PT_EAX      equ 24
PT_DS       equ 28
PT_ES       equ 32
PT_FS       equ 36
PT_GS       equ 40
PT_ORIG_EAX equ 44
PT_EIP      equ 48

; ---- header: magic, then the offsets of the entry points (read by entry_32.ts) ----
header:
    db 'KENT'                       ; 0x00 magic
    dd STUBS                        ; 0x04 first stub
    dd STUB_SIZE                    ; 0x08 bytes per stub
    dd error_code                   ; 0x0c common exception path
    dd common_interrupt             ; 0x10 common IRQ path
    dd system_call                  ; 0x14 common int 0x80 path
    dd restore_all                  ; 0x18 RESTORE_ALL; iret (a new task's first return)
    dd ret_from_exception           ; 0x1c
    dd ret_from_intr                ; 0x20
    dd default_idle                 ; 0x24 sti; hlt; jmp (the idle loop)
    dd load_descriptors             ; 0x28 lgdt/lidt/segments/ltr, then ret
    dd KERNEL_GATE_PORT             ; 0x2c
    times STUBS - ($ - $$) db 0

; ---- one stub per vector ----
%assign v 0
%rep 256
stub_ %+ v:
%if v < 32
  %if v == 8 || (v >= 10 && v <= 14) || v == 17
    push dword v                    ; the CPU pushed an error code
  %else
    push dword 0                    ; no error code: push a zero in its place
    push dword v
  %endif
    jmp near error_code
%elif v == SYSCALL_VECTOR
    push eax                        ; orig_eax = system call number
    jmp near system_call
%else
    push dword ~v                   ; orig_eax = ~vector
    jmp near common_interrupt
%endif
    times STUBS + (v + 1) * STUB_SIZE - ($ - $$) db 0xCC
%assign v v + 1
%endrep

; ---- exceptions: the vector sits in the gs slot, the error code in the orig_eax slot ----
error_code:
    push fs
    push es
    push ds
    push eax
    push ebp
    push edi
    push esi
    push edx
    push ecx
    push ebx
    cld
    mov ecx, gs
    mov edi, [esp + PT_GS]          ; the vector
    mov edx, [esp + PT_ORIG_EAX]    ; the error code
    mov dword [esp + PT_ORIG_EAX], -1 ; no syscall to restart
    mov [esp + PT_GS], ecx
    mov ecx, __KERNEL_DS
    mov ds, ecx
    mov es, ecx
    mov eax, esp                    ; pt_regs pointer
    mov ecx, edi
    out KERNEL_GATE_PORT, eax
ret_from_exception:
    jmp restore_all

%macro SAVE_ALL 0
    cld
    push gs
    push fs
    push es
    push ds
    push eax
    push ebp
    push edi
    push esi
    push edx
    push ecx
    push ebx
    mov edx, __KERNEL_DS
    mov ds, edx
    mov es, edx
%endmacro

; ---- device interrupts: orig_eax = ~vector ----
common_interrupt:
    SAVE_ALL
    mov eax, esp
    mov ecx, [esp + PT_ORIG_EAX]
    not ecx                         ; the vector
    xor edx, edx
    out KERNEL_GATE_PORT, eax       ; do_IRQ(regs)
ret_from_intr:
    jmp restore_all

; ---- int 0x80: orig_eax = system call number; the handler writes the result to PT_EAX ----
system_call:
    SAVE_ALL
    mov eax, esp
    mov ecx, SYSCALL_VECTOR
    xor edx, edx
    out KERNEL_GATE_PORT, eax
syscall_exit:

restore_all:                        ; RESTORE_ALL
    pop ebx
    pop ecx
    pop edx
    pop esi
    pop edi
    pop ebp
    pop eax
    pop ds
    pop es
    pop fs
    pop gs
    add esp, 4                      ; orig_eax
    iretd

; ---- the idle loop: wait for the next interrupt with interrupts enabled ----
default_idle:
    sti
    hlt
    jmp default_idle

; ---- load the GDT, IDT, segments and TR; ebx points at { gdt_descr (6), pad (2), idt_descr (6) } ----
load_descriptors:
    lgdt [ebx]
    lidt [ebx + 8]
    call .here
.here:
    pop eax
    add eax, .reload - .here
    push dword __KERNEL_CS
    push eax
    retf                            ; reload CS from the new GDT
.reload:
    mov eax, __KERNEL_DS
    mov ss, eax
    mov ds, eax
    mov es, eax
    mov eax, __KERNEL_PERCPU
    mov fs, eax
    xor eax, eax
    mov gs, eax
    mov eax, __KERNEL_TSS
    ltr ax
    xor eax, eax
    lldt ax
    ret
