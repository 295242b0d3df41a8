; pmode.asm — real mode to protected mode, segment loads and their faults (Intel 386 manual,
; chapter 6 "Protection", and the MOV/POP Sreg pseudo-code): limits, expand-down segments, not-present
; (#NP / #SS), type and privilege checks (#GP with the selector as error code), the null selector,
; the LDT, the accessed bit, #SS(0) for a stack-segment limit violation, LAR/LSL/VERR/VERW, and the
; way back to real mode (segment caches keep their limits: "unreal mode").
%define ROM_NAME 'pmode'
%include "lib/rom.inc"

LDT_BASE equ 0x4000
DATA_BASE equ 0x20000

SEL_BASED   equ 0x40
SEL_EXPDOWN equ 0x48
SEL_NP      equ 0x50
SEL_RO      equ 0x58
SEL_XONLY   equ 0x60
SEL_RCODE   equ 0x68
SEL_LDT     equ 0x70
SEL_SMALLSS equ 0x78
SEL_DPL3    equ 0x80

bits 16
real_mode_tests:
  ; real-mode segmentation: 0x2000:0x0020 is linear 0x20020
  mov ax, 0x2000
  mov ds, ax
  mov word [0x0020], 0xBEEF
  xor ax, ax
  mov ds, ax
  ret

bits 32
main32:
  CHECK 1                               ; we are in protected mode with CS = 0x08, 32-bit code
  mov eax, cr0
  and eax, 1
  EXPECT eax, 1
  xor eax, eax
  mov ax, cs
  EXPECT eax, SEL_CODE32
  mov eax, 0x11223344
  EXPECT eax, 0x11223344                ; a 32-bit immediate decoded as such
  movzx eax, word [DATA_BASE + 0x20]
  EXPECT eax, 0xBEEF                    ; written in real mode through DS=0x2000

  CHECK 2                               ; a segment with a base; the accessed bit gets set
  and byte [GDT_BASE + SEL_BASED + 5], 0xFE
  mov dword [DATA_BASE + 0x10], 0x12345678
  mov ax, SEL_BASED
  mov es, ax
  EXPECT {dword [es:0x10]}, 0x12345678
  movzx eax, byte [GDT_BASE + SEL_BASED + 5]
  EXPECT eax, ACC_DATA | 1

  CHECK 3                               ; limit checks: last byte, straddling, one past
  EXPECT {dword [es:0xFFC]}, 0
  FAULT 13, 0, {mov eax, [es:0x1000]}
  FAULT 13, 0, {mov eax, [es:0xFFE]}
  FAULT 13, 0, {mov byte [es:0x1000], 1}

  CHECK 4                               ; expand-down: offsets at or below the limit fault
  mov ax, SEL_EXPDOWN
  mov es, ax
  FAULT 13, 0, {mov eax, [es:0x800]}
  FAULT 13, 0, {mov eax, [es:0xFFF]}
  mov eax, [es:0x1000]
  mov eax, [es:0x20000]

  CHECK 5                               ; selector past the GDT limit
  mov cx, 0x400
  FAULT 13, 0x400, {mov ds, cx}
  mov cx, 0x403
  FAULT 13, 0x400, {mov es, cx}

  CHECK 6                               ; not present: #NP for data registers, #SS for SS
  mov cx, SEL_NP
  FAULT 11, SEL_NP, {mov ds, cx}
  FAULT 11, SEL_NP, {mov fs, cx}
  FAULT 12, SEL_NP, {mov ss, cx}

  CHECK 7                               ; SS must be a writable data segment with DPL = CPL, not null
  mov cx, SEL_RO
  FAULT 13, SEL_RO, {mov ss, cx}
  mov cx, SEL_DPL3
  FAULT 13, SEL_DPL3, {mov ss, cx}
  mov cx, SEL_CODE32
  FAULT 13, SEL_CODE32, {mov ss, cx}
  xor ecx, ecx
  FAULT 13, 0, {mov ss, cx}
  mov cx, SEL_DATA32 | 3
  FAULT 13, SEL_DATA32, {mov ss, cx}

  CHECK 8                               ; code segments in data registers: execute-only faults, readable loads
  mov cx, SEL_XONLY
  FAULT 13, SEL_XONLY, {mov gs, cx}
  mov cx, SEL_RCODE
  mov gs, cx
  EXPECT {dword [gs:ABS(magic)]}, 0xC0DEC0DE
  FAULT 13, 0, {mov byte [gs:0x100], 1}

  CHECK 9                               ; system descriptors cannot be loaded into data registers
  mov cx, SEL_LDT
  FAULT 13, SEL_LDT, {mov es, cx}
  mov cx, SEL_TSS
  FAULT 13, SEL_TSS, {mov fs, cx}

  CHECK 10                              ; privilege: RPL or CPL above a data segment's DPL faults
  mov cx, SEL_DATA32 | 3
  FAULT 13, SEL_DATA32, {mov es, cx}
  mov cx, SEL_DPL3
  mov es, cx
  mov cx, SEL_DPL3 | 3
  mov es, cx

  CHECK 11                              ; the null selector loads, but using it faults
  xor ecx, ecx
  mov es, cx
  FAULT 13, 0, {mov eax, [es:0]}
  FAULT 13, 0, {mov dword [es:0x1234], 0}

  CHECK 12                              ; the LDT: TI=1 selectors, limit checks, LLDT/SLDT
  mov ax, SEL_DATA32
  mov es, ax
  mov esi, ldt_template
  mov edi, LDT_BASE
  mov ecx, ldt_end - ldt_template
  rep movsb
  mov ax, SEL_LDT
  lldt ax
  sldt ax
  movzx eax, ax
  EXPECT eax, SEL_LDT
  mov cx, 0x0C                          ; LDT entry 1, RPL 0
  mov es, cx
  EXPECT {dword [es:0x10]}, 0x12345678
  mov cx, 0x1C                          ; LDT entry 3: past the LDT limit
  FAULT 13, 0x1C, {mov es, cx}
  mov cx, SEL_DATA32
  FAULT 13, SEL_DATA32, {lldt cx}       ; LLDT needs an LDT descriptor

  CHECK 13                              ; a reference beyond the stack segment's limit is #SS(0)
  mov [scratch], esp
  mov ax, SEL_SMALLSS
  mov ss, ax
  mov esp, 0x800
  mov ebp, 0x1000
  FAULT 12, 0, {mov eax, [ebp]}
  mov ebp, 0xFFC
  mov eax, [ebp]
  mov ax, SEL_DATA32
  mov ss, ax
  mov esp, [scratch]

  CHECK 14                              ; segment registers keep their value when a load faults
  mov ax, SEL_BASED
  mov es, ax
  mov cx, SEL_NP
  FAULT 11, SEL_NP, {mov es, cx}
  xor eax, eax
  mov ax, es
  EXPECT eax, SEL_BASED
  EXPECT {dword [es:0x10]}, 0x12345678

  CHECK 15                              ; LAR / LSL / VERR / VERW report what the loads check
  mov cx, SEL_BASED
  lsl eax, ecx
  EXPECT eax, 0xFFF
  mov cx, SEL_XONLY
  verr cx
  setz al
  movzx eax, al
  EXPECT eax, 0
  mov cx, SEL_RCODE
  verr cx
  setz al
  movzx eax, al
  EXPECT eax, 1
  verw cx
  setz al
  movzx eax, al
  EXPECT eax, 0
  mov cx, SEL_DATA32
  lar eax, ecx
  and eax, 0x00F0FF00
  EXPECT eax, 0x00C09300

  CHECK 16                              ; back to real mode through a 16-bit segment: FS keeps its
  mov dword [0x200000], 0xFACEB00C      ; 4 GiB limit ("unreal mode"), real-mode loads work again
  mov dword [scratch], 0
  mov ax, SEL_DATA32
  mov fs, ax
  mov ax, SEL_DATA16
  mov ds, ax
  mov es, ax
  mov ss, ax
  jmp SEL_CODE16:(to_real16 - $$)
back_to_pm:
  mov ax, SEL_DATA32
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov fs, ax
  mov gs, ax
  EXPECT {dword [scratch]}, 0xFACEB00C
  EXPECT {dword [scratch + 4]}, 0x12345678
  EXPECT {dword [scratch + 8]}, 0xF000

  jmp pass

bits 16
to_real16:
  mov eax, cr0
  and eax, ~1
  mov cr0, eax
  jmp 0xF000:(real_again - $$)
real_again:
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov eax, [fs:dword 0x200000]
  mov [scratch], eax
  mov ax, DATA_BASE >> 4
  mov es, ax
  mov eax, [es:0x10]
  mov [scratch + 4], eax
  mov ax, cs
  movzx eax, ax
  mov [scratch + 8], eax
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp dword SEL_CODE32:back_to_pm
bits 32

magic: dd 0xC0DEC0DE

ldt_template:
  dq 0
  DESC DATA_BASE, 0xFFFF, ACC_DATA, FL_16          ; 0x0C
  dq 0
ldt_end:

align 8
gdt_template:
  STD_GDT
  DESC DATA_BASE, 0xFFF, ACC_DATA, FL_16           ; 0x40 based data, byte-granular limit 0xFFF
  DESC 0, 0xFFF, 0x96, 0x4                         ; 0x48 expand-down, B=1: valid 0x1000..0xFFFFFFFF
  DESC 0, 0xFFFFF, 0x12, FL_32                     ; 0x50 writable data, not present
  DESC 0, 0xFFFFF, 0x90, FL_32                     ; 0x58 read-only data
  DESC 0, 0xFFFFF, 0x98, FL_32                     ; 0x60 execute-only code
  DESC 0, 0xFFFFF, ACC_CODE, FL_32                 ; 0x68 readable code
  DESC LDT_BASE, 0x17, ACC_LDT, 0                  ; 0x70 LDT (3 entries)
  DESC 0x30000, 0xFFF, ACC_DATA, 0x4               ; 0x78 small 32-bit stack segment
  DESC 0, 0xFFFFF, ACC_DATA | 0x60, FL_32          ; 0x80 DPL 3 data
gdt_end:

%include "lib/reset.inc"
