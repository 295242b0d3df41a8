; The e820 memory map, built once at POST from the CMOS memory-size bytes the way SeaBIOS
; (src/e820map.c, src/fw/paravirt.c) and the Bochs BIOS do:
;   0x30/0x31  KiB of extended memory between 1 MiB and 64 MiB
;   0x34/0x35  64 KiB blocks between 16 MiB and 4 GiB
;   0x5B-0x5D  64 KiB blocks above 4 GiB
; The map: [0, EBDA) usable, [EBDA, 0xA0000) reserved, [0xF0000, 0x100000) reserved (this ROM),
; [1 MiB, top of low RAM) usable, [0xFFFC0000, 4 GiB) reserved (the BIOS flash alias), and
; [4 GiB, 4 GiB + high RAM) usable when the machine has memory above 4 GiB. 0xA0000-0xEFFFF
; (VGA window and option ROMs) is a hole.

%define E820_RAM        1
%define E820_RESERVED   2
%define LOW_RAM_LIMIT   0xFFFC0000

memory_init:
    push ds
    call load_ebda_es                   ; ES = EBDA (tables), DS = BDA
    mov al, 0x30
    call cmos_read
    mov cl, al
    mov al, 0x31
    call cmos_read
    mov ch, al
    movzx ecx, cx
    mov [es:EBDA_EXT1_KIB], ecx
    mov al, 0x34
    call cmos_read
    mov cl, al
    mov al, 0x35
    call cmos_read
    mov ch, al
    movzx ecx, cx
    cmp ecx, (LOW_RAM_LIMIT - 0x1000000) >> 16
    jbe .ext2_ok
    mov ecx, (LOW_RAM_LIMIT - 0x1000000) >> 16
.ext2_ok:
    mov [es:EBDA_EXT2_BLK], ecx
    mov al, 0x5D
    call cmos_read
    movzx ecx, al
    shl ecx, 16
    mov al, 0x5C
    call cmos_read
    mov ch, al
    mov al, 0x5B
    call cmos_read
    mov cl, al
    mov [es:EBDA_HIGH_BLK], ecx

    mov di, EBDA_E820_TABLE
    mov byte [es:EBDA_E820_COUNT], 0
    ; [0, EBDA)
    movzx eax, word [BDA_EBDA_SEG]
    shl eax, 4
    mov esi, eax                        ; ESI = EBDA base
    xor eax, eax
    xor ebx, ebx
    mov ecx, esi
    xor edx, edx
    mov bp, E820_RAM
    call e820_add
    ; [EBDA, 0xA0000)
    mov eax, esi
    mov ecx, 0xA0000
    sub ecx, esi
    mov bp, E820_RESERVED
    call e820_add
    ; [0xF0000, 0x100000)
    mov eax, 0xF0000
    mov ecx, 0x10000
    call e820_add
    ; [1 MiB, top of low RAM)
    mov ecx, [es:EBDA_EXT2_BLK]
    test ecx, ecx
    jz .below16
    shl ecx, 16
    add ecx, 0x1000000 - 0x100000
    jmp .low
.below16:
    mov ecx, [es:EBDA_EXT1_KIB]
    shl ecx, 10
.low:
    jecxz .no_ext
    mov eax, 0x100000
    mov bp, E820_RAM
    call e820_add
.no_ext:
    ; [0xFFFC0000, 4 GiB)
    mov eax, LOW_RAM_LIMIT
    mov ecx, 0x100000000 - LOW_RAM_LIMIT
    mov bp, E820_RESERVED
    call e820_add
    ; [4 GiB, 4 GiB + high)
    mov ecx, [es:EBDA_HIGH_BLK]
    test ecx, ecx
    jz .done
    mov edx, ecx
    shr edx, 16
    shl ecx, 16
    xor eax, eax
    mov ebx, 1
    mov bp, E820_RAM
    call e820_add
.done:
    pop ds
    ret

; Appends {base EBX:EAX, length EDX:ECX, type BP} at ES:DI; EBX and EDX are cleared afterwards.
e820_add:
    cmp byte [es:EBDA_E820_COUNT], E820_MAX
    jae .full
    mov [es:di], eax
    mov [es:di+4], ebx
    mov [es:di+8], ecx
    mov [es:di+12], edx
    mov [es:di+16], bp
    mov word [es:di+18], 0
    add di, 20
    inc byte [es:EBDA_E820_COUNT]
.full:
    xor ebx, ebx
    xor edx, edx
    ret
