; timer.asm — the PC chipset from real mode: program the 8259A pair (vectors 0x20/0x28), the 8254
; channel 0 at 1 kHz (mode 2), and wait for ten timer interrupts with STI; HLT (the machine idles in
; virtual time between them). Also sends a line to COM1 and reads the RTC. Text on 0xE9, POST 0xFF
; at the end. Used by the PC tests (interrupt delivery, idle HLT, save/restore mid-run).
cpu 386
bits 16
org 0xF0000

POST_PORT equ 0x80
OUT_PORT  equ 0xE9
TICKS     equ 0x500
COM1      equ 0x3F8

start:
  cli
  cld
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [TICKS], 0
  mov word [0x20 * 4], irq0 - $$
  mov word [0x20 * 4 + 2], 0xF000
  mov al, 0x01
  out POST_PORT, al
  ; 8259A pair: edge triggered, cascade, 8086 mode; only IRQ 0 unmasked
  mov al, 0x11
  out 0x20, al
  out 0xA0, al
  mov al, 0x20
  out 0x21, al
  mov al, 0x28
  out 0xA1, al
  mov al, 0x04
  out 0x21, al
  mov al, 0x02
  out 0xA1, al
  mov al, 0x01
  out 0x21, al
  out 0xA1, al
  mov al, 0xFE
  out 0x21, al
  mov al, 0xFF
  out 0xA1, al
  ; 8254 channel 0: mode 2, 1193 counts = 1 ms
  mov al, 0x34
  out 0x43, al
  mov ax, 1193
  out 0x40, al
  mov al, ah
  out 0x40, al
  ; COM1: 115200 8N1, then a line of text
  mov dx, COM1 + 3
  mov al, 0x80
  out dx, al
  mov dx, COM1
  mov al, 1
  out dx, al
  inc dx
  xor al, al
  out dx, al
  mov dx, COM1 + 3
  mov al, 0x03
  out dx, al
  mov si, msg_serial - $$
.serial:
  mov al, [cs:si]
  test al, al
  jz .serial_done
  mov ah, al
  mov dx, COM1 + 5
.thre:
  in al, dx
  test al, 0x20
  jz .thre
  mov al, ah
  mov dx, COM1
  out dx, al
  inc si
  jmp .serial
.serial_done:
  mov al, 0x02
  out POST_PORT, al
  sti
.wait:
  hlt
  cmp word [TICKS], 10
  jb .wait
  cli
  mov al, 0x03
  out POST_PORT, al
  ; RTC: the year register must read as BCD 0x26 on the virtual clock (2026)
  mov al, 0x09
  out 0x70, al
  in al, 0x71
  mov bl, al
  mov si, msg_done - $$
.print:
  mov al, [cs:si]
  test al, al
  jz .printed
  out OUT_PORT, al
  inc si
  jmp .print
.printed:
  mov al, bl
  shr al, 4
  add al, '0'
  out OUT_PORT, al
  mov al, bl
  and al, 0x0F
  add al, '0'
  out OUT_PORT, al
  mov al, 10
  out OUT_PORT, al
  mov al, 0xFF
  out POST_PORT, al
  hlt

irq0:
  push ax
  inc word [TICKS]
  mov al, 0x20
  out 0x20, al
  pop ax
  iret

msg_serial: db 'hello from COM1', 13, 10, 0
msg_done:   db '10 timer interrupts, RTC year ', 0

  times 0xFFF0 - ($ - $$) db 0xFF
  jmp 0xF000:(start - $$)
  times 0x10000 - ($ - $$) db 0xFF
