; int 15h: system services. E820 (with continuation values), E801, 88h, A20 (2400h-2403h), C0h,
; the 87h block move (through protected mode, as the AT BIOS does), 86h wait, and a clean
; "unsupported" (CF=1, AH=86h) for everything else, including APM (53xxh), IST (E980h) and the
; x86-64 long-mode hint (EC00h).

%define SMAP 0x534D4150

int15_handler:
    sti
    ENTER_FRAME
    cld
    cmp ax, 0xE820
    je s_e820
    cmp ax, 0xE801
    je s_e801
    cmp ah, 0x88
    je s_ext_mem
    cmp ah, 0x24
    je s_a20
    cmp ah, 0x87
    je s_block_move
    cmp ah, 0xC0
    je s_config
    cmp ah, 0x86
    je s_wait
    cmp ah, 0x90
    je s_device_busy
    cmp ah, 0x91
    je s_device_busy
    cmp ah, 0x4F
    je s_kbd_intercept
    jmp ret_unsupported

s_e820:
    cmp edx, SMAP
    jne ret_unsupported
    cmp ecx, 20
    jb ret_unsupported
    call load_ebda_ds
    movzx eax, byte [EBDA_E820_COUNT]
    cmp ebx, eax
    jae ret_unsupported
    mov si, bx
    imul si, si, 20
    add si, EBDA_E820_TABLE
    mov es, [bp+R_ES]
    mov di, [bp+R_DI]
    mov cx, 10
    rep movsw
    inc ebx
    cmp ebx, eax
    jb .more
    xor ebx, ebx                        ; last entry: continuation 0
.more:
    mov [bp+R_EBX], ebx
    mov dword [bp+R_EAX], SMAP
    mov dword [bp+R_ECX], 20
    jmp ret_ok

s_e801:                                 ; AX=CX: KiB 1-16 MiB; BX=DX: 64 KiB blocks above 16 MiB
    call load_ebda_ds
    mov eax, [EBDA_EXT1_KIB]
    cmp eax, 15 * 1024
    jbe .ext1
    mov eax, 15 * 1024
.ext1:
    mov [bp+R_AX], ax
    mov [bp+R_CX], ax
    mov eax, [EBDA_EXT2_BLK]
    mov [bp+R_BX], ax
    mov [bp+R_DX], ax
    jmp ret_ok

s_ext_mem:                              ; AX = KiB above 1 MiB (at most 63 MiB)
    call load_ebda_ds
    mov eax, [EBDA_EXT1_KIB]
    cmp eax, 0xFC00
    jbe .ok
    mov eax, 0xFC00
.ok:
    mov [bp+R_AX], ax
    jmp ret_ok

s_a20:
    cmp al, 0x03
    je .support
    cmp al, 0x02
    je .status
    cmp al, 0x01
    ja ret_unsupported
    in al, 0x92
    and al, 0xFE                        ; never pulse the reset bit
    and al, 0xFD
    cmp byte [bp+R_AL], 0
    je .set
    or al, 0x02
.set:
    out 0x92, al
    mov byte [bp+R_AH], 0
    jmp ret_ok
.status:
    in al, 0x92
    shr al, 1
    and al, 1
    mov [bp+R_AL], al
    mov byte [bp+R_AH], 0
    jmp ret_ok
.support:
    mov word [bp+R_BX], 0x0003          ; keyboard controller and port 0x92
    mov byte [bp+R_AH], 0
    jmp ret_ok

s_config:
    mov word [bp+R_ES], 0xF000
    mov word [bp+R_BX], config_table
    mov byte [bp+R_AH], 0
    jmp ret_ok

s_wait:
    mov byte [bp+R_AH], 0
    jmp ret_ok

s_device_busy:
    mov byte [bp+R_AH], 0
    jmp ret_ok

s_kbd_intercept:                        ; keep the scancode: CF=1
    jmp ret_err

; AH=87h: copy CX words using the caller's GDT at ES:SI (6 descriptors: null, GDT, source,
; destination, BIOS CS, BIOS SS). The BIOS fills descriptors 1, 4 and 5, enters 16-bit protected
; mode, copies, and returns to real mode with A20 as it was.
s_block_move:
    cmp cx, 0x8000
    ja .bad
    cli
    mov es, [bp+R_ES]
    mov si, [bp+R_SI]
    ; descriptor 1: the GDT itself
    xor eax, eax
    mov ax, es
    shl eax, 4
    movzx edx, si
    add eax, edx
    mov word [es:si+0x08], 0x2F
    mov [es:si+0x0A], eax               ; base 23:0 (and byte 13 overwritten below)
    mov byte [es:si+0x0D], 0x93
    mov word [es:si+0x0E], 0
    ; descriptor 4: this code (base 0xF0000, 64 KiB, 16-bit)
    mov dword [es:si+0x20], 0x0000FFFF
    mov dword [es:si+0x24], 0x00009B0F
    ; descriptor 5: the current stack
    xor eax, eax
    mov ax, ss
    shl eax, 4
    mov word [es:si+0x28], 0xFFFF
    mov [es:si+0x2A], eax
    mov byte [es:si+0x2D], 0x93
    mov word [es:si+0x2E], 0
    ; the pseudo-descriptor for LGDT is descriptor 1's limit and base
    in al, 0x92
    mov dl, al                          ; DL = A20 state to restore
    or al, 0x02
    and al, 0xFE
    out 0x92, al
    mov bx, ss                          ; BX = real-mode SS to restore
    mov cx, [bp+R_CX]
    lgdt [es:si+0x08]                   ; 16-bit operand size: 24-bit base
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp 0x20:.pm
.pm:
    mov ax, 0x28
    mov ss, ax
    mov ax, 0x10
    mov ds, ax
    mov ax, 0x18
    mov es, ax
    xor si, si
    xor di, di
    rep movsw
    mov eax, cr0
    and al, 0xFE
    mov cr0, eax
    jmp 0xF000:.rm
.rm:
    mov ss, bx
    in al, 0x92
    and al, 0xFC
    and dl, 0x02
    or al, dl
    out 0x92, al
    mov byte [bp+R_AH], 0
    jmp ret_ok
.bad:
    mov byte [bp+R_AH], 0x01
    jmp ret_err
