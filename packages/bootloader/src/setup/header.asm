; The real-mode part of the k kernel image: a bzImage boot sector and setup header
; (arch/x86/boot/header.S) followed by the setup code, which does what arch/x86/boot/main.c
; does, in the same order, and ends in protected_mode_jump to code32_start with
; ESI = &boot_params. Built with -DDEBUG it reports every step on COM1.
;
; Assemble: nasm -f bin -I src/setup/ -o src/setup/setup.bin src/setup/header.asm
;           nasm -f bin -I src/setup/ -DDEBUG -o src/setup/setup_debug.bin src/setup/header.asm

bits 16
cpu 686
org 0

%define BOOT_PARAMS_SIZE 0x1000
%define STACK_SIZE       1024
%define CAN_USE_HEAP     0x80
%define LOADED_HIGH      0x01

; Offsets inside boot_params (arch/x86/include/uapi/asm/bootparam.h)
%define BP_SCREEN_INFO   0x000
%define BP_EXT_MEM_K     0x002
%define BP_IST_INFO      0x060
%define BP_ALT_MEM_K     0x1E0
%define BP_E820_ENTRIES  0x1E8
%define BP_KBD_STATUS    0x1EB
%define BP_HDR           0x1F1
%define BP_E820_TABLE    0x2D0
%define E820_MAX_ENTRIES 128

; ---- the legacy boot sector: refuse to be booted directly -------------------------------------
bootsect_start:
    jmp 0x07C0:.start
.start:
    mov ax, cs
    mov ds, ax
    mov si, bugger_off_msg - bootsect_start
.msg:
    lodsb
    test al, al
    jz .die
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp .msg
.die:
    cli
    hlt
    jmp .die
bugger_off_msg:
    db "Use a boot loader.", 13, 10, 13, 10, "Remove disk and press any key to reboot...", 13, 10, 0

    times 0x1F1 - ($ - $$) db 0
; ---- the setup header (Documentation/arch/x86/boot.rst) ---------------------------------------
hdr:
setup_sects:        db (setup_end - $$) / 512 - 1
root_flags:         dw 1
syssize:            dd 0                ; patched by the image builder (16-byte units)
ram_size:           dw 0
vid_mode:           dw 0xFFFF
root_dev:           dw 0
boot_flag:          dw 0xAA55
; offset 0x200: the setup entry point (CS = DS + 0x20, IP = 0)
_start:
                    jmp short start_of_setup
header:             db "HdrS"
version:            dw 0x020F
realmode_swtch:     dd 0
start_sys_seg:      dw 0x1000
kernel_version:     dw kernel_version_str - 0x200
type_of_loader:     db 0
loadflags:          db LOADED_HIGH
setup_move_size:    dw 0x8000
code32_start:       dd 0x100000
ramdisk_image:      dd 0
ramdisk_size:       dd 0
bootsect_kludge:    dd 0
heap_end_ptr:       dw 0
ext_loader_ver:     db 0
ext_loader_type:    db 0
cmd_line_ptr:       dd 0
initrd_addr_max:    dd 0x37FFFFFF       ; our lowmem ends at 896 MiB
kernel_alignment:   dd 0x1000
relocatable_kernel: db 0
min_alignment:      db 12
xloadflags:         dw 0
cmdline_size:       dd 2047
hardware_subarch:   dd 0
hardware_subarch_data: dq 0
payload_offset:     dd 0
payload_length:     dd 0
setup_data:         dq 0
pref_address:       dq 0x100000
init_size:          dd 0                ; patched by the image builder
handover_offset:    dd 0
kernel_info_offset: dd 0
hdr_end:

kernel_version_str: db "k 0.1 (k@k) #1", 0

; ---- start_of_setup ----------------------------------------------------------------------------
start_of_setup:
    mov ax, ds                          ; force ES = DS
    mov es, ax
    cld
    mov dx, ss
    cmp ax, dx                          ; DS == SS?
    mov dx, sp
    je .stack_ok
    mov dx, _end                        ; invalid SS: make up a stack
    test byte [loadflags], CAN_USE_HEAP
    jz .no_heap
    mov dx, [heap_end_ptr]
.no_heap:
    add dx, STACK_SIZE
    jnc .stack_ok
    xor dx, dx
.stack_ok:
    and dx, ~3
    jnz .sp_ok
    mov dx, 0xFFFC
.sp_ok:
    mov ss, ax
    movzx esp, dx
    sti
    push ds                             ; CS = DS + 0x20 -> CS = DS
    push word .normalized
    retf
.normalized:
    cmp dword [setup_sig], 0x5A5AAA55
    jne setup_bad
    mov di, __bss_start                 ; zero the bss (boot_params)
    mov cx, _end
    sub cx, di
    shr cx, 2
    xor eax, eax
    rep stosd
    call main
    jmp die

setup_bad:
    mov si, msg_setup_bad
    call puts
die:
    cli
    hlt
    jmp die

msg_setup_bad: db "No setup signature found...", 13, 10, 0

%include "tty.asm"
%include "main.asm"
%include "memory.asm"
%include "video.asm"
%include "a20.asm"
%include "pm.asm"
%include "pmjump.asm"

setup_sig: dd 0x5A5AAA55
    times (512 - (($ - $$) % 512)) % 512 db 0
setup_end:

; bss (not in the file): boot_params, the zero page
__bss_start equ setup_end
boot_params equ setup_end
_end        equ setup_end + BOOT_PARAMS_SIZE
