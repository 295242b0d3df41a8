; int 10h: a colour text adapter (mode 3, 80x25 at 0xB8000) that answers the VGA queries a
; kernel's video probe makes (AH=0Fh, AH=12h/BL=10h, AX=1A00h, AX=1130h) and reports VESA BIOS
; extensions (AH=4Fh) as unsupported. Teletype output is mirrored to COM1 and port 0xE9.

%define TEXT_SEG 0xB800

video_init:
    mov byte [BDA_VIDEO_MODE], 3        ; DS = BDA here
    mov word [BDA_VIDEO_COLS], 80
    mov word [BDA_VIDEO_PAGESZ], 4096
    mov word [BDA_VIDEO_START], 0
    mov word [BDA_CURSOR_SHAPE], 0x0607
    mov byte [BDA_VIDEO_PAGE], 0
    mov word [BDA_CRTC_BASE], 0x3D4
    mov byte [BDA_VIDEO_ROWS], 24
    mov word [BDA_CHAR_HEIGHT], 16
    mov word [BDA_CURSOR_POS], 0
    call video_clear
    ret

; Clears the whole 80x25 screen (DS = BDA).
video_clear:
    push es
    push di
    push cx
    push ax
    mov ax, TEXT_SEG
    mov es, ax
    xor di, di
    mov ax, 0x0720
    mov cx, 80 * 25
    rep stosw
    pop ax
    pop cx
    pop di
    pop es
    ret

int10_handler:
    ENTER_FRAME
    cld
    mov bx, BDA_SEG
    mov ds, bx
    mov bx, [bp+R_BX]
    cmp ah, 0x0E
    je v_teletype
    cmp ah, 0x00
    je v_set_mode
    cmp ah, 0x01
    je v_cursor_shape
    cmp ah, 0x02
    je v_set_cursor
    cmp ah, 0x03
    je v_get_cursor
    cmp ah, 0x05
    je v_set_page
    cmp ah, 0x06
    je v_scroll_up
    cmp ah, 0x07
    je v_scroll_down
    cmp ah, 0x08
    je v_read_char
    cmp ah, 0x09
    je v_write_char_attr
    cmp ah, 0x0A
    je v_write_char
    cmp ah, 0x0F
    je v_get_mode
    cmp ah, 0x11
    je v_font
    cmp ah, 0x12
    je v_alt_select
    cmp ah, 0x13
    je v_write_string
    cmp ah, 0x1A
    je v_display_combination
    cmp ah, 0x4F
    je v_vesa
    jmp iret_frame                      ; others (palette, pixels): no effect

v_teletype:                             ; AL = character
    call tty_putc
    jmp iret_frame

v_set_mode:                             ; AL = mode (bit 7: keep the screen)
    mov ah, al
    and al, 0x7F
    cmp al, 2
    je .text
    cmp al, 3
    je .text
    cmp al, 7
    je .text
    jmp iret_frame                      ; unsupported mode: the current one stays (AH=0Fh shows it)
.text:
    mov [BDA_VIDEO_MODE], al
    mov word [BDA_CURSOR_POS], 0
    mov byte [BDA_VIDEO_PAGE], 0
    test ah, 0x80
    jnz .keep
    call video_clear
.keep:
    mov byte [bp+R_AL], 0x30
    jmp iret_frame

v_cursor_shape:
    mov cx, [bp+R_CX]
    mov [BDA_CURSOR_SHAPE], cx
    jmp iret_frame

v_set_cursor:                           ; BH page, DH row, DL column
    mov dx, [bp+R_DX]
    cmp bh, 0
    jne iret_frame
    mov [BDA_CURSOR_POS], dx
    jmp iret_frame

v_get_cursor:
    mov ax, [BDA_CURSOR_POS]
    mov [bp+R_DX], ax
    mov ax, [BDA_CURSOR_SHAPE]
    mov [bp+R_CX], ax
    jmp iret_frame

v_set_page:
    mov byte [BDA_VIDEO_PAGE], 0        ; one page only
    jmp iret_frame

v_scroll_up:                            ; AL lines (0 = clear), BH attr, CH/CL top-left, DH/DL bottom-right
    mov cx, [bp+R_CX]
    mov dx, [bp+R_DX]
    mov al, [bp+R_AL]
    call scroll_window_up
    jmp iret_frame

v_scroll_down:                          ; scrolling down is rare; clear the window instead
    mov cx, [bp+R_CX]
    mov dx, [bp+R_DX]
    xor al, al
    call scroll_window_up
    jmp iret_frame

v_read_char:
    call cursor_offset
    mov ax, TEXT_SEG
    mov es, ax
    mov ax, [es:di]
    mov [bp+R_AX], ax
    jmp iret_frame

v_write_char_attr:                      ; AL char, BL attr, CX count
    mov ah, bl
    jmp v_write_common
v_write_char:                           ; AL char, CX count, attribute unchanged
    call cursor_offset
    mov dx, TEXT_SEG
    mov es, dx
    mov ah, [es:di+1]
v_write_common:
    call cursor_offset
    mov dx, TEXT_SEG
    mov es, dx
    mov cx, [bp+R_CX]
