; bench_loop16.asm — benchmark (c): a 16-bit register loop in real mode.
; 160 x 65535 iterations of 5 instructions (plus the outer loop), repeated [0x7F00] times (0 means
; once); POST 0x10 start, POST 0x11 end.
%define ROM_NAME 'bench_loop16'
%include "lib/rom.inc"

bits 16
real_mode_tests:
  mov ebp, [0x7F00]
  test ebp, ebp
  jnz .go
  inc ebp
.go:
  mov al, 0x10
  out POST_PORT, al
  xor ax, ax
  mov bx, 1
  xor dx, dx
.repeat:
  mov si, 160
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
  dec ebp
  jnz .repeat
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
