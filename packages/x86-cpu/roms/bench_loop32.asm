; bench_loop32.asm — benchmark (a): a tight 32-bit register loop in flat protected mode.
; 10,000,000 iterations of 5 instructions; POST 0x10 marks the start, POST 0x11 the end.
%define ROM_NAME 'bench_loop32'
%include "lib/rom.inc"

ITERATIONS equ 10_000_000

bits 16
real_mode_tests:
  ret

bits 32
main32:
  mov al, 0x10
  out POST_PORT, al
  mov ecx, ITERATIONS
  xor eax, eax
  mov ebx, 1
  xor edx, edx
align 16
.loop:
  add eax, ebx
  xor edx, eax
  inc ebx
  dec ecx
  jnz .loop
  mov al, 0x11
  out POST_PORT, al
  jmp pass

align 8
gdt_template:
  STD_GDT
gdt_end:

%include "lib/reset.inc"
