; main() of the setup code (arch/x86/boot/main.c), in the same order:
; copy_boot_params, console_init, init_heap, validate_cpu, detect_memory, keyboard_init,
; query_ist, set_video, go_to_protected_mode.

main:
    DBG "k setup: main", 13, 10
    call copy_boot_params
    call init_heap
    call validate_cpu
    call detect_memory
    call keyboard_init
    call query_ist
    call set_video
    call go_to_protected_mode
    ret                                 ; not reached

; Copies the setup header (as the loader left it) into boot_params.hdr.
copy_boot_params:
    mov si, hdr
    mov di, boot_params + BP_HDR
    mov cx, hdr_end - hdr
    rep movsb
    DBG "k setup: copy_boot_params: hdr copied to boot_params at "
%ifdef DEBUG
    xor eax, eax
    mov ax, ds
    shl eax, 4
    add eax, boot_params
%endif
    DBGHEX eax
    DBG ", cmd_line_ptr "
    DBGHEX {dword [cmd_line_ptr]}
    DBG ", type_of_loader "
%ifdef DEBUG
    movzx eax, byte [type_of_loader]
%endif
    DBGHEX eax
    DBGNL
    ret

; heap_end = heap_end_ptr + 0x200, capped below the stack (main.c init_heap).
init_heap:
    test byte [boot_params + BP_HDR + (loadflags - hdr)], CAN_USE_HEAP
    jz .ancient
    mov ax, [boot_params + BP_HDR + (heap_end_ptr - hdr)]
    add ax, 0x200
    mov dx, sp
    sub dx, STACK_SIZE
    cmp ax, dx
    jbe .ok
    mov ax, dx
.ok:
    mov [heap_end], ax
    DBG "k setup: init_heap: heap_end "
%ifdef DEBUG
    movzx eax, ax
%endif
    DBGHEX eax
    DBGNL
    ret
.ancient:
    mov si, msg_ancient
    call puts
    ret

heap_end: dw 0
msg_ancient: db "WARNING: Ancient bootloader, some functionality may be limited!", 10, 0

; validate_cpu (cpu.c, cpucheck.c), reduced: the kernel needs CPUID and family >= 6 (i686).
validate_cpu:
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 0x00200000                 ; EFLAGS.ID
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    test eax, 0x00200000
    jz .too_old
    xor eax, eax
    cpuid
    mov eax, 1
    cpuid
    shr eax, 8
    and eax, 0x0F
    mov [cpu_family], al
    cmp al, 6
    jb .too_old
    DBG "k setup: validate_cpu: CPUID family "
    DBGHEX eax
    DBGNL
    ret
.too_old:
    mov si, msg_cpu
    call puts
    jmp die

cpu_family: db 0
msg_cpu: db "This kernel requires an i686 CPU, but only detected an older CPU.", 10
         db "Unable to boot - please use a kernel appropriate for your CPU.", 10, 0

; keyboard_init: shift state into kbd_status, then the repeat rate (int 16h AX=0305h).
keyboard_init:
    mov ah, 0x02
    int 0x16
    mov [boot_params + BP_KBD_STATUS], al
    mov ax, 0x0305
    xor bx, bx
    int 0x16
    DBG "k setup: keyboard_init: kbd_status "
%ifdef DEBUG
    movzx eax, byte [boot_params + BP_KBD_STATUS]
%endif
    DBGHEX eax
    DBG ", repeat rate set", 13, 10
    ret

; query_ist: Intel SpeedStep information (int 15h AX=E980h), family 6 and up.
query_ist:
    cmp byte [cpu_family], 6
    jb .done
    mov eax, 0xE980
    mov edx, 0x47534943                 ; "GSIC"
    xor ebx, ebx
    xor ecx, ecx
    int 0x15
    mov [boot_params + BP_IST_INFO], eax
    mov [boot_params + BP_IST_INFO + 4], ebx
    mov [boot_params + BP_IST_INFO + 8], ecx
    mov [boot_params + BP_IST_INFO + 12], edx
    DBG "k setup: query_ist: eax "
    DBGHEX eax
    DBGNL
.done:
    ret
