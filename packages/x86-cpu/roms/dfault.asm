; dfault.asm — double fault and shutdown (Intel 386 manual, 9.8.8 and table 9-3): a contributory fault
; raised while delivering a contributory fault becomes #DF with error code 0; a single not-present gate
; is just #NP with the IDT error-code format; a gate beyond the IDT limit is #GP; and a fault while
; delivering #DF shuts the processor down (a triple fault, which the PC turns into a reset). This ROM
; ends with the triple fault on purpose: POST 0xFE and "PASS dfault: ..." mean every check before it
; passed, and the runner reports the triple fault.
%define ROM_NAME 'dfault'
%include "lib/rom.inc"

bits 16
real_mode_tests:
  ret

bits 32
main32:
  CHECK 1                               ; INT n: an invalid gate type is #GP(n*8+2), not present #NP(n*8+2)
  FAULT 13, 0x60 * 8 + 2, {int 0x60}
  mov ebx, 0x60
  mov eax, exc_stubs
  mov edx, ACC_INTGATE & 0x7F
  call set_gate
  mov ebx, 0x61
  call set_gate
  FAULT 11, 0x60 * 8 + 2, {int 0x60}

  CHECK 2                               ; INT n beyond the IDT limit: #GP(n*8+2)
  sidt [scratch]
  mov word [scratch], 0x30 * 8 - 1
  lidt [scratch]
  FAULT 13, 0x31 * 8 + 2, {int 0x31}
  mov word [scratch], 256 * 8 - 1
  lidt [scratch]

  CHECK 3                               ; #GP whose gate is not present: #NP during #GP delivery = #DF(0)
  and byte [IDT_BASE + 13 * 8 + 5], 0x7F
  mov cx, 0x400
  FAULT 8, 0, {mov ds, cx}
  or byte [IDT_BASE + 13 * 8 + 5], 0x80

  CHECK 4                               ; #NP during #NP delivery is also a double fault
  and byte [IDT_BASE + 11 * 8 + 5], 0x7F
  FAULT 8, 0, {int 0x61}
  or byte [IDT_BASE + 11 * 8 + 5], 0x80

  CHECK 5                               ; a lone contributory fault is delivered normally (#DE)
  xor edx, edx
  mov eax, 1
  xor ecx, ecx
  FAULT 0, -1, {div ecx}

  ; Shutdown: no #GP, #NP or #DF gate. The next fault cannot be delivered at all.
  mov esi, msg_done
  call print_str
  mov al, 0xFE
  out POST_PORT, al
  and byte [IDT_BASE + 13 * 8 + 5], 0x7F
  and byte [IDT_BASE + 11 * 8 + 5], 0x7F
  and byte [IDT_BASE + 8 * 8 + 5], 0x7F
  mov cx, 0x400
  mov ds, cx
  ; not reached
  mov esi, msg_alive
  call print_str
  cli
  hlt

msg_done:  db 'PASS dfault: #DF ok, now a triple fault', 10, 0
msg_alive: db 'FAIL dfault: still running after the triple fault', 10, 0

align 8
gdt_template:
  STD_GDT
gdt_end:

%include "lib/reset.inc"
