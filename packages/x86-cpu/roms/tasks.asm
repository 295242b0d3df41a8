; tasks.asm — hardware task switching (Intel 386 manual, chapter 7 "Multitasking"): JMP and CALL to a
; TSS descriptor, a task gate in the GDT and in the IDT, IRET with NT back through the back link,
; the busy bits, CR0.TS, state saved into the outgoing TSS, the incoming LDT, #GP for a busy TSS,
; #TS for an IRET whose back link is not busy, and an exception handled by a task with its error code.
%define ROM_NAME 'tasks'
%include "lib/rom.inc"

TSS1_BASE equ 0x4000
TSS2_BASE equ 0x4100
TSS3_BASE equ 0x4200
LDT1_BASE equ 0x4400
SEL_TSS1  equ 0x40
SEL_TSS2  equ 0x48
SEL_TGATE equ 0x50
SEL_LDT1  equ 0x58
SEL_TSS3  equ 0x60

; variables written by the tasks
a_eax    equ scratch + 0x00
a_ldt    equ scratch + 0x04
a_tr     equ scratch + 0x08
a_val    equ scratch + 0x0C
a_eflags equ scratch + 0x10
b_eflags equ scratch + 0x14
b_link   equ scratch + 0x18
b_busy0  equ scratch + 0x1C
b_count  equ scratch + 0x20
c_error  equ scratch + 0x24
c_link   equ scratch + 0x28

bits 16
real_mode_tests:
  ret

bits 32
; init_tss: edi = TSS base, eax = EIP, ebx = ESP, edx = LDT selector
init_tss:
  push edi
  push eax
  push ecx
  xor eax, eax
  mov ecx, 0x68 / 4
  rep stosd
  pop ecx
  pop eax
  pop edi
  mov [edi + 0x20], eax
  mov dword [edi + 0x24], 0x2
  mov [edi + 0x38], ebx
  mov dword [edi + 0x4C], SEL_CODE32
  mov dword [edi + 0x48], SEL_DATA32
  mov dword [edi + 0x50], SEL_DATA32
  mov dword [edi + 0x54], SEL_DATA32
  mov dword [edi + 0x58], SEL_DATA32
  mov dword [edi + 0x5C], SEL_DATA32
  mov [edi + 0x60], edx
  mov word [edi + 0x66], 0x68
  ret

main32:
  call setup_tss
  mov edi, TSS1_BASE
  mov eax, task_a
  mov ebx, 0x6800
  mov edx, SEL_LDT1
  call init_tss
  mov dword [TSS1_BASE + 0x28], 0x11111111
  mov edi, TSS2_BASE
  mov eax, task_b
  mov ebx, 0x6A00
  xor edx, edx
  call init_tss
  mov edi, TSS3_BASE
  mov eax, task_c
  mov ebx, 0x6C00
  xor edx, edx
  call init_tss
  ; task 1's LDT: entry 0 (selector 0x04) is data at 0x20000
  mov dword [LDT1_BASE], 0x0000FFFF
  mov dword [LDT1_BASE + 4], 0x00009202
  mov dword [0x20010], 0x12345678
  ; int 0x50: task gate to TSS2
  mov dword [IDT_BASE + 0x50 * 8], SEL_TSS2 << 16
  mov dword [IDT_BASE + 0x50 * 8 + 4], 0x8500

  CHECK 1                               ; JMP to a TSS: the new task's registers, LDT, TR; busy bits
  mov esi, 0x5A5A5A5A
  jmp SEL_TSS1:0