.loop:
    jcxz .done
    cmp di, 80 * 25 * 2
    jae .done
    stosw
    dec cx
    jmp .loop
.done:
    jmp iret_frame

v_get_mode:
    mov al, [BDA_VIDEO_MODE]
    mov ah, [BDA_VIDEO_COLS]
    mov [bp+R_AX], ax
    mov al, [BDA_VIDEO_PAGE]
    mov [bp+R_BH], al
    jmp iret_frame

v_font:                                 ; AX=1130h: font information; loading fonts is ignored
    cmp al, 0x30
    jne iret_frame
    mov word [bp+R_CX], 16              ; points
    mov al, [BDA_VIDEO_ROWS]
    mov [bp+R_DL], al
    mov word [bp+R_ES], 0
    mov word [bp+R_EBP], 0
    jmp iret_frame

v_alt_select:                           ; AH=12h BL=10h: EGA/VGA information
    cmp bl, 0x10
    jne iret_frame
    mov word [bp+R_BX], 0x0003          ; BH=0 colour, BL=3: 256 KiB
    mov word [bp+R_CX], 0x0009          ; feature bits 0, switches 9
    jmp iret_frame

v_write_string:                         ; AL mode, BH page, BL attr, CX length, DH/DL pos, ES:BP string
    mov dx, [bp+R_DX]
    mov [BDA_CURSOR_POS], dx
    mov cx, [bp+R_CX]
    mov si, [bp+R_EBP]
    mov es, [bp+R_ES]
.next:
    jcxz .done
    mov al, [es:si]
    call tty_putc
    inc si
    dec cx
    jmp .next
.done:
    jmp iret_frame

v_display_combination:                  ; AX=1A00h: VGA with colour display
    cmp al, 0
    jne iret_frame
    mov byte [bp+R_AL], 0x1A
    mov word [bp+R_BX], 0x0008
    jmp iret_frame

v_vesa:                                 ; no VBE: AL=4Fh (function known), AH=01h (failed)
    mov word [bp+R_AX], 0x014F
    jmp iret_frame

; DI = byte offset of the cursor in the text buffer (DS = BDA).
cursor_offset:
    push ax
    push dx
    mov dx, [BDA_CURSOR_POS]
    mov al, dh
    mov ah, 80
    mul ah                              ; AX = row * 80
    xor dh, dh
    add ax, dx
    shl ax, 1
    mov di, ax
    pop dx
    pop ax
    ret

; Teletype: AL = character; handles CR, LF, BS, BEL; scrolls at the bottom. DS = BDA.
tty_putc:
    push ax
    push bx
    push cx
    push dx
    push di
    push es
    call serial_putc
    mov dx, [BDA_CURSOR_POS]            ; DL column, DH row
    cmp al, 13
    je .cr
    cmp al, 10
    je .lf
    cmp al, 8
    je .bs
    cmp al, 7
    je .done
    call cursor_offset
    mov bx, TEXT_SEG
    mov es, bx
    mov ah, 0x07
    mov [es:di], ax
    inc dl
    cmp dl, 80
    jb .store
    xor dl, dl
.lf:
    inc dh
    cmp dh, 25
    jb .store
    mov dh, 24
    push dx
    mov al, 1
    xor cx, cx
    mov dx, 0x184F
    mov bh, 0x07
    call scroll_window_up
    pop dx
    jmp .store
.cr:
    xor dl, dl
    jmp .store
.bs:
    test dl, dl
    jz .store
    dec dl
.store:
    mov [BDA_CURSOR_POS], dx
.done:
    pop es
    pop di
    pop dx
    pop cx
    pop bx
    pop ax
    ret

; Scrolls the window CH,CL (top row, left col) .. DH,DL (bottom row, right col) up by AL lines
; (AL = 0 or AL >= height: clear), filling with attribute BH.
scroll_window_up:
    push ds
    push es
    pusha
    mov si, TEXT_SEG
    mov ds, si
    mov es, si
    cmp dh, 24
    jbe .rows_ok
    mov dh, 24
.rows_ok:
    cmp dl, 79
    jbe .cols_ok
    mov dl, 79
.cols_ok:
    mov ah, dh
    sub ah, ch
    inc ah                              ; AH = height
    test al, al
    jz .clear
    cmp al, ah
    jb .go
.clear:
    mov al, ah
.go:
    push ax
    xor ax, ax
    mov al, dl
    sub al, cl
    inc al
    mov bp, ax                          ; BP = width
    pop ax
    mov dl, cl                          ; DL = left column
    mov bl, ch                          ; BL = current row
.row:
    cmp bl, dh
    ja .out
    push ax
    mov al, bl
    mov ah, 80
    mul ah
    add al, dl
    adc ah, 0
    shl ax, 1
    mov di, ax
    pop ax
    mov cx, bp
    mov ah, bl
    add ah, al                          ; source row
    cmp ah, dh
    ja .blank
    push ax
    mov ah, 160
    mul ah
    mov si, di
    add si, ax
    pop ax
    rep movsw
    jmp .next
.blank:
    push ax
    mov al, ' '
    mov ah, bh
    rep stosw
    pop ax
.next:
    inc bl
    jmp .row
.out:
    popa
    pop es
    pop ds
    ret
