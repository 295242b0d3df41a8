; set_video (arch/x86/boot/video.c, video-vga.c), for the standard modes: store the current mode
; parameters, probe the adapter (int 10h AX=1200h/BL=10h: EGA or better, AX=1A00h: VGA), probe
; VESA (AX=4F00h), set the 80x25 text mode the way vga_set_basic_mode does, and store the mode
; parameters again in boot_params.screen_info.

%define SI_ORIG_X           0x00
%define SI_ORIG_Y           0x01
%define SI_ORIG_VIDEO_PAGE  0x04
%define SI_ORIG_VIDEO_MODE  0x06
%define SI_ORIG_VIDEO_COLS  0x07
%define SI_ORIG_VIDEO_EGA_BX 0x0A
%define SI_ORIG_VIDEO_LINES 0x0E
%define SI_ORIG_VIDEO_ISVGA 0x0F
%define SI_ORIG_VIDEO_POINTS 0x10
%define NORMAL_VGA          0xFFFF

set_video:
    call store_mode_params
    call vga_probe
    call vesa_probe
    mov ax, [boot_params + BP_HDR + (vid_mode - hdr)]
    cmp ax, NORMAL_VGA
    je .normal
    cmp ax, 0x0F00                      ; VIDEO_80x25
    je .normal
    mov si, msg_undefined_mode          ; only the standard mode is offered
    call puts
    mov word [boot_params + BP_HDR + (vid_mode - hdr)], NORMAL_VGA
.normal:
    call vga_set_basic_mode
    call store_mode_params
    DBG "k setup: set_video: mode "
%ifdef DEBUG
    movzx eax, byte [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_MODE]
%endif
    DBGHEX eax
    DBG ", columns "
%ifdef DEBUG
    movzx eax, byte [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_COLS]
%endif
    DBGHEX eax
    DBG ", lines "
%ifdef DEBUG
    movzx eax, byte [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_LINES]
%endif
    DBGHEX eax
    DBG ", isVGA "
%ifdef DEBUG
    movzx eax, byte [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_ISVGA]
%endif
    DBGHEX eax
    DBGNL
    ret

msg_undefined_mode: db "Undefined video mode number; using the standard 80x25 mode", 10, 0

store_mode_params:
    mov ah, 0x03                        ; cursor position
    xor bh, bh
    int 0x10
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_X], dl
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_Y], dh
    mov ah, 0x0F                        ; current mode
    int 0x10
    and al, 0x7F
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_MODE], al
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_PAGE], bh
    push fs
    mov ax, 0x40
    mov fs, ax
    mov al, [fs:0x4A]
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_COLS], al
    mov al, [fs:0x84]
    inc al
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_LINES], al
    mov ax, [fs:0x85]
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_POINTS], ax
    pop fs
    ret

vga_probe:
    mov ax, 0x1200
    mov bx, 0x0010
    int 0x10
    mov [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_EGA_BX], bx
    cmp bl, 0x10
    je .cga                             ; MDA/CGA/HGC leave BL unchanged
    mov ax, 0x1A00
    int 0x10
    cmp al, 0x1A
    jne .ega
    mov byte [boot_params + BP_SCREEN_INFO + SI_ORIG_VIDEO_ISVGA], 1
    DBG "k setup: vga_probe: VGA", 13, 10
    ret
.ega:
    DBG "k setup: vga_probe: EGA", 13, 10
    ret
.cga:
    DBG "k setup: vga_probe: CGA/MDA", 13, 10
    ret

vesa_probe:
    mov di, vesa_info                   ; ES = DS
    mov dword [vesa_info], 'VBE2'
    mov ax, 0x4F00
    int 0x10
    cmp ax, 0x004F
    jne .none
    DBG "k setup: vesa_probe: VBE present (not used)", 13, 10
    ret
.none:
    DBG "k setup: vesa_probe: no VBE", 13, 10
    ret

vesa_info: times 512 db 0

vga_set_basic_mode:
    mov ax, 0x0F00
    int 0x10
    cmp al, 3
    je .set
    cmp al, 7
    je .set
    mov al, 3
.set:
    xor ah, ah
    int 0x10
    ret
