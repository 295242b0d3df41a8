; enable_a20 (arch/x86/boot/a20.c): test whether A20 is already on, then try the BIOS
; (int 15h AX=2401h), the 8042 keyboard controller (command D1h, data DFh) and "fast A20"
; (port 0x92), verifying after each; up to A20_ENABLE_LOOPS rounds.

%define A20_TEST_ADDR    (4 * 0x80)
%define A20_TEST_SHORT   32
%define A20_TEST_LONG    2097152
%define A20_ENABLE_LOOPS 255
%define MAX_8042_LOOPS   100000
%define MAX_8042_FF      32

io_delay:
    out 0x80, al
    ret

; Returns ZF=0 (NZ) when A20 works; ECX = loops. Writes 0000:0200 and reads FFFF:0210.
a20_test:
    push fs
    push gs
    push eax
    push ebx
    xor ax, ax
    mov fs, ax
    mov ax, 0xFFFF
    mov gs, ax
    mov ebx, [fs:A20_TEST_ADDR]         ; saved
    mov eax, ebx
.loop:
    inc eax
    mov [fs:A20_TEST_ADDR], eax
    call io_delay
    cmp eax, [gs:A20_TEST_ADDR + 0x10]
    jne .works
    dec ecx
    jnz .loop
    mov [fs:A20_TEST_ADDR], ebx
    xor eax, eax                        ; ZF=1: not working
    jmp .out
.works:
    mov [fs:A20_TEST_ADDR], ebx
    or eax, 1                           ; ZF=0
    test eax, eax
.out:
    pop ebx
    pop eax
    pop gs
    pop fs
    ret

a20_test_short:
    mov ecx, A20_TEST_SHORT
    jmp a20_test
a20_test_long:
    mov ecx, A20_TEST_LONG
    jmp a20_test

; CF=1 when there is no 8042 (status reads FFh) or it never drains.
empty_8042:
    push eax
    push ecx
    push dx
    mov ecx, MAX_8042_LOOPS
    mov dx, MAX_8042_FF
.loop:
    call io_delay
    in al, 0x64
    cmp al, 0xFF
    jne .status
    dec dx
    jz .fail
.status:
    test al, 1
    jz .no_data
    call io_delay
    in al, 0x60
    jmp .next
.no_data:
    test al, 2
    jz .ok
.next:
    dec ecx
    jnz .loop
.fail:
    pop dx
    pop ecx
    pop eax
    stc
    ret
.ok:
    pop dx
    pop ecx
    pop eax
    clc
    ret

enable_a20_bios:
    mov ax, 0x2401
    int 0x15
    ret

enable_a20_kbc:
    call empty_8042
    mov al, 0xD1                        ; command write
    out 0x64, al
    call empty_8042
    mov al, 0xDF                        ; A20 on
    out 0x60, al
    call empty_8042
    mov al, 0xFF                        ; null command, but UHCI wants it
    out 0x64, al
    call empty_8042
    ret

enable_a20_fast:
    in al, 0x92
    or al, 0x02
    and al, 0xFE                        ; do not reset the machine
    out 0x92, al
    ret

; CF=0 on success. Reports the method that worked in the debug build.
enable_a20:
    mov word [a20_loops], A20_ENABLE_LOOPS
.round:
    call a20_test_short
    jnz .already
    call enable_a20_bios
    call a20_test_short
    jnz .bios
    call empty_8042
    setc [a20_kbc_err]
    call a20_test_short
    jnz .bios
    cmp byte [a20_kbc_err], 0
    jne .fast
    call enable_a20_kbc
    call a20_test_long
    jnz .kbc
.fast:
    call enable_a20_fast
    call a20_test_long
    jnz .port92
    dec word [a20_loops]
    jnz .round
    stc
    ret
.already:
    DBG "k setup: enable_a20: A20 already on", 13, 10
    clc
    ret
.bios:
    DBG "k setup: enable_a20: on through the BIOS (int 15h AX=2401h)", 13, 10
    clc
    ret
.kbc:
    DBG "k setup: enable_a20: on through the 8042 keyboard controller", 13, 10
    clc
    ret
.port92:
    DBG "k setup: enable_a20: on through port 0x92 (fast A20)", 13, 10
    clc
    ret

a20_loops:   dw 0
a20_kbc_err: db 0
