; paging.asm — two-level paging (Intel 386 manual, chapter 5.2 and 9.9.14): #PF error codes and CR2
; for not-present PDEs and PTEs, reads and writes, supervisor writes to read-only pages with and
; without CR0.WP, user accesses to supervisor and read-only pages, instruction fetches and accesses
; that straddle into a missing page; accessed and dirty bits; INVLPG and CR3 reloads; 4 MiB pages
; with CR4.PSE.
%define ROM_NAME 'paging'
%include "lib/rom.inc"

PD   equ 0x10000
PT0  equ 0x11000                        ; identity map of 0..4 MiB, user and writable
PT1  equ 0x12000                        ; 4..8 MiB, filled per check

R_VEC equ scratch + 0
R_ERR equ scratch + 4
R_CR2 equ scratch + 8
R_VAL equ scratch + 12

; USER_PF bit, {access}: from ring 3, record the #PF error code in [R_ERR + 4*bit]
%macro USER_PF 2
  mov dword [resume_eip], %%f
  mov dword [exc_error], -1
  %2
%%f:
  mov eax, [exc_error]
  mov [scratch + 0x20 + 4 * %1], eax
  mov eax, [exc_cr2]
  mov [scratch + 0x40 + 4 * %1], eax
%endmacro

bits 16
real_mode_tests:
  ret

bits 32
main32:
  call setup_tss
  ; page directory: PDE 0 -> PT0, PDE 1 -> PT1, everything else not present
  mov edi, PD
  xor eax, eax
  mov ecx, 1024 * 3
  rep stosd
  mov dword [PD + 0], PT0 | 7
  mov dword [PD + 4], PT1 | 7
  mov edi, PT0
  mov eax, 7
