; Stage 2: loads a Linux bzImage by the x86 boot protocol (Documentation/arch/x86/boot.rst).
; Entered at 0000:8000 from stage 1 with DL = boot drive and SI = the k boot directory (7E00h).
;  1. reads the image's first two sectors and checks the 0xAA55 boot flag, "HdrS", protocol >= 2.02
;     and LOADED_HIGH (a bzImage);
;  2. loads the real-mode setup ((setup_sects + 1) * 512 bytes) at X = 0x90000, or lower so that
;     X + 0xA000 stays below the EBDA (int 12h);
;  3. loads the protected-mode part at 0x100000 through a bounce buffer at 0x20000 and int 15h
;     AH=87h (the BIOS block move), 32 KiB at a time;
;     (refusing a kernel that does not fit below the top of low RAM, from int 15h E801h);
;  4. loads the initramfs page-aligned as high as possible below min(initrd_addr_max + 1, top of
;     low RAM) and above the kernel;
;  5. fills the fields a loader owns: type_of_loader = 0xFF, loadflags |= CAN_USE_HEAP,
;     heap_end_ptr = 0x9600, vid_mode = 0xFFFF (normal), cmd_line_ptr = X + 0x9800 (the command
;     line copied there), ramdisk_image and ramdisk_size;
;  6. jumps to the setup code at (X >> 4) + 0x20 : 0 with DS = ES = FS = GS = SS = X >> 4 and
;     SP = 0x9800.
; Any error prints "stage2: ..." and halts.
;
; Assemble: nasm -f bin -o src/loader/stage2.bin src/loader/stage2.asm

bits 16
cpu 386
org 0x8000

; k boot directory (see disk_image.ts)
%define DIR_KERNEL_LBA   0x14
%define DIR_KERNEL_SIZE  0x18
%define DIR_INITRD_LBA   0x1C
%define DIR_INITRD_SIZE  0x20
%define DIR_CMDLINE_LBA  0x24
%define DIR_CMDLINE_LEN  0x28

; setup header offsets
%define HDR_SETUP_SECTS     0x1F1
%define HDR_VID_MODE        0x1FA
%define HDR_BOOT_FLAG       0x1FE
%define HDR_HEADER          0x202
%define HDR_VERSION         0x206
%define HDR_TYPE_OF_LOADER  0x210
%define HDR_LOADFLAGS       0x211
%define HDR_RAMDISK_IMAGE   0x218
%define HDR_RAMDISK_SIZE    0x21C
%define HDR_HEAP_END_PTR    0x224
%define HDR_CMD_LINE_PTR    0x228
%define HDR_INITRD_ADDR_MAX 0x22C
%define HDR_CMDLINE_SIZE    0x238

%define LOADED_HIGH   0x01
%define CAN_USE_HEAP  0x80
%define BOUNCE_SEG    0x2000            ; 0x20000, 32 KiB
%define CHUNK_SECTORS 64
%define SETUP_MAX     0x8000
%define HEAP_END      0x9800            ; stack top; heap_end_ptr = HEAP_END - 0x200
%define CMDLINE_OFF   0x9800
%define CMDLINE_MAX   2048
%define KERNEL_ADDR   0x100000

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov [drive], dl
    ; keep a copy of the directory
    mov di, dir
    mov cx, 512 / 2
    rep movsw
    mov si, msg_hello
    call print

    ; EDD is required (int 13h AH=41h)
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [drive]
    int 0x13
    jc .no_edd
    cmp bx, 0xAA55
    jne .no_edd
    test cx, 1
    jz .no_edd

    ; --- 1. the image's first two sectors ---
    mov eax, [dir + DIR_KERNEL_SIZE]
    cmp eax, 1024
    jb err_truncated
    mov eax, [dir + DIR_KERNEL_LBA]
    mov [dap_lba], eax
    mov word [dap_count], 2             ; the boot sector and the header's sector
    mov word [dap_offset], 0
    mov word [dap_segment], BOUNCE_SEG
    call disk_read
    push ds
    mov ax, BOUNCE_SEG
    mov fs, ax
    pop ds
    cmp word [fs:HDR_BOOT_FLAG], 0xAA55
    jne err_boot_flag
    cmp dword [fs:HDR_HEADER], 'HdrS'
    jne err_hdrs
    cmp word [fs:HDR_VERSION], 0x0202
    jb err_version
    test byte [fs:HDR_LOADFLAGS], LOADED_HIGH
    jz err_not_bz
    movzx eax, byte [fs:HDR_SETUP_SECTS]
    test eax, eax
    jnz .sects
    mov eax, 4
