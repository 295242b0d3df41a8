; rings.asm — privilege levels (Intel 386 manual, chapters 6 and 9): IRET to ring 3, interrupt and
; trap gates from ring 3 with the stack switch through TSS.SS0:ESP0, gate DPL checks, call gates with
; parameter copying and RETF back out, conforming code, data registers nulled on the way out, and
; I/O protection: IOPL for CLI/STI and IN/OUT, the TSS I/O permission bitmap, privileged instructions.
%define ROM_NAME 'rings'
%include "lib/rom.inc"

SEL_CALLGATE  equ 0x40
SEL_CGATE0    equ 0x48              ; call gate with DPL 0
SEL_CONFORM   equ 0x50              ; conforming code, DPL 0
SEL_CODE32B   equ 0x58              ; second non-conforming ring-0 code segment

; results written by ring-3 code
R_CS      equ scratch + 0
R_DS      equ scratch + 4
R_VAL     equ scratch + 8
R_VAL2    equ scratch + 12
R_ESP     equ scratch + 16

bits 16
real_mode_tests:
  ret

bits 32
main32:
  call setup_tss
  ; I/O bitmap: allow ports 0x300..0x307 except 0x301
  mov byte [TSS_BASE + 0x68 + 0x300 / 8], 0x02
  ; int 0x40: interrupt gate DPL 3; int 0x41: trap gate DPL 3; int 0x42: interrupt gate DPL 0
  mov ebx, 0x40
  mov eax, int40_handler
  mov edx, ACC_INTGATE | 0x60
  call set_gate
  mov ebx, 0x41
  mov eax, int40_handler
  mov edx, ACC_TRAPGATE | 0x60
  call set_gate
  mov ebx, 0x42
  mov eax, int40_handler
  mov edx, ACC_INTGATE
  call set_gate

  CHECK 1                               ; IRET to ring 3, and back through a DPL-3 gate
  mov eax, user_cs
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [R_CS]}, SEL_CODE32_R3
  EXPECT {dword [R_ESP]}, USER_STACK

  CHECK 2                               ; an interrupt gate from ring 3 switches to SS0:ESP0, clears IF
  mov dword [R_VAL], 0
  mov eax, user_int40
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [int_cs]}, SEL_CODE32
  EXPECT {dword [int_esp]}, TSS_ESP0 - 20
  EXPECT {dword [int_frame + 4]}, SEL_CODE32_R3
  EXPECT {dword [int_frame + 12]}, USER_STACK
  EXPECT {dword [int_frame + 16]}, SEL_DATA32_R3
  mov eax, [int_frame + 8]
  and eax, 0x200
  EXPECT eax, 0x200                     ; the saved EFLAGS has IF=1
  mov eax, [int_eflags]
  and eax, 0x200
  EXPECT eax, 0                         ; inside an interrupt gate IF=0
  EXPECT {dword [R_VAL]}, 0x600D        ; the handler returned to ring 3

  CHECK 3                               ; a trap gate keeps IF
  mov eax, user_int41
  mov ebx, 0x202
  call call_ring3
  mov eax, [int_eflags]
  and eax, 0x200
  EXPECT eax, 0x200

  CHECK 4                               ; INT n through a DPL-0 gate from ring 3: #GP(vector*8+2)
  mov eax, user_int42
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [R_VAL]}, 13
  EXPECT {dword [R_VAL2]}, 0x42 * 8 + 2

  CHECK 5                               ; a call gate with 2 parameters to ring 0 and RETF 8 back
  mov eax, user_callgate
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [gate_cs]}, SEL_CODE32
  EXPECT {dword [gate_frame + 8]}, 0x2222     ; parameters copied in order
  EXPECT {dword [gate_frame + 12]}, 0x1111
  EXPECT {dword [gate_frame + 4]}, SEL_CODE32_R3
  EXPECT {dword [gate_frame + 16]}, USER_STACK - 8
  EXPECT {dword [gate_frame + 20]}, SEL_DATA32_R3
  EXPECT {dword [R_ESP]}, USER_STACK     ; RETF 8 popped the parameters
  EXPECT {dword [R_VAL]}, 0xCA11

  CHECK 6                               ; a DPL-0 call gate and a direct far call to ring 0 fault
  mov eax, user_badcalls
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [R_VAL]}, SEL_CGATE0
  EXPECT {dword [R_VAL2]}, SEL_CODE32B

  CHECK 7                               ; a conforming segment runs at the caller's CPL
  mov eax, user_conform
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [R_CS]}, SEL_CONFORM | 3

  CHECK 8                               ; IRET to ring 3 nulls data registers with DPL < 3
  mov eax, user_readds
  mov ebx, 0x202
  push dword back_check8
  mov [saved_esp], esp                  ; (hand-made call_ring3 that leaves DS at ring 0's selector)
  pushad
  mov [saved_esp], esp
  push dword SEL_DATA32_R3
  push dword USER_STACK
  push ebx
  push dword SEL_CODE32_R3
  push eax
  mov ax, SEL_DATA32
  mov es, ax
  mov fs, ax
  mov gs, ax                            ; DS too (already)
  iret
back_check8:
  EXPECT {dword [R_DS]}, 0

  CHECK 9                               ; IOPL 0 at CPL 3: CLI, and IN/OUT only where the bitmap allows
  mov eax, user_io
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [R_VAL]}, 0x1F           ; one bit per faulting operation, see user_io
  EXPECT {dword [R_VAL2]}, 0xFF          ; IN from an allowed (unmapped) port worked

  CHECK 10                              ; with IOPL 3, CLI/STI and every port are allowed
  mov eax, user_iopl3
  mov ebx, 0x3202
  call call_ring3
  EXPECT {dword [R_VAL]}, 0

  CHECK 11                              ; privileged instructions at CPL 3 raise #GP(0)
  mov eax, user_priv
  mov ebx, 0x3202
  call call_ring3
  EXPECT {dword [R_VAL]}, 0x0F

  CHECK 12                              ; POPF at CPL 3 / IOPL 0 does not change IF or IOPL
  mov eax, user_popf
  mov ebx, 0x0202
  call call_ring3
  mov eax, [R_VAL]
  and eax, 0x3200
  EXPECT eax, 0x0200

  jmp pass

