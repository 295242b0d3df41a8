; dfault.asm — double fault and shutdown (Intel 386 manual, 9.8.8 and table 9-3): a contributory fault
; raised while delivering a contributory fault becomes #DF with error code 0; a single not-present gate
; is just #NP with the IDT error-code format; a gate beyond the IDT limit is #GP; and a fault while
; delivering #DF shuts the processor down; a #PF while delivering #PF is a #DF too (handled here by a
; task gate, so it gets a good stack); (a triple fault, which the PC turns into a reset). This ROM
; ends with the triple fault on purpose: POST 0xFE and "PASS dfault: ..." mean every check before it
; passed, and the runner reports the triple fault.
%define ROM_NAME 'dfault'
%include "lib/rom.inc"

TSS_DF    equ 0x4000
SEL_TSSDF equ 0x40
PD        equ 0x10000
PT0       equ 0x11000
df_error     equ scratch + 0x10
df_cr2       equ scratch + 0x14
df_link      equ scratch + 0x18
df_eflags_nt equ scratch + 0x1C

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

  CHECK 6                               ; #PF while delivering #PF (stack page missing) = #DF, taken by a task
  call setup_tss
  mov edi, TSS_DF
  xor eax, eax
  mov ecx, 0x68 / 4
  rep stosd
  mov dword [TSS_DF + 0x1C], PD          ; CR3
  mov dword [TSS_BASE + 0x1C], PD        ; (a task switch does not save CR3 in the outgoing TSS)
  mov dword [TSS_DF + 0x20], df_task     ; EIP
  mov dword [TSS_DF + 0x24], 0x2         ; EFLAGS
  mov dword [TSS_DF + 0x38], 0x6C00      ; ESP
  mov dword [TSS_DF + 0x4C], SEL_CODE32
  mov dword [TSS_DF + 0x48], SEL_DATA32
  mov dword [TSS_DF + 0x50], SEL_DATA32
  mov dword [TSS_DF + 0x54], SEL_DATA32
  mov dword [TSS_DF + 0x58], SEL_DATA32
  mov dword [TSS_DF + 0x5C], SEL_DATA32
  mov word [TSS_DF + 0x66], 0x68
  mov dword [IDT_BASE + 8 * 8], SEL_TSSDF << 16   ; #DF: task gate
  mov dword [IDT_BASE + 8 * 8 + 4], 0x8500
  mov edi, PD
  xor eax, eax
  mov ecx, 1024
  rep stosd
  mov dword [PD], PT0 | 3
  mov edi, PT0
  mov eax, 3
.map:
  stosd
  add eax, 0x1000
  cmp edi, PT0 + 4096
  jb .map
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  jmp .paged
.paged:
  mov dword [PT0 + 8 * 4], 0             ; the stack page 0x8000 disappears
  invlpg [0x8000]
  mov eax, [0x500000]                    ; #PF -> pushing its frame faults -> #DF -> df_task
df_back:
  mov eax, cr0
  and eax, 0x7FFFFFFF
  mov cr0, eax
  jmp .unpaged
.unpaged:
  EXPECT {dword [df_error]}, 0
  mov eax, [df_cr2]
  and eax, ~0xFFF
  EXPECT eax, 0x8000
  EXPECT {dword [df_link]}, SEL_TSS
  EXPECT {dword [df_eflags_nt]}, 0x4000

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

; #DF handler task: records what it got, repairs the stack page and returns to the main task at df_back.
df_task:
  pop eax
  mov [df_error], eax
  mov eax, cr2
  mov [df_cr2], eax
  movzx eax, word [TSS_DF]
  mov [df_link], eax
  pushfd
  pop eax
  and eax, 0x4000
  mov [df_eflags_nt], eax
  mov dword [PT0 + 8 * 4], 0x8000 | 3
  invlpg [0x8000]
  mov dword [TSS_BASE + 0x20], df_back
  mov dword [TSS_BASE + 0x38], STACK0
  iret
  jmp df_task

msg_done:  db 'PASS dfault: #DF ok, now a triple fault', 10, 0
msg_alive: db 'FAIL dfault: still running after the triple fault', 10, 0

align 8
gdt_template:
  STD_GDT
  DESC TSS_DF, 0x67, ACC_TSS, 0                    ; 0x40 the #DF handler task
gdt_end:

%include "lib/reset.inc"