.sects:
    inc eax
    shl eax, 9
    cmp eax, SETUP_MAX
    ja err_setup_sects
    mov [setup_size], eax
    cmp eax, [dir + DIR_KERNEL_SIZE]
    jae err_truncated
    mov ecx, [dir + DIR_KERNEL_SIZE]
    sub ecx, eax
    mov [pm_size], ecx
    mov eax, [fs:HDR_INITRD_ADDR_MAX]
    cmp word [fs:HDR_VERSION], 0x0203
    jae .max_ok
    mov eax, 0x37FFFFFF
.max_ok:
    mov [initrd_addr_max], eax
    mov eax, CMDLINE_MAX - 1
    cmp word [fs:HDR_VERSION], 0x0206
    jb .cl_ok
    mov eax, [fs:HDR_CMDLINE_SIZE]
.cl_ok:
    cmp eax, [dir + DIR_CMDLINE_LEN]
    jb err_cmdline
    cmp dword [dir + DIR_CMDLINE_LEN], CMDLINE_MAX - 1
    ja err_cmdline

    ; --- 2. X: setup segment ---
    int 0x12
    movzx eax, ax
    shl eax, 10
    sub eax, 0xA000
    jb err_low_mem
    and eax, 0xFFFFF000
    cmp eax, 0x90000
    jbe .x_ok
    mov eax, 0x90000
.x_ok:
    cmp eax, 0x30000
    jb err_low_mem
    mov [setup_base], eax
    shr eax, 4
    mov [setup_seg], ax
    ; read the setup sectors straight to X
    mov eax, [dir + DIR_KERNEL_LBA]
    mov [dap_lba], eax
    mov eax, [setup_size]
    shr eax, 9
    mov [dap_count], ax
    mov word [dap_offset], 0
    mov ax, [setup_seg]
    mov [dap_segment], ax
    call disk_read

    ; --- 3. protected-mode part to 0x100000, if it fits in RAM ---
    ; top of low RAM from E801
    mov ax, 0xE801
    xor bx, bx
    xor cx, cx
    xor dx, dx
    int 0x15
    jc err_memsize
    test cx, cx
    jnz .e801_cx
    test dx, dx
    jnz .e801_cx
    jmp .e801_ax
.e801_cx:
    mov ax, cx
    mov bx, dx
.e801_ax:
    movzx eax, ax
    shl eax, 10
    add eax, 0x100000
    test bx, bx
    jz .top
    movzx eax, bx
    shl eax, 16
    add eax, 0x1000000
.top:
    mov [mem_top], eax
    mov ebx, [pm_size]
    add ebx, KERNEL_ADDR
    cmp ebx, eax
    ja err_kernel_ram
    mov eax, [dir + DIR_KERNEL_LBA]
    mov ebx, [setup_size]
    shr ebx, 9
    add eax, ebx
    mov ecx, [pm_size]
    mov edi, KERNEL_ADDR
    call load_high

    ; --- 4. initramfs ---
    mov ecx, [dir + DIR_INITRD_SIZE]
    test ecx, ecx
    jz .no_initrd
    mov eax, [mem_top]
    mov ebx, [initrd_addr_max]
    inc ebx
    jz .top_ok                          ; initrd_addr_max = 0xFFFFFFFF
    cmp eax, ebx
    jbe .top_ok
    mov eax, ebx
