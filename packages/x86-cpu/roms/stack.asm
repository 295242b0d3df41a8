; stack.asm — the stack-address size comes from SS.B (Intel 386 manual, 17.1 and the PUSH/POP/PUSHA
; pseudo-code): with a 16-bit stack segment, 32-bit pushes and pops move SP only (wrapping at 64 KiB)
; and leave ESP's upper half alone; PUSHAD stores the full original ESP; POP SS updates SP with the
; size of the stack it popped from, not the size of the new SS.
%define ROM_NAME 'stack'
%include "lib/rom.inc"

SEL_STACK16 equ 0x40                    ; 16-bit (B=0) stack, base 0x20000, limit 0xFFFF
SEL_STACK32 equ 0x48                    ; 32-bit (B=1) stack, base 0x20000, limit 4 GiB
STACK_BASE  equ 0x20000

bits 16
real_mode_tests:
  ret

bits 32
main32:
  mov [saved_esp], esp

  CHECK 1                               ; PUSH/POP dword on a 16-bit stack: SP wraps, ESP[31:16] kept
  mov ax, SEL_STACK16
  mov ss, ax
  mov esp, 0x12340000
  push dword 0xAABBCCDD
  mov ebx, esp
  pop ecx
  mov edi, esp
  mov ax, SEL_DATA32
  mov ss, ax
  mov esp, [saved_esp]
  EXPECT ebx, 0x1234FFFC
  EXPECT ecx, 0xAABBCCDD
  EXPECT edi, 0x12340000
  EXPECT {dword [STACK_BASE + 0xFFFC]}, 0xAABBCCDD

  CHECK 2                               ; PUSHAD on a 16-bit stack stores the whole original ESP
  mov ax, SEL_STACK16
  mov ss, ax
  mov esp, 0x00020000
  mov eax, 0x11111111
  mov ebp, 0x55555555
  pushad
  mov ebx, esp
  mov ax, SEL_DATA32
  mov ss, ax
  mov esp, [saved_esp]
  EXPECT ebx, 0x0002FFE0
  EXPECT {dword [STACK_BASE + 0xFFFC]}, 0x11111111
  EXPECT {dword [STACK_BASE + 0xFFEC]}, 0x00020000
  EXPECT {dword [STACK_BASE + 0xFFE8]}, 0x55555555

  CHECK 3                               ; POP SS from a 16-bit stack into a 32-bit SS: SP moves as 16-bit
  mov dword [STACK_BASE + 0xFFFC], SEL_STACK32
  mov ax, SEL_STACK16
  mov ss, ax
  mov esp, 0x0002FFFC
  pop ss
  mov ebx, esp
  xor eax, eax
  mov ax, ss
  mov ecx, eax
  mov ax, SEL_DATA32
  mov ss, ax
  mov esp, [saved_esp]
  EXPECT ebx, 0x00020000
  EXPECT ecx, SEL_STACK32

  CHECK 4                               ; a 32-bit stack with the same base uses all of ESP
  mov ax, SEL_STACK32
  mov ss, ax
  mov esp, 0x00020000
  push dword 0x600DCAFE
  mov ebx, esp
  mov ax, SEL_DATA32
  mov ss, ax
  mov esp, [saved_esp]
  EXPECT ebx, 0x0001FFFC
  EXPECT {dword [STACK_BASE + 0x1FFFC]}, 0x600DCAFE

  jmp pass

align 8
gdt_template:
  STD_GDT
  DESC STACK_BASE, 0xFFFF, ACC_DATA, FL_16         ; 0x40
  DESC STACK_BASE, 0xFFFFF, ACC_DATA, FL_32        ; 0x48
gdt_end:

%include "lib/reset.inc"