; ---- ring 0 handlers -------------------------------------------------------------------------
int40_handler:
  push eax
  push ds
  mov ax, SEL_DATA32
  mov ds, ax
  mov [int_esp], esp
  add dword [int_esp], 8
  xor eax, eax
  mov ax, cs
  mov [int_cs], eax
  pushfd
  pop dword [int_eflags]
  push esi
  push edi
  push ecx
  lea esi, [esp + 20]
  mov edi, int_frame
  mov ecx, 5
  cld
  push es
  push ds
  pop es
  rep movsd
  pop es
  pop ecx
  pop edi
  pop esi
  pop ds
  pop eax
  iret

gate_target:
  push ds
  push eax
  mov ax, SEL_DATA32
  mov ds, ax
  xor eax, eax
  mov ax, cs
  mov [gate_cs], eax
  mov eax, [esp + 8]
  mov [gate_frame], eax
  mov eax, [esp + 12]
  mov [gate_frame + 4], eax
  mov eax, [esp + 16]
  mov [gate_frame + 8], eax
  mov eax, [esp + 20]
  mov [gate_frame + 12], eax
  mov eax, [esp + 24]
  mov [gate_frame + 16], eax
  mov eax, [esp + 28]
  mov [gate_frame + 20], eax
  pop eax
  pop ds
  retf 8

conform_target:
  xor eax, eax
  mov ax, cs
  retf

; ---- ring 3 code (CPL 3; reports through [scratch]) --------------------------------------------
user_cs:
  xor eax, eax
  mov ax, cs
  mov [R_CS], eax
  mov [R_ESP], esp
  int 0x4F

