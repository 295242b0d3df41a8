; bench_loop16.asm — benchmark (c): a 16-bit register loop in real mode.
; 160 x 65535 iterations of 5 instructions (plus the outer loop); POST 0x10 start, POST 0x11 end.
%define ROM_NAME 'bench_loop16'
%include "lib/rom.inc"

bits 16
real_mode_tests:
  mov al, 0x10
  out POST_PORT, al
  mov si, 160
  xor ax, ax
  mov bx, 1
  xor dx, dx
.outer:
  mov cx, 0xFFFF
align 16
.inner:
  add ax, bx
  xor dx, ax
  inc bx
  dec cx
  jnz .inner
  dec si
  jnz .outer
  mov al, 0x11
  out POST_PORT, al
  ret

bits 32
main32:
  jmp pass

align 8
gdt_template:
  STD_GDT
gdt_end:

%include "lib/reset.inc"
