; Virtual-8086 mode walk-through, loaded at 0000:7C00 in real mode. Prints a letter on port 0xE9 after
; each step passes; the test compares the whole string. Covers (SDM vol. 3 ch. 20): IRETD from ring 0
; into V86 mode with IOPL 0, real-mode-style segment loads in V86, CLI / PUSHF / INT n raising #GP(0)
; with IOPL < 3, the ring-0 stack frame (GS FS DS ES SS ESP EFLAGS CS EIP, error code) with the data
; segment registers cleared, the I/O bitmap checked whatever IOPL, and INT n through a DPL-3 gate
; with IOPL 3 reaching the ring-0 handler.
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
  mov ax, 0x28
  ltr ax
  mov al, 'A'
  out 0xe9, al

  ; IRETD to V86 at 07C0:(v86code - 0x7C00), stack 0900:0100, DS=0A00 ES=0B00 FS=0C00 GS=0D00, IOPL 0.
  push dword 0x0d00                 ; GS
  push dword 0x0c00                 ; FS
  push dword 0x0a00                 ; DS
  push dword 0x0b00                 ; ES
  push dword 0x0900                 ; SS
  push dword 0x0100                 ; ESP
  push dword 0x00020002             ; EFLAGS: VM, IOPL 0, IF 0
  push dword 0x07c0                 ; CS
  push dword v86code - 0x7c00       ; EIP
  iretd

gp_handler:
  ; Frame: error code, EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS. Data segments must be null.
  mov ax, ds
  test ax, ax
  jnz fail
  mov ax, es
  mov bx, fs
  or ax, bx
  mov bx, gs
  or ax, bx
  jnz fail
  cmp dword [ss:esp], 0             ; error code 0
  jne fail
  cmp dword [ss:esp + 8], 0x07c0    ; CS
  jne fail
  test dword [ss:esp + 12], 0x20000 ; EFLAGS.VM
  jz fail
  cmp dword [ss:esp + 24], 0x0b00   ; ES
  jne fail
  cmp dword [ss:esp + 28], 0x0a00   ; DS
  jne fail
  cmp dword [ss:esp + 36], 0x0d00   ; GS
  jne fail
  mov ax, 0x10
  mov ds, ax
  mov ebx, [gp_count]
  inc dword [gp_count]
  add esp, 4                        ; drop the error code
  movzx ecx, byte [skip + ebx]
  add [esp], ecx                    ; skip the faulting instruction
  cmp ebx, 3
  jne .ret
  or dword [esp + 8], 0x3000        ; after the fourth #GP (OUT to a denied port): IOPL 3
.ret:
  iretd

int30_handler:
  ; Reached from V86 through a DPL-3 interrupt gate with IOPL 3: ring 0, DS null, 9 dwords pushed.
  mov ax, ds
  test ax, ax
  jnz fail
  mov ax, 0x10
  mov ds, ax
  cmp dword [gp_count], 4
  jne fail
  cmp dword [esp + 4], 0x07c0       ; CS
  jne fail
  cmp dword [esp + 16], 0x0900      ; SS
  jne fail
  mov al, 'D'
  out 0xe9, al
  hlt

fail:
  mov ax, 0x10
  mov ds, ax
  mov al, 'X'
  out 0xe9, al
  hlt

bits 16
v86code:
  ; Real-mode-style addressing: DS=0A00 is linear 0xA000.
  mov word [0x10], 0x1234
  xor ax, ax
  mov es, ax
  cmp word [es:0xa010], 0x1234
  jne v86fail
  mov ax, 0x0b00
  mov es, ax
  mov al, 'B'
  out 0xe9, al                      ; port 0xE9 allowed by the bitmap
  cli                               ; #GP(0): IOPL 0 (1 byte)
  pushf                             ; #GP(0) (1 byte)
  int 0x30                          ; #GP(0) (2 bytes)
  out 0x80, al                      ; #GP(0): denied by the bitmap (2 bytes); the handler sets IOPL 3
  mov al, 'C'
  out 0xe9, al
  cli                               ; allowed now
  pushf
  pop ax
  test ax, 0x3000
  jz v86fail
  int 0x30
v86fail:
  mov al, 'Y'
  out 0xe9, al
  hlt                               ; #GP in V86; the handler's checks then fail

skip: db 1, 1, 2, 2
gp_count: dd 0

align 8
gdt:
  dq 0
  dq 0x00cf9a000000ffff             ; 0x08 code 0
  dq 0x00cf92000000ffff             ; 0x10 data 0
  dq 0x00cffa000000ffff             ; 0x18 code 3
  dq 0x00cff2000000ffff             ; 0x20 data 3
  dw tss_end - tss - 1, tss, 0x8900, 0          ; 0x28 TSS (base < 64 KiB)
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
  times 22 dd 0
  dw 0
  dw iomap - tss                    ; I/O map base
iomap:
  times 0x80 / 8 db 0               ; ports 0..0x7f allowed
  db 0x01                           ; port 0x80 denied
  times (0xe8 - 0x88) / 8 db 0
  db 0x00                           ; 0xe8..0xef allowed
  db 0xff
tss_end:

align 8
idt:
%assign v 0
%rep 256
%if v == 13
  dw gp_handler, 0x08, 0x8e00, 0
%elif v == 0x30
  dw int30_handler, 0x08, 0xee00, 0
%else
  dw fail, 0x08, 0x8e00, 0
%endif
%assign v v+1
%endrep