back1:
  EXPECT esi, 0x5A5A5A5A                ; our registers came back from TSS0
  EXPECT {dword [a_eax]}, 0x11111111
  EXPECT {dword [a_ldt]}, SEL_LDT1
  EXPECT {dword [a_tr]}, SEL_TSS1
  EXPECT {dword [a_val]}, 0x12345678
  mov eax, [a_eflags]
  and eax, 0x4000
  EXPECT eax, 0                         ; JMP does not set NT
  movzx eax, byte [GDT_BASE + SEL_TSS1 + 5]
  EXPECT eax, 0x89                      ; JMP away cleared task A's busy bit
  movzx eax, byte [GDT_BASE + SEL_TSS + 5]
  EXPECT eax, 0x8B
  EXPECT {dword [TSS1_BASE + 0x20]}, a_resume   ; task A's EIP was saved at its JMP
  str ax
  movzx eax, ax
  EXPECT eax, SEL_TSS
  mov eax, cr0
  and eax, 8
  EXPECT eax, 8                         ; a task switch sets CR0.TS
  clts

  CHECK 2                               ; CALL to a TSS nests: NT, back link, both busy; IRET returns
  mov dword [b_count], 0
  call SEL_TSS2:0
  EXPECT {dword [b_count]}, 1
  mov eax, [b_eflags]
  and eax, 0x4000
  EXPECT eax, 0x4000
  EXPECT {dword [b_link]}, SEL_TSS
  EXPECT {dword [b_busy0]}, 0x8B
  movzx eax, byte [GDT_BASE + SEL_TSS2 + 5]
  EXPECT eax, 0x89
  pushfd
  pop eax
  and eax, 0x4000
  EXPECT eax, 0

  CHECK 3                               ; a task gate in the GDT
  call SEL_TGATE:0
  EXPECT {dword [b_count]}, 2

  CHECK 4                               ; a task gate in the IDT (INT 0x50)
  int 0x50
  EXPECT {dword [b_count]}, 3
  mov eax, [b_eflags]
  and eax, 0x4000
  EXPECT eax, 0x4000

  CHECK 5                               ; JMP or CALL to a busy TSS: #GP(selector)
  FAULT 13, SEL_TSS, {jmp SEL_TSS:0}
  FAULT 13, SEL_TSS, {call SEL_TSS:0}

  CHECK 6                               ; IRET with NT=1 and a back link that is not busy: #TS(back link)
  mov word [TSS_BASE], SEL_TSS1
  pushfd
  or dword [esp], 0x4000
  popfd
  FAULT 10, SEL_TSS1, {iret}
  pushfd
  and dword [esp], ~0x4000
  popfd

  CHECK 7                               ; #GP through a task gate: the handler task gets the error code
  mov dword [IDT_BASE + 13 * 8], SEL_TSS3 << 16
  mov dword [IDT_BASE + 13 * 8 + 4], 0x8500
  mov cx, 0x400
  mov ds, cx                            ; #GP(0x400) -> task C, which skips this instruction
  mov eax, 13 * 16 + exc_stubs          ; restore the #GP interrupt gate
  mov ebx, 13
  mov edx, ACC_INTGATE
  call set_gate
  EXPECT {dword [c_error]}, 0x400
  EXPECT {dword [c_link]}, SEL_TSS

  jmp pass

; ---- task A: reached by JMP ----------------------------------------------------------------
task_a:
  mov [a_eax], eax
  xor eax, eax
  sldt ax
  mov [a_ldt], eax
  str ax
  mov [a_tr], eax
  mov ax, 0x04
  mov fs, ax
  mov eax, [fs:0x10]
  mov [a_val], eax
  pushfd
  pop dword [a_eflags]
  xor esi, esi
  jmp SEL_TSS:0
a_resume:
  jmp task_a

; ---- task B: reached by CALL, task gates and INT; returns with IRET -------------------------------
task_b:
  pushfd
  pop dword [b_eflags]
  movzx eax, word [TSS2_BASE]
  mov [b_link], eax
  movzx eax, byte [GDT_BASE + SEL_TSS + 5]
  mov [b_busy0], eax
  inc dword [b_count]
  iret
  jmp task_b

; ---- task C: #GP handler task -------------------------------------------------------------------
task_c:
  pop eax
  mov [c_error], eax
  movzx eax, word [TSS3_BASE]
  mov [c_link], eax
  add dword [TSS_BASE + 0x20], 2        ; skip the 2-byte MOV DS, CX that faulted
  iret
  jmp task_c

align 8
gdt_template:
  STD_GDT
  DESC TSS1_BASE, 0x67, ACC_TSS, 0                 ; 0x40
  DESC TSS2_BASE, 0x67, ACC_TSS, 0                 ; 0x48
  GATE SEL_TSS2, 0, ACC_TASKGATE, 0                ; 0x50 task gate to TSS2
  DESC LDT1_BASE, 0x07, ACC_LDT, 0                 ; 0x58
  DESC TSS3_BASE, 0x67, ACC_TSS, 0                 ; 0x60
gdt_end:

%include "lib/reset.inc"