user_int40:
  int 0x40
  mov dword [R_VAL], 0x600D
  int 0x4F

user_int41:
  int 0x41
  int 0x4F

user_int42:
  mov dword [resume_eip], .after
  int 0x42
.after:
  mov eax, [exc_vector]
  mov [R_VAL], eax
  mov eax, [exc_error]
  mov [R_VAL2], eax
  int 0x4F

user_callgate:
  push dword 0x1111
  push dword 0x2222
  call SEL_CALLGATE | 3:0
  mov [R_ESP], esp
  mov dword [R_VAL], 0xCA11
  int 0x4F

user_badcalls:
  mov dword [resume_eip], .b1
  call SEL_CGATE0 | 3:0
.b1:
  mov eax, [exc_error]
  mov [R_VAL], eax
  mov dword [resume_eip], .b2
  call SEL_CODE32B:gate_target
.b2:
  mov eax, [exc_error]
  mov [R_VAL2], eax
  int 0x4F

user_conform:
  call SEL_CONFORM | 3:conform_target
  mov [R_CS], eax
  int 0x4F

user_readds:
  xor eax, eax
  mov ax, ds
  mov [ss:R_DS], eax
  mov ax, SEL_DATA32_R3
  mov ds, ax
  int 0x4F

; user_io: bit 0 CLI faulted, bit 1 IN 0x301 faulted, bit 2 IN AX,0x300 (covers 0x301) faulted,
; bit 3 OUT 0x400 (past the bitmap) faulted, bit 4 STI faulted
%macro USER_TRY 2
  mov dword [resume_eip], %%f
  %2
  jmp %%n
%%f:
  or dword [R_VAL], %1
%%n:
%endmacro

user_io:
  mov dword [R_VAL], 0
  USER_TRY 1, {cli}
  mov dx, 0x301
  USER_TRY 2, {in al, dx}
  mov dx, 0x300
  USER_TRY 4, {in ax, dx}
  mov dx, 0x400
  USER_TRY 8, {out dx, al}
  USER_TRY 16, {sti}
  mov dx, 0x300
  in al, dx
  movzx eax, al
  mov [R_VAL2], eax
  mov dx, 0x302
  in ax, dx
  int 0x4F

user_iopl3:
  mov dword [R_VAL], 0
  USER_TRY 1, {cli}
  mov dx, 0x301
  USER_TRY 2, {in al, dx}
  mov dx, 0x400
  USER_TRY 4, {out dx, al}
  USER_TRY 8, {sti}
  int 0x4F

user_priv:
  mov dword [R_VAL], 0
  USER_TRY 1, {hlt}
  USER_TRY 2, {mov eax, cr0}
  USER_TRY 4, {lgdt [scratch + 0x20]}
  USER_TRY 8, {mov cr3, eax}
  int 0x4F

user_popf:
  pushfd
  pop eax
  and eax, ~0x200
  or eax, 0x3000
  push eax
  popfd
  pushfd
  pop dword [R_VAL]
  int 0x4F

; ring-0 variables
int_cs     equ scratch + 0x40
int_esp    equ scratch + 0x44
int_eflags equ scratch + 0x48
int_frame  equ scratch + 0x50           ; 5 dwords
gate_cs    equ scratch + 0x70
gate_frame equ scratch + 0x80           ; 6 dwords

align 8
gdt_template:
  STD_GDT
  GATE SEL_CODE32, ABS(gate_target), ACC_CALLGATE | 0x60, 2       ; 0x40 call gate DPL 3, 2 dwords
  GATE SEL_CODE32, ABS(gate_target), ACC_CALLGATE, 2              ; 0x48 call gate DPL 0
  DESC 0, 0xFFFFF, 0x9E, FL_32                                    ; 0x50 conforming code DPL 0
  DESC 0, 0xFFFFF, ACC_CODE, FL_32                                ; 0x58 ring-0 code
gdt_end:

%include "lib/reset.inc"
