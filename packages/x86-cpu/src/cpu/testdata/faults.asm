; Exception escalation in 32-bit protected mode, loaded at 0000:7C00. Step 1: a #GP whose handler
; is not present (#NP while delivering #GP) becomes #DF; the #DF handler prints 'D'. Step 2: the
; test then makes #DF's gate not present too, so the next fault is a triple fault (the CPU resets).
bits 16
org 0x7c00
  cli
  xor ax, ax
  mov ds, ax
  lgdt [gdtr]
  lidt [idtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp 0x08:pm32
bits 32
pm32:
  mov ax, 0x10
  mov ds, ax
  mov ss, ax
  mov esp, 0x70000
  mov ax, 0x18                      ; not a data segment: #GP(0x18)
  mov es, ax
  hlt
df_handler:
  mov al, 'D'
  out 0xe9, al
  pop eax                           ; #DF error code (0)
  add al, '0'
  out 0xe9, al
  mov byte [idt + 8 * 8 + 5], 0x0e  ; #DF gate: not present
  mov ax, 0x18
  mov es, ax                        ; #GP -> #NP -> #DF -> #NP: triple fault
  hlt
align 8
gdt:
  dq 0
  dq 0x00cf9a000000ffff
  dq 0x00cf92000000ffff
  dq 0x0000890000000067             ; 0x18: a TSS descriptor
gdt_end:
gdtr:
  dw gdt_end - gdt - 1
  dd gdt
idtr:
  dw 32 * 8 - 1
  dd idt
align 8
idt:
%assign v 0
%rep 32
%if v == 8
  dw df_handler, 0x08, 0x8e00, 0
%elif v == 13
  dw df_handler, 0x08, 0x0e00, 0    ; not present
%else
  dw 0, 0x08, 0x0e00, 0
%endif
%assign v v+1
%endrep
