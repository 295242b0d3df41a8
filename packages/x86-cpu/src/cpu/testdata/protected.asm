; Protected-mode walk-through, loaded at 0000:7C00 in real mode. Prints a letter on port 0xE9 after
; each step passes; the test compares the whole string. Covers: LGDT, CR0.PE, far jump to 32-bit
; code, paging with a #PF (CR2 and error code), INVLPG, IRET to ring 3, INT 0x80 back to ring 0
; through the TSS stack, #GP from CLI at ring 3, an I/O bitmap check, a call gate with a parameter,
; a task switch by far JMP to a TSS and back, and BSWAP/XADD/CMPXCHG/CPUID/EFLAGS.ID/AC.
bits 16
org 0x7c00
start:
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  lgdt [gdtr]
  lidt [idtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp 0x08:pm32

bits 32
pm32:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov fs, ax
  mov gs, ax
  mov esp, 0x70000
  mov al, 'A'
  out 0xe9, al

  ; --- EFLAGS.ID and AC toggle, CPUID, BSWAP, XADD, CMPXCHG
  pushfd
  pop eax
  xor eax, (1 << 21) | (1 << 18)
  push eax
  popfd
  pushfd
  pop ebx
  cmp eax, ebx
  jne fail
  xor eax, eax
  cpuid
  cmp ebx, 'Genu'
  jne fail
  mov eax, 0x11223344
  bswap eax
  cmp eax, 0x44332211
  jne fail
  mov eax, 5
  mov ebx, 7
  xadd eax, ebx
  cmp eax, 12
  jne fail
  cmp ebx, 5
  jne fail
  mov dword [scratch], 9
  mov eax, 9
  mov ecx, 42
  cmpxchg [scratch], ecx
  jne fail
  cmp dword [scratch], 42
  jne fail
  mov al, 'B'
  out 0xe9, al

  ; --- paging: identity map 4 MiB, page 0x300000 not present
  mov edi, 0x100000
  mov ecx, 1024
  xor eax, eax
  rep stosd
  mov dword [0x100000], 0x101000 | 7
  mov edi, 0x101000
  mov eax, 7
  mov ecx, 1024
.fill:
  stosd
  add eax, 0x1000
  loop .fill
  mov dword [0x101000 + (0x300000 >> 12) * 4], 0x300000 | 6   ; not present
  mov eax, 0x100000
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80010000
  mov cr0, eax
  mov dword [pf_count], 0
  mov eax, [0x300004]               ; #PF: handler maps the page and returns
  cmp dword [pf_count], 1
  jne fail
  cmp dword [pf_cr2], 0x300004
  jne fail
  cmp dword [pf_err], 0             ; read, supervisor, not present
  jne fail
  ; write-protect a page, check #PF error code 3 with CR0.WP
  mov dword [0x101000 + (0x301000 >> 12) * 4], 0x301000 | 5   ; present, read-only, user
  invlpg [0x301000]
  mov dword [0x301000], 1
  cmp dword [pf_err], 3
  jne fail
  mov al, 'C'
  out 0xe9, al

  ; --- load TR, go to ring 3 with IRET
  mov ax, 0x28
  ltr ax
  push dword 0x23                   ; ss (data, dpl 3)
  push dword 0x80000                ; esp
  push dword 0x202                  ; eflags (IF=1, IOPL 0)
  push dword 0x1b                   ; cs (code, dpl 3)
  push dword ring3
  iretd

ring3:
  mov ax, 0x23
  mov ds, ax
  mov es, ax
  mov al, 'D'
  mov [ring3_mark], al
  mov eax, 1
  int 0x80                          ; prints 'D' from ring 0 (eax=1)
  cli                               ; #GP at ring 3 (IOPL 0): handler skips it
  cmp dword [gp_count], 1
  jne fail3
  mov dx, 0xe9                      ; allowed by the I/O bitmap
  mov al, 'E'
  out dx, al
  mov dx, 0x80                      ; denied by the I/O bitmap: #GP, skipped
  out dx, al
  cmp dword [gp_count], 2
  jne fail3
  push dword 0x1234                 ; call gate with one dword parameter to ring 0
  call 0x38:0
  cmp eax, 0x1234 + 1
  jne fail3
  mov al, 'F'
  mov dx, 0xe9
  out dx, al
  mov eax, 2
  int 0x80                          ; ask ring 0 to do the task-switch test
  jmp $

fail3:
  mov eax, 3
  int 0x80

gate_target:                        ; ring 0 via call gate; [esp+8] is the copied parameter
  mov eax, [esp + 8]
  inc eax
  retf 4

; --- ring 0 handlers
int80:
  cmp eax, 1
  je .print
  cmp eax, 2
  je task_test
  jmp fail
.print:
  mov al, [ring3_mark]
  out 0xe9, al
  iretd

task_test:
  ; JMP to TSS 2 (selector 0x40) runs task2, which JMPs back to TSS 1 (0x28).
  jmp 0x40:0
  ; resumes here when task2 jumps back
  mov al, 'H'
  out 0xe9, al
  cmp dword [task2_ran], 1
  jne fail
  mov al, '!'
  out 0xe9, al
  hlt

task2:
  mov dword [task2_ran], 1
  mov al, 'G'
  out 0xe9, al
  str ax
  cmp ax, 0x40
  jne fail
  jmp 0x28:0

pf_handler:
  push eax
  inc dword [pf_count]
  mov eax, cr2
  mov [pf_cr2], eax
  mov eax, [esp + 4]
  mov [pf_err], eax
  mov eax, cr2
  and eax, 0xfffff000
  shr eax, 10
  or dword [0x101000 + eax], 7      ; present, writable, user
  mov eax, cr2
  invlpg [eax]
  pop eax
  add esp, 4
  iretd

gp_handler:
  inc dword [gp_count]
  add esp, 4                        ; error code
  ; skip the faulting one-byte instruction (cli / out dx,al)
  inc dword [esp]
  iretd

fail:
  mov al, 'X'
  out 0xe9, al
  hlt

align 8
gdt:
  dq 0
  dq 0x00cf9a000000ffff             ; 0x08 code 0
  dq 0x00cf92000000ffff             ; 0x10 data 0
  dq 0x00cffa000000ffff             ; 0x18 code 3
  dq 0x00cff2000000ffff             ; 0x20 data 3
tss_desc:
  dw tss_end - tss - 1, tss, 0x8900, 0          ; 0x28 TSS 1 (base < 64 KiB)
gate_desc:
  dw 0, 0, 0, 0                                 ; 0x30 unused
  dw gate_target, 0x08, 0xec01, 0               ; 0x38 call gate, dpl 3, 1 param
  dw tss2_end - tss2 - 1, tss2, 0x8900, 0       ; 0x40 TSS 2
gdt_end:
gdtr:
  dw gdt_end - gdt - 1
  dd gdt

idtr:
  dw 256 * 8 - 1
  dd idt

align 4
tss:
  dd 0
  dd 0x60000                        ; esp0
  dd 0x10                           ; ss0
  dd 0, 0, 0, 0
  dd 0x100000                       ; cr3 (not saved by a task switch, so it must be set)
  times 17 dd 0
  dw 0
  dw iomap - tss                    ; I/O map base
iomap:
  times 0x80 / 8 db 0               ; ports 0..0x7f allowed
  db 0x01                           ; port 0x80 denied
  times (0xe8 - 0x88) / 8 db 0
  db 0x00                           ; 0xe8..0xef allowed
  db 0xff
tss_end:

tss2:
  dd 0
  dd 0x60000, 0x10
  dd 0, 0, 0, 0
  dd 0x100000                       ; cr3
  dd task2                          ; eip
  dd 0x2                            ; eflags
  dd 0, 0, 0, 0, 0x68000, 0, 0, 0   ; eax ecx edx ebx esp ebp esi edi
  dd 0x10, 0x08, 0x10, 0x10, 0x10, 0x10   ; es cs ss ds fs gs
  dd 0                              ; ldt
  dw 0, 0x68
tss2_end:

pf_count: dd 0
pf_cr2: dd 0
pf_err: dd 0
gp_count: dd 0
task2_ran: dd 0
ring3_mark: db 0
align 4
scratch: dd 0

align 8
idt:
%assign v 0
%rep 256
%if v == 13
  dw gp_handler, 0x08, 0x8e00, 0
%elif v == 14
  dw pf_handler, 0x08, 0x8e00, 0
%elif v == 0x80
  dw int80, 0x08, 0xee00, 0
%else
  dw fail, 0x08, 0x8e00, 0
%endif
%assign v v+1
%endrep
