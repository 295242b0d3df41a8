; bench_sieve.asm — benchmark (b): the sieve of Eratosthenes over a 4 MiB byte array in 32-bit
; protected mode with 4 KiB paging on (identity map of 8 MiB through two page tables), run twice.
; The number of passes is [0x7F00] (0 means 2). POST 0x10 marks the start, POST 0x11 the end; the
; prime count (295947 below 2^22) is checked.
%define ROM_NAME 'bench_sieve'
%include "lib/rom.inc"

PD    equ 0x10000
PT0   equ 0x11000
ARRAY equ 0x400000
N     equ 0x400000
PASSES equ 2
REPEAT equ 0x7F00

bits 16
real_mode_tests:
  ret

bits 32
main32:
  mov edi, PD
  xor eax, eax
  mov ecx, 1024 * 3
  rep stosd
  mov dword [PD + 0], PT0 | 3
  mov dword [PD + 4], (PT0 + 0x1000) | 3
  mov edi, PT0
  mov eax, 3
.map:
  stosd
  add eax, 0x1000
  cmp edi, PT0 + 0x2000
  jb .map
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  jmp .paged
.paged:
  mov ebp, [REPEAT]
  test ebp, ebp
  jnz .go
  mov ebp, PASSES
.go:
  mov al, 0x10
  out POST_PORT, al
.pass:
  ; clear the array (a plain loop, so every store is an instruction)
  mov edi, ARRAY
  xor eax, eax
.clear:
  mov [edi], eax
  add edi, 4
  cmp edi, ARRAY + N
  jb .clear
  mov esi, ARRAY
  mov ebx, 2
.outer:
  mov eax, ebx
  mul eax
  cmp eax, N
  jae .count
  cmp byte [esi + ebx], 0
  jne .next
  mov edi, eax
.inner:
  mov byte [esi + edi], 1
  add edi, ebx
  cmp edi, N
  jb .inner
.next:
  inc ebx
  jmp .outer
.count:
  ; count the primes: zero bytes from 2 to N-1
  xor eax, eax
  mov edi, 2
.countloop:
  cmp byte [esi + edi], 0
  jne .composite
  inc eax
.composite:
  inc edi
  cmp edi, N
  jb .countloop
  dec ebp
  jnz .pass
  mov [scratch], eax
  mov al, 0x11
  out POST_PORT, al
  CHECK 1
  EXPECT {dword [scratch]}, 295947
  jmp pass

align 8
gdt_template:
  STD_GDT
gdt_end:

%include "lib/reset.inc"
