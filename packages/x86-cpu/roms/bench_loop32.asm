; bench_loop32.asm — benchmark (a): a tight 32-bit register loop in flat protected mode.
; 10,000,000 iterations of 5 instructions, repeated [0x7F00] times (0 means once; the benchmark
; sets it so a run lasts long enough for a JIT to warm up); POST 0x10 marks the start, 0x11 the end.
%define ROM_NAME 'bench_loop32'
%include "lib/rom.inc"

ITERATIONS equ 10_000_000
REPEAT     equ 0x7F00

bits 16
real_mode_tests:
  ret

bits 32
main32:
  mov ebp, [REPEAT]
  test ebp, ebp
  jnz .go
  inc ebp
.go:
  mov al, 0x10
  out POST_PORT, al
  xor eax, eax
  mov ebx, 1
  xor edx, edx
.repeat:
  mov ecx, ITERATIONS
align 16
.loop:
  add eax, ebx
  xor edx, eax
  inc ebx
  dec ecx
  jnz .loop
  dec ebp
  jnz .repeat
  mov al, 0x11
  out POST_PORT, al
  jmp pass

align 8
gdt_template:
  STD_GDT
gdt_end:

%include "lib/reset.inc"