.top_ok:
    mov ecx, [dir + DIR_INITRD_SIZE]
    add ecx, 0xFFF
    jc err_initrd
    and ecx, 0xFFFFF000
    sub eax, ecx
    jb err_initrd
    and eax, 0xFFFFF000
    mov ebx, [pm_size]
    add ebx, KERNEL_ADDR
    cmp eax, ebx
    jb err_initrd
    mov [initrd_addr], eax
    mov edi, eax
    mov eax, [dir + DIR_INITRD_LBA]
    call load_high
.no_initrd:

    ; --- 5. the command line and the header fields ---
    mov es, [setup_seg]
    mov di, CMDLINE_OFF
    mov byte [es:di], 0
    mov ecx, [dir + DIR_CMDLINE_LEN]
    test ecx, ecx
    jz .no_cmdline
    add ecx, 511
    shr ecx, 9
    mov [dap_count], cx
    mov eax, [dir + DIR_CMDLINE_LBA]
    mov [dap_lba], eax
    mov [dap_offset], di
    mov [dap_segment], es
    call disk_read
    mov bx, [dir + DIR_CMDLINE_LEN]
    mov byte [es:di+bx], 0
.no_cmdline:
    mov byte [es:HDR_TYPE_OF_LOADER], 0xFF
    or byte [es:HDR_LOADFLAGS], CAN_USE_HEAP
    mov word [es:HDR_HEAP_END_PTR], HEAP_END - 0x200
    mov word [es:HDR_VID_MODE], 0xFFFF
    mov eax, [setup_base]
    add eax, CMDLINE_OFF
    mov [es:HDR_CMD_LINE_PTR], eax
    mov eax, [initrd_addr]
    mov [es:HDR_RAMDISK_IMAGE], eax
    mov eax, [dir + DIR_INITRD_SIZE]
    mov [es:HDR_RAMDISK_SIZE], eax

    ; --- 6. into the setup code ---
    mov si, msg_jump
    call print
    cli
    mov ax, [setup_seg]
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov sp, HEAP_END
    add ax, 0x20
    push ax
    push word 0
    retf

.no_edd:
    mov si, msg_no_edd
    jmp fail

; Loads ECX bytes from LBA EAX to physical EDI (>= 1 MiB) through the bounce buffer.
load_high:
    mov [lh_lba], eax
    mov [lh_left], ecx
    mov [lh_dest], edi
.chunk:
    mov ecx, [lh_left]
    test ecx, ecx
    jz .done
    mov eax, ecx
    add eax, 511
    shr eax, 9
    cmp eax, CHUNK_SECTORS
    jbe .count
    mov eax, CHUNK_SECTORS
.count:
    mov [dap_count], ax
    mov ebx, [lh_lba]
    mov [dap_lba], ebx
    add [lh_lba], eax
    mov word [dap_offset], 0
    mov word [dap_segment], BOUNCE_SEG
    call disk_read
    ; int 15h AH=87h: source 0x20000, destination lh_dest, CX words
    movzx ecx, word [dap_count]
    shl ecx, 9                          ; bytes read
    mov eax, [lh_dest]
    mov [gdt_dst + 2], ax
    shr eax, 16
    mov [gdt_dst + 4], al
    mov [gdt_dst + 7], ah
    push ecx
    shr ecx, 1
    push ds
    pop es
    mov si, move_gdt
    mov ah, 0x87
    int 0x15
    pop ecx
    jc .move_error
    add [lh_dest], ecx
    cmp ecx, [lh_left]
    jae .last
    sub [lh_left], ecx
    jmp .chunk
.last:
    mov dword [lh_left], 0
.done:
    ret
.move_error:
    mov si, msg_move
    jmp fail

; Reads with the disk address packet (int 13h AH=42h).
disk_read:
    pusha
    mov si, dap
    mov dl, [drive]
    mov ah, 0x42
    int 0x13
    popa
    jc .error
    ret
