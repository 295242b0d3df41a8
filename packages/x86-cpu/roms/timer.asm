; timer.asm — the PC chipset from real mode: program the 8259A pair (vectors 0x20/0x28), the 8254
; channel 0 at 1 kHz (mode 2), and wait for ten timer interrupts with STI; HLT (the machine idles in
; virtual time between them). Also sends a line to COM1 and reads the RTC. Text on 0xE9, POST 0xFF
; at the end. Then the RTC's periodic interrupt (IRQ 8, through the cascade) five times, and, when the
; host has queued input on COM1, the UART's receive interrupt (IRQ 4) echoing it to 0xE9. Used by the
; PC tests (interrupt delivery, idle HLT, save/restore mid-run).
cpu 386
bits 16
org 0xF0000

POST_PORT equ 0x80
OUT_PORT  equ 0xE9
TICKS     equ 0x500
RTC_TICKS equ 0x502
RX_COUNT  equ 0x504
RX_BUF    equ 0x510
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
  ; RTC periodic interrupt at 1024 Hz on IRQ 8 (slave IR0, cascaded through master IR2)
  mov al, 0x04
  out POST_PORT, al
  mov word [RTC_TICKS], 0
  mov word [0x28 * 4], irq8 - $$
  mov word [0x28 * 4 + 2], 0xF000
  mov al, 0xFE & 0xFB
  out 0x21, al
  mov al, 0xFE
  out 0xA1, al
  mov al, 0x0A
  out 0x70, al
  mov al, 0x26
  out 0x71, al
  mov al, 0x0B
  out 0x70, al
  in al, 0x71
  or al, 0x40
  mov ah, al
  mov al, 0x0B
  out 0x70, al
  mov al, ah
  out 0x71, al
  sti
.rtc_wait:
  hlt
  cmp word [RTC_TICKS], 5
  jb .rtc_wait
  cli
  mov al, 0x0B
  out 0x70, al
  mov al, 0x02
  out 0x71, al
  mov si, msg_rtc - $$
  call print
  ; COM1 receive interrupt, if the host queued input
  mov dx, COM1 + 5
  in al, dx
  test al, 1
  jz .no_input
  mov al, 0x05
  out POST_PORT, al
  mov word [RX_COUNT], 0
  mov word [0x24 * 4], irq4 - $$
  mov word [0x24 * 4 + 2], 0xF000
  mov al, 0xEE                          ; IRQ 4 and the timer
  out 0x21, al
  mov dx, COM1 + 4
  mov al, 0x08                          ; OUT2 gates the IRQ line
  out dx, al
  mov dx, COM1 + 1
  mov al, 0x01                          ; receive-data interrupt
  out dx, al
  sti
.rx_wait:
  hlt
  cmp word [RX_COUNT], 4
  jb .rx_wait
  cli
  mov si, msg_rx - $$
  call print
  mov cx, [RX_COUNT]
  mov si, RX_BUF
.echo:
  mov al, [si]
  out OUT_PORT, al
  inc si
  loop .echo
  mov al, 10
  out OUT_PORT, al
.no_input:
  mov al, 0xFF
  out POST_PORT, al
  hlt

print:
  mov al, [cs:si]
  test al, al
  jz .done
  out OUT_PORT, al
  inc si
  jmp print
.done:
  ret

irq8:
  push ax
  mov al, 0x0C                          ; reading status C acknowledges the RTC
  out 0x70, al
  in al, 0x71
  inc word [RTC_TICKS]
  mov al, 0x20
  out 0xA0, al
  out 0x20, al
  pop ax
  iret

irq4:
  push ax
  push bx
  push dx
.more:
  mov dx, COM1 + 5
  in al, dx
  test al, 1
  jz .drained
  mov dx, COM1
  in al, dx
  mov bx, [RX_COUNT]
  mov [RX_BUF + bx], al
  inc word [RX_COUNT]
  jmp .more
.drained:
  mov al, 0x20
  out 0x20, al
  pop dx
  pop bx
  pop ax
  iret

irq0:
  push ax
  inc word [TICKS]
  mov al, 0x20
  out 0x20, al
  pop ax
  iret

msg_serial: db 'hello from COM1', 13, 10, 0
msg_done:   db '10 timer interrupts, RTC year ', 0
msg_rtc:    db '5 RTC periodic interrupts', 10, 0
msg_rx:     db 'COM1 received: ', 0

  times 0xFFF0 - ($ - $$) db 0xFF
  jmp 0xF000:(start - $$)
  times 0x10000 - ($ - $$) db 0xFF