.fill:
  stosd
  add eax, 0x1000
  cmp edi, PT0 + 4096
  jb .fill

  CHECK 1                               ; turn paging on with an identity map and keep running
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  jmp .flushed
.flushed:
  mov eax, cr0
  shr eax, 31
  EXPECT eax, 1
  mov dword [0x3FFFFC], 0x600DF00D
  EXPECT {dword [0x3FFFFC]}, 0x600DF00D

  CHECK 2                               ; PDE not present: read (error 0) and write (error 2)
  FAULT 14, 0, {mov eax, [0x800123]}
  EXPECT {dword [exc_cr2]}, 0x800123
  FAULT 14, 2, {mov byte [0x8FFFFF], 1}
  EXPECT {dword [exc_cr2]}, 0x8FFFFF

  CHECK 3                               ; PTE not present
  FAULT 14, 0, {mov eax, [0x401004]}
  EXPECT {dword [exc_cr2]}, 0x401004
  FAULT 14, 2, {mov dword [0x403000], 1}
  EXPECT {dword [exc_cr2]}, 0x403000

  CHECK 4                               ; a read-only page: supervisor writes pass unless CR0.WP=1
  mov dword [PT1 + 5 * 4], 0x205000 | 1
  mov dword [0x405010], 0x1234
  EXPECT {dword [0x205010]}, 0x1234
  mov eax, cr0
  or eax, 0x10000
  mov cr0, eax
  FAULT 14, 3, {mov dword [0x405020], 0x5678}
  EXPECT {dword [exc_cr2]}, 0x405020
  EXPECT {dword [0x205020]}, 0
  mov eax, cr0
  and eax, ~0x10000
  mov cr0, eax

  CHECK 5                               ; user-mode faults: U/S and R/W, present or not
  mov dword [PT1 + 6 * 4], 0x206000 | 3  ; supervisor, writable
  mov dword [PT1 + 7 * 4], 0x207000 | 5  ; user, read-only
  mov dword [PT1 + 8 * 4], 0             ; not present
  mov dword [0x207000], 0xAB
  mov eax, user_faults
  mov ebx, 0x202
  call call_ring3
  EXPECT {dword [scratch + 0x20]}, 5    ; read of a supervisor page
  EXPECT {dword [scratch + 0x24]}, 7    ; write to a user read-only page
  EXPECT {dword [scratch + 0x28]}, 4    ; read of a not-present page
  EXPECT {dword [scratch + 0x2C]}, 6    ; write to a not-present page
  EXPECT {dword [scratch + 0x30]}, -1   ; read of the user read-only page: no fault
  EXPECT {dword [R_VAL]}, 0xAB
  EXPECT {dword [scratch + 0x40]}, 0x406000
  EXPECT {dword [scratch + 0x44]}, 0x407ABC
  EXPECT {dword [scratch + 0x48]}, 0x408000

  CHECK 6                               ; accessed and dirty bits
  mov dword [PT1 + 9 * 4], 0x209000 | 3
  and dword [PD + 4], ~0x60
  invlpg [0x409000]
  mov eax, [0x409000]
  EXPECT {dword [PT1 + 9 * 4]}, 0x209000 | 0x23
  mov eax, [PD + 4]
  and eax, 0x20
  EXPECT eax, 0x20
  mov dword [0x409004], 1
  EXPECT {dword [PT1 + 9 * 4]}, 0x209000 | 0x63

  CHECK 7                               ; INVLPG and a CR3 reload drop stale translations
  mov dword [0x20A000], 0xAAAA
  mov dword [0x20B000], 0xBBBB
  mov dword [PT1 + 10 * 4], 0x20A000 | 3
  EXPECT {dword [0x40A000]}, 0xAAAA
  mov dword [PT1 + 10 * 4], 0x20B000 | 3
  invlpg [0x40A000]
  EXPECT {dword [0x40A000]}, 0xBBBB
  mov dword [PT1 + 10 * 4], 0x20A000 | 3
  mov eax, cr3
  mov cr3, eax
  EXPECT {dword [0x40A000]}, 0xAAAA

  CHECK 8                               ; 4 MiB pages with CR4.PSE, their dirty bit, not present
  mov eax, cr4
  or eax, 0x10
  mov cr4, eax
  mov dword [PD + 3 * 4], 0xC00000 | 0x83
  mov dword [PD + 2 * 4], 0xC00000 | 0x83
  mov dword [0xC12344], 0xFEEDFACE
  EXPECT {dword [0x812344]}, 0xFEEDFACE
  mov dword [0x8ABCD0], 0x12345678
  EXPECT {dword [0xCABCD0]}, 0x12345678
  mov eax, [PD + 2 * 4]
  and eax, 0x60
  EXPECT eax, 0x60
  mov dword [PD + 4 * 4], 0x1000000 | 0x80
  FAULT 14, 0, {mov eax, [0x1234567]}
  EXPECT {dword [exc_cr2]}, 0x1234567

  CHECK 9                               ; fetching from a not-present page
  mov ecx, 0x402000
  FAULT 14, 0, {jmp ecx}
  EXPECT {dword [exc_cr2]}, 0x402000
  EXPECT {dword [exc_eip]}, 0x402000

  CHECK 10                              ; turning paging off again
  mov eax, cr0
  and eax, 0x7FFFFFFF
  mov cr0, eax
  jmp .off
.off:
  EXPECT {dword [0x3FFFFC]}, 0x600DF00D
  mov eax, cr0                          ; and on again for the last check
  or eax, 0x80000000
  mov cr0, eax
  jmp .on_again
.on_again:


  CHECK 11                              ; a write straddling into a missing page faults on the missing page
  mov dword [PT1 + 1 * 4], 0x201000 | 3
  mov dword [PT1 + 2 * 4], 0
  FAULT 14, 2, {mov dword [0x401FFE], 0x11223344}
  EXPECT {dword [exc_cr2]}, 0x402000

  jmp pass

user_faults:
  USER_PF 0, {mov eax, [0x406000]}
  USER_PF 1, {mov byte [0x407ABC], 1}
  USER_PF 2, {mov eax, [0x408000]}
  USER_PF 3, {mov dword [0x408000], 1}
  USER_PF 4, {mov eax, [0x407000]}
  mov eax, [0x407000]
  mov [R_VAL], eax
  int 0x4F

align 8
gdt_template:
  STD_GDT
gdt_end:

%include "lib/reset.inc"
