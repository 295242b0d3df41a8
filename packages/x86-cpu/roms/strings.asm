; strings.asm — string instructions with 32-bit addressing from 16-bit code (the 0x67 prefix) and
; 16-bit addressing from 32-bit code: REP STOSB / MOVSD / CMPSB / SCASB use ECX, ESI, EDI in full with
; a32 and only CX, SI, DI (wrapping at 64 KiB, upper halves untouched) with a16; DF=1 runs backwards;
; a fault in the middle of a REP leaves the registers at the faulting element (Intel 386 manual,
; chapter 17 on REP and address-size attributes).
%define ROM_NAME 'strings'
%include "lib/rom.inc"

SEL_SMALL equ 0x40
BUF1 equ 0x200000
BUF2 equ 0x300000
BUF3 equ 0x400000

bits 16
real_mode_tests:
  ret

bits 32
main32:
  CHECK 1                               ; a32 REP STOSB in a 16-bit code segment counts with ECX
  mov edi, BUF1
  mov ecx, 0x10010
  mov al, 0xA5
  jmp SEL_CODE16:(code16_stos - $$)
back_stos:
  EXPECT edi, BUF1 + 0x10010
  EXPECT ecx, 0
  movzx eax, byte [BUF1 + 0xFFFF]
  EXPECT eax, 0xA5
  movzx eax, byte [BUF1 + 0x1000F]
  EXPECT eax, 0xA5
  movzx eax, byte [BUF1 + 0x10010]
  EXPECT eax, 0

  CHECK 2                               ; a32 REP MOVSD from 16-bit code
  mov esi, BUF1
  mov edi, BUF2
  mov ecx, 0x4004
  jmp SEL_CODE16:(code16_movs - $$)
back_movs:
  EXPECT esi, BUF1 + 0x10010
  EXPECT edi, BUF2 + 0x10010
  EXPECT ecx, 0
  EXPECT {dword [BUF2 + 0x1000C]}, 0xA5A5A5A5
  EXPECT {dword [BUF2 + 0x10010]}, 0

  CHECK 3                               ; a32 REPE CMPSB stops after the first difference
  mov byte [BUF1 + 0x11234], 0x11
  mov byte [BUF1 + 0x1234], 0x5A
  mov esi, BUF1
  mov edi, BUF2
  mov ecx, 0x10010
  jmp SEL_CODE16:(code16_cmps - $$)
back_cmps:
  pushfd
  EXPECT ecx, 0x10010 - 0x1235
  EXPECT esi, BUF1 + 0x1235
  EXPECT edi, BUF2 + 0x1235
  pop eax
  and eax, 0x41                         ; ZF=0, CF=1 (0x5A - 0xA5 borrows)
  EXPECT eax, 0x01

  CHECK 4                               ; a32 REPNE SCASB finds the first zero past 64 KiB
  mov edi, BUF2
  mov ecx, 0x20000
  xor eax, eax
  jmp SEL_CODE16:(code16_scas - $$)
back_scas:
  pushfd
  EXPECT edi, BUF2 + 0x10011
  EXPECT ecx, 0x20000 - 0x10011
  pop eax
  and eax, 0x40
  EXPECT eax, 0x40

  CHECK 5                               ; 16-bit addressing in 16-bit code wraps SI/DI/CX only
  mov dword [0x5000], 0
  mov word [0xFFFE], 0x2211
  mov word [0x0000], 0x4433
  mov esi, 0x0001FFFE
  mov edi, 0x00015000
  mov ecx, 0x00010002
  jmp SEL_CODE16:(code16_movsw - $$)
back_movsw:
  EXPECT esi, 0x00010002
  EXPECT edi, 0x00015004
  EXPECT ecx, 0x00010000
  EXPECT {dword [0x5000]}, 0x44332211

  CHECK 6                               ; a16 REP STOSB in 32-bit code: DI wraps, upper halves kept
  mov byte [0x0002], 0
  mov edi, 0xABCDFFFE
  mov ecx, 0x12340004
  mov al, 0x77
  a16 rep stosb
  EXPECT edi, 0xABCD0002
  EXPECT ecx, 0x12340000
  movzx eax, byte [0xFFFE]
  EXPECT eax, 0x77
  movzx eax, byte [0x0001]
  EXPECT eax, 0x77
  movzx eax, byte [0x0002]
  EXPECT eax, 0

  CHECK 7                               ; DF=1: an overlapping copy runs backwards
  mov dword [BUF3], 'ABCD'
  mov dword [BUF3 + 4], 'EFGH'
  mov esi, BUF3 + 7
  mov edi, BUF3 + 9
  mov ecx, 8
  std
  rep movsb
  cld
  EXPECT esi, BUF3 - 1
  EXPECT edi, BUF3 + 1
  EXPECT {dword [BUF3 + 2]}, 'ABCD'
  EXPECT {dword [BUF3 + 6]}, 'EFGH'

  CHECK 8                               ; REP with ECX = 0 does nothing
  mov edi, BUF3 + 0x100
  xor ecx, ecx
  mov al, 0xEE
  rep stosb
  EXPECT edi, BUF3 + 0x100
  movzx eax, byte [BUF3 + 0x100]
  EXPECT eax, 0

  CHECK 9                               ; a limit fault inside REP STOSB stops at the faulting byte
  mov ax, SEL_SMALL
  mov es, ax
  mov edi, 0xFF0
  mov ecx, 0x20
  mov al, 0x3C
  mov dword [resume_eip], after9
  mov dword [exc_vector], -1
check9_rep:
  rep stosb
  mov eax, 13
  jmp fail_nofault
after9:
  mov eax, 13
  xor edx, edx
  call expect_exc
  mov ax, SEL_DATA32
  mov es, ax
  EXPECT edi, 0x1000
  EXPECT ecx, 0x10
  EXPECT {dword [exc_eip]}, fault_rep_ip
  movzx eax, byte [BUF3 + 0x1FFF]
  EXPECT eax, 0x3C

  CHECK 10                              ; LODSD / MOVSB with segment override, a32 in 16-bit code
  mov dword [BUF3 + 0x2000], 0xCAFEF00D
  mov esi, BUF3 + 0x2000
  jmp SEL_CODE16:(code16_lods - $$)
back_lods:
  EXPECT eax, 0xCAFEF00D
  EXPECT esi, BUF3 + 0x2004

  jmp pass

fault_rep_ip equ check9_rep

bits 16
code16_stos:
  a32 rep stosb
  jmp dword SEL_CODE32:back_stos
code16_movs:
  a32 rep movsd
  jmp dword SEL_CODE32:back_movs
code16_cmps:
  a32 repe cmpsb
  jmp dword SEL_CODE32:back_cmps
code16_scas:
  a32 repne scasb
  jmp dword SEL_CODE32:back_scas
code16_movsw:
  rep movsw
  jmp dword SEL_CODE32:back_movsw
code16_lods:
  mov ax, SEL_DATA16
  mov ds, ax
  es a32 lodsd                          ; ES is flat; DS only reaches 64 KiB
  mov bx, SEL_DATA32
  mov ds, bx
  jmp dword SEL_CODE32:back_lods

align 8
gdt_template:
  STD_GDT
  DESC BUF3 + 0x1000, 0xFFF, ACC_DATA, 0x4          ; 0x40 4 KiB data segment at BUF3+0x1000
gdt_end:

%include "lib/reset.inc"