.error:
    mov si, msg_read
    jmp fail

err_truncated:
    mov si, msg_truncated
    jmp fail
err_boot_flag:
    mov si, msg_boot_flag
    jmp fail
err_hdrs:
    mov si, msg_hdrs
    jmp fail
err_version:
    mov si, msg_version
    jmp fail
err_not_bz:
    mov si, msg_not_bz
    jmp fail
err_setup_sects:
    mov si, msg_setup_sects
    jmp fail
err_low_mem:
    mov si, msg_low_mem
    jmp fail
err_kernel_ram:
    mov si, msg_kernel_ram
    jmp fail
err_memsize:
    mov si, msg_memsize
    jmp fail
err_initrd:
    mov si, msg_initrd
    jmp fail
err_cmdline:
    mov si, msg_cmdline
fail:
    push cs
    pop ds
    call print
.halt:
    cli
    hlt
    jmp .halt

; Prints the NUL-terminated string at DS:SI with int 10h teletype.
print:
    pusha
.next:
    lodsb
    test al, al
    jz .done
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp .next
.done:
    popa
    ret

msg_hello:       db "k stage2: loading the kernel", 13, 10, 0
msg_jump:        db "k stage2: starting the setup code", 13, 10, 0
msg_no_edd:      db "stage2: the BIOS has no int 13h extensions (EDD); cannot read the disk", 13, 10, 0
msg_read:        db "stage2: disk read error", 13, 10, 0
msg_move:        db "stage2: int 15h AH=87h block move failed", 13, 10, 0
msg_truncated:   db "stage2: kernel image truncated (smaller than its setup_sects say)", 13, 10, 0
msg_boot_flag:   db "stage2: kernel image has no 0xAA55 boot_flag at 0x1FE", 13, 10, 0
msg_hdrs:        db "stage2: kernel image has no HdrS signature (not a Linux boot image)", 13, 10, 0
msg_version:     db "stage2: kernel boot protocol too old (version < 2.02)", 13, 10, 0
msg_not_bz:      db "stage2: not a bzImage (LOADED_HIGH clear); zImage is not supported", 13, 10, 0
msg_setup_sects: db "stage2: setup_sects too large: the setup code does not fit below the heap", 13, 10, 0
msg_low_mem:     db "stage2: not enough low memory below the EBDA for the setup code", 13, 10, 0
msg_kernel_ram:  db "stage2: the kernel does not fit in RAM above 1 MiB", 13, 10, 0
msg_memsize:     db "stage2: int 15h E801h failed; cannot size memory for the initrd", 13, 10, 0
msg_initrd:      db "stage2: initrd does not fit between the kernel and initrd_addr_max", 13, 10, 0
msg_cmdline:     db "stage2: command line longer than the kernel's cmdline_size", 13, 10, 0

align 4
drive:           db 0
align 4
setup_size:      dd 0
pm_size:         dd 0
setup_base:      dd 0
setup_seg:       dw 0
align 4
initrd_addr_max: dd 0
initrd_addr:     dd 0
mem_top:         dd 0
lh_lba:          dd 0
lh_left:         dd 0
lh_dest:         dd 0

align 4
dap:
                 db 0x10, 0
dap_count:       dw 0
dap_offset:      dw 0
dap_segment:     dw 0
dap_lba:         dd 0, 0

align 8
move_gdt:                               ; int 15h AH=87h descriptor table
    dq 0                                ; null
    dq 0                                ; GDT (BIOS)
gdt_src:
    dw 0xFFFF, 0x0000
    db 0x02, 0x93, 0x00, 0x00           ; 0x20000
gdt_dst:
    dw 0xFFFF, 0x0000
    db 0x00, 0x93, 0x00, 0x00
    dq 0                                ; BIOS CS
    dq 0                                ; BIOS SS

dir: times 512 db 0
