; go_to_protected_mode (arch/x86/boot/pm.c): realmode_switch_hook, enable_a20, reset_coprocessor,
; mask_all_interrupts, setup_idt (null IDT), setup_gdt (the boot GDT), protected_mode_jump.

%define GDT_ENTRY_BOOT_CS  2
%define GDT_ENTRY_BOOT_DS  3
%define GDT_ENTRY_BOOT_TSS 4
%define __BOOT_CS  (GDT_ENTRY_BOOT_CS * 8)
%define __BOOT_DS  (GDT_ENTRY_BOOT_DS * 8)
%define __BOOT_TSS (GDT_ENTRY_BOOT_TSS * 8)

go_to_protected_mode:
    DBG "k setup: go_to_protected_mode", 13, 10
    call realmode_switch_hook
    call enable_a20
    jnc .a20_ok
    mov si, msg_a20
    call puts
    jmp die
.a20_ok:
    call reset_coprocessor
    call mask_all_interrupts
    DBG "k setup: mask_all_interrupts: PICs masked", 13, 10
    call setup_idt
    call setup_gdt
    ; protected_mode_jump(boot_params.hdr.code32_start, &boot_params + (ds << 4))
    mov eax, [boot_params + BP_HDR + (code32_start - hdr)]
    xor edx, edx
    mov dx, ds
    shl edx, 4
    add edx, boot_params
    DBG "k setup: protected_mode_jump: code32_start "
    DBGHEX eax
    DBG ", boot_params "
    DBGHEX edx
    DBGNL
    jmp protected_mode_jump

msg_a20: db "A20 gate not responding, unable to boot...", 10, 0

realmode_switch_hook:
    cmp dword [boot_params + BP_HDR + (realmode_swtch - hdr)], 0
    je .default
    call far [boot_params + BP_HDR + (realmode_swtch - hdr)]
    ret
.default:
    cli
    mov al, 0x80                        ; disable NMI
    out 0x70, al
    call io_delay
    ret

reset_coprocessor:
    xor al, al
    out 0xF0, al
    call io_delay
    out 0xF1, al
    call io_delay
    ret

mask_all_interrupts:
    mov al, 0xFF                        ; mask all interrupts on the secondary PIC
    out 0xA1, al
    call io_delay
    mov al, 0xFB                        ; mask all but the cascade on the primary
    out 0x21, al
    call io_delay
    ret

setup_idt:
    o32 lidt [null_idt]
    DBG "k setup: setup_idt: null IDT loaded", 13, 10
    ret

setup_gdt:
    xor eax, eax
    mov ax, ds
    shl eax, 4
    add eax, boot_gdt
    mov [gdt_ptr + 2], eax
    o32 lgdt [gdt_ptr]
    DBG "k setup: setup_gdt: boot GDT at "
    DBGHEX eax
    DBGNL
    ret

align 16
boot_gdt:
    dq 0
    dq 0
    dq 0x00CF9B000000FFFF               ; __BOOT_CS: code, 4 GiB, base 0
    dq 0x00CF93000000FFFF               ; __BOOT_DS: data, 4 GiB, base 0
    dq 0x0000890010000067               ; __BOOT_TSS: 32-bit TSS, 104 bytes, base 4096
boot_gdt_end:

gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dd 0
null_idt:
    dw 0
    dd 0
