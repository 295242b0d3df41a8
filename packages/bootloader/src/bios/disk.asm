; int 13h on the ATA disk (primary channel master, 0x1F0-0x1F7, polled PIO; nIEN set) as drive
; 80h: CHS read (AH=02h) with an LBA-assisted translated geometry (63 sectors, 16-255 heads, at
; most 1024 cylinders), parameters (08h), type (15h), and the EDD 1.1 extensions (41h, 42h, 48h).
; Writes are refused as write-protected. Any other drive number: CF=1, AH=01h.

%define ATA_DATA    0x1F0
%define ATA_COUNT   0x1F2
%define ATA_LBA0    0x1F3
%define ATA_LBA1    0x1F4
%define ATA_LBA2    0x1F5
%define ATA_DEVICE  0x1F6
%define ATA_STATUS  0x1F7
%define ATA_COMMAND 0x1F7
%define ATA_CONTROL 0x3F6
%define ATA_BSY     0x80
%define ATA_DRQ     0x08
%define ATA_ERR     0x01

; Waits until BSY is clear; CF=1 on timeout or a floating bus. Clobbers AL, DX, ECX.
ata_wait_ready:
    mov dx, ATA_STATUS
    mov ecx, 0x100000
.poll:
    in al, dx
    cmp al, 0xFF
    je .fail
    test al, ATA_BSY
    jz .ok
    dec ecx
    jnz .poll
.fail:
    stc
    ret
.ok:
    clc
    ret

; Waits for DRQ after a command; CF=1 on ERR or timeout. Clobbers AL, DX, ECX.
ata_wait_drq:
    mov dx, ATA_STATUS
    mov ecx, 0x100000
.poll:
    in al, dx
    test al, ATA_BSY
    jnz .next
    test al, ATA_ERR
    jnz .fail
    test al, ATA_DRQ
    jnz .ok
.next:
    dec ecx
    jnz .poll
.fail:
    stc
    ret
.ok:
    clc
    ret

; POST: IDENTIFY DEVICE on the primary master; record size and geometry in the EBDA. DS = BDA.
ata_init:
    push es
    call load_ebda_es
    mov dx, ATA_CONTROL
    mov al, 0x02                        ; nIEN: no interrupts, we poll
    out dx, al
    mov dx, ATA_DEVICE
    mov al, 0xA0
    out dx, al
    call ata_wait_ready
    jc .none
    mov dx, ATA_COMMAND
    mov al, 0xEC
    out dx, al
    in al, dx
    test al, al
    jz .none
    call ata_wait_drq
    jc .none
    ; read the 256 IDENTIFY words into 0000:7C00 (free until the boot sector loads there)
    push es
    xor ax, ax
    mov es, ax
    mov di, 0x7C00
    mov cx, 256
    mov dx, ATA_DATA
    rep insw
    pop es
    push ds
    xor ax, ax
    mov ds, ax
    mov eax, [0x7C00 + 60*2]            ; LBA28 capacity
    xor edx, edx
    test word [0x7C00 + 83*2], 0x0400   ; LBA48 supported?
    jz .lba28
    mov eax, [0x7C00 + 100*2]
    mov edx, [0x7C00 + 102*2]
.lba28:
    pop ds
    mov [es:EBDA_DISK_LBA], eax
    mov [es:EBDA_DISK_LBA+4], edx
    ; translated geometry: 63 sectors per track, the fewest heads (16, 32, 64, 128, 255) that
    ; keep the cylinders at 1024 or fewer
    test edx, edx
    jz .small
    mov eax, 0xFFFFFFFF
.small:
    mov bx, 16
.heads:
    push eax
    xor edx, edx
    movzx ecx, bx
    imul ecx, ecx, 63
    div ecx                             ; EAX = cylinders
    cmp eax, 1024
    jbe .geom
    pop eax
    cmp bx, 128
    je .h255
    shl bx, 1
    jmp .heads
.h255:
    mov bx, 255
    push eax
    xor edx, edx
    mov ecx, 255 * 63
    div ecx
.geom:
    add sp, 4
    cmp eax, 1024
    jbe .cyl_ok
    mov eax, 1024
.cyl_ok:
    test eax, eax
    jnz .cyl_nz
    inc eax
.cyl_nz:
    mov [es:EBDA_DISK_CYLS], ax
    mov [es:EBDA_DISK_HEADS], bx
    mov word [es:EBDA_DISK_SPT], 63
    mov byte [es:EBDA_DISK_OK], 1
    mov byte [BDA_DISK_COUNT], 1
.none:
    pop es
    ret

; Reads CX sectors (1..128) starting at LBA EAX to ES:DI. CF=1 and AH=status on error.
; Clobbers everything but BP, DS.
ata_read:
    push ds
    ; normalize ES:DI so that DI < 16 and each sector advances ES by 0x20
    mov bx, di
    shr bx, 4
    mov si, es
    add si, bx
    mov es, si
    and di, 0x0F
    mov si, cx                          ; SI = sectors
    mov ebx, eax                        ; EBX = LBA
    call load_ebda_ds
    cmp byte [EBDA_DISK_OK], 1
    jne .not_ready
    ; range check: LBA + count <= capacity (capacities above 2^32 sectors always pass)
    cmp dword [EBDA_DISK_LBA+4], 0
    jne .in_range
    movzx eax, si
    add eax, ebx
    jc .out_of_range
    cmp eax, [EBDA_DISK_LBA]
    ja .out_of_range
.in_range:
    call ata_wait_ready
    jc .not_ready
    test ebx, 0xF0000000
    jnz .lba48
    mov eax, ebx
    shr eax, 24
    or al, 0xE0
    mov dx, ATA_DEVICE
    out dx, al
    mov ax, si
    mov dx, ATA_COUNT
    out dx, al
    mov eax, ebx
    mov dx, ATA_LBA0
    out dx, al
    shr eax, 8
    inc dx
    out dx, al
    shr eax, 8
    inc dx
    out dx, al
    mov al, 0x20                        ; READ SECTORS
    jmp .command
.lba48:
    mov dx, ATA_DEVICE
    mov al, 0x40
    out dx, al
    mov dx, ATA_COUNT
    xor al, al
    out dx, al                          ; count 15:8
    mov eax, ebx
    shr eax, 24
    inc dx
    out dx, al                          ; LBA 31:24
    xor al, al
    inc dx
    out dx, al                          ; LBA 39:32
    inc dx
    out dx, al                          ; LBA 47:40
    mov ax, si
    mov dx, ATA_COUNT
    out dx, al                          ; count 7:0
    mov eax, ebx
    inc dx
    out dx, al
    shr eax, 8
    inc dx
    out dx, al
    shr eax, 8
    inc dx
    out dx, al
    mov al, 0x24                        ; READ SECTORS EXT
.command:
    mov dx, ATA_COMMAND
    out dx, al
.sector:
    call ata_wait_drq
    jc .error
    mov dx, ATA_DATA
    mov cx, 256
    rep insw
    mov ax, es
    add ax, 0x20
    mov es, ax
    sub di, 512
    dec si
    jnz .sector
    pop ds
    xor ah, ah
    clc
    ret
.not_ready:
    pop ds
    mov ah, 0xAA                        ; drive not ready
    stc
    ret
.out_of_range:
    pop ds
    mov ah, 0x04                        ; sector not found
    stc
    ret
.error:
    pop ds
    mov ah, 0x20                        ; controller failure
    stc
    ret

int13_handler:
    sti
    ENTER_FRAME
    cld
    cmp dl, 0x80
    jne .bad_drive
    call load_ebda_ds
    cmp byte [EBDA_DISK_OK], 1
    jne .bad_drive
    cmp ah, 0x00
    je d_reset
    cmp ah, 0x01
    je d_status
    cmp ah, 0x02
    je d_read_chs
    cmp ah, 0x03
    je d_write_protected
    cmp ah, 0x04
    je d_verify
    cmp ah, 0x08
    je d_params
    cmp ah, 0x0C
    je d_reset
    cmp ah, 0x0D
    je d_reset
    cmp ah, 0x10
    je d_reset
    cmp ah, 0x15
    je d_type
    cmp ah, 0x41
    je d_edd_check
    cmp ah, 0x42
    je d_edd_read
    cmp ah, 0x43
    je d_write_protected
    cmp ah, 0x48
    je d_edd_params
    mov ah, 0x01                        ; invalid function
    jmp d_fail
.bad_drive:
    mov ah, 0x01
d_fail:                                 ; AH = status
    mov [bp+R_AH], ah
    push ds
    mov bx, BDA_SEG
    mov ds, bx
    mov [BDA_DISK_STATUS], ah
    pop ds
    jmp ret_err
d_done:                                 ; success, AH = 0
    mov byte [bp+R_AH], 0
    push ds
    mov bx, BDA_SEG
    mov ds, bx
    mov byte [BDA_DISK_STATUS], 0
    pop ds
    jmp ret_ok

d_reset:
    jmp d_done

d_status:
    push ds
    mov bx, BDA_SEG
    mov ds, bx
    mov al, [BDA_DISK_STATUS]
    pop ds
    mov [bp+R_AL], al
    jmp d_done

d_write_protected:
    mov ah, 0x03
    jmp d_fail

; CHS from CH (cylinder 7:0), CL (sector 5:0, cylinder 9:8 in 7:6), DH (head) -> EAX = LBA;
; CF=1 when outside the geometry. DS = EBDA.
chs_to_lba:
    movzx eax, ch
    movzx ebx, cl
    and bl, 0xC0
    shl ebx, 2
    or eax, ebx                         ; EAX = cylinder
    cmp ax, [EBDA_DISK_CYLS]
    jae .bad
    movzx ebx, dh
    cmp bx, [EBDA_DISK_HEADS]
    jae .bad
    movzx esi, cl
    and si, 0x3F                        ; ESI = sector (1-based)
    jz .bad
    cmp si, [EBDA_DISK_SPT]
    ja .bad
    movzx edx, word [EBDA_DISK_HEADS]
    imul eax, edx
    add eax, ebx
    movzx edx, word [EBDA_DISK_SPT]
    imul eax, edx
    add eax, esi
    dec eax
    clc
    ret
.bad:
    stc
    ret

d_read_chs:                             ; AL count, ES:BX buffer
    test al, al
    jz .bad_count
    cmp al, 128
    ja .bad_count
    call chs_to_lba
    jc .bad_sector
    movzx cx, byte [bp+R_AL]
    mov es, [bp+R_ES]
    mov di, [bp+R_BX]
    call ata_read
    jc d_fail
    jmp d_done
.bad_count:
    mov ah, 0x01
    jmp d_fail
.bad_sector:
    mov ah, 0x04
    jmp d_fail

d_verify:
    call chs_to_lba
    jc d_read_chs.bad_sector
    jmp d_done

d_params:
    mov ax, [EBDA_DISK_CYLS]
    dec ax                              ; highest cylinder number
    mov [bp+R_CH], al
    shl ah, 6
    mov cl, [EBDA_DISK_SPT]
    or cl, ah
    mov [bp+R_CL], cl
    mov al, [EBDA_DISK_HEADS]
    dec al
    mov [bp+R_DH], al
    mov byte [bp+R_DL], 1               ; one hard disk
    mov byte [bp+R_BL], 0
    mov word [bp+R_ES], 0
    mov word [bp+R_DI], 0
    mov byte [bp+R_AL], 0
    jmp d_done

d_type:                                 ; AH=03h fixed disk, CX:DX = sectors
    mov eax, [EBDA_DISK_LBA]
    cmp dword [EBDA_DISK_LBA+4], 0
    je .fits
    mov eax, 0xFFFFFFFF
.fits:
    mov [bp+R_DX], ax
    shr eax, 16
    mov [bp+R_CX], ax
    mov byte [bp+R_AH], 0x03
    push ds
    mov bx, BDA_SEG
    mov ds, bx
    mov byte [BDA_DISK_STATUS], 0
    pop ds
    jmp ret_ok

d_edd_check:                            ; BX=55AAh -> BX=AA55h, AH=21h (EDD 1.1), CX bit 0
    cmp word [bp+R_BX], 0x55AA
    jne .no
    mov word [bp+R_BX], 0xAA55
    mov word [bp+R_CX], 0x0001
    mov byte [bp+R_AH], 0x21
    jmp ret_ok
.no:
    mov ah, 0x01
    jmp d_fail

d_edd_read:                             ; DS:SI = disk address packet
    push ds
    mov ds, [bp+R_DS]
    mov si, [bp+R_SI]
    mov al, [si]
    cmp al, 0x10
    jb .bad_packet
    mov cx, [si+2]
    test cx, cx
    jz .bad_packet
    cmp cx, 127
    ja .bad_packet
    cmp dword [si+12], 0
    jne .bad_lba
    mov eax, [si+8]
    mov di, [si+4]
    mov es, [si+6]
    pop ds
    push cx
    call ata_read
    pop cx
    jc .failed
    jmp d_done
.failed:
    mov ds, [bp+R_DS]
    mov si, [bp+R_SI]
    mov word [si+2], 0
    jmp d_fail
.bad_packet:
    pop ds
    mov ah, 0x01
    jmp d_fail
.bad_lba:
    pop ds
    mov ah, 0x04
    jmp d_fail

d_edd_params:                           ; DS:SI = result buffer, word 0 = its size
    mov es, [bp+R_DS]
    mov di, [bp+R_SI]
    cmp word [es:di], 0x1A
    jb .small
    mov word [es:di], 0x1A
    mov word [es:di+2], 0x0002          ; CHS information valid
    movzx eax, word [EBDA_DISK_CYLS]
    mov [es:di+4], eax
    movzx eax, word [EBDA_DISK_HEADS]
    mov [es:di+8], eax
    movzx eax, word [EBDA_DISK_SPT]
    mov [es:di+12], eax
    mov eax, [EBDA_DISK_LBA]
    mov [es:di+16], eax
    mov eax, [EBDA_DISK_LBA+4]
    mov [es:di+20], eax
    mov word [es:di+24], 512
    jmp d_done
.small:
    mov ah, 0x01
    jmp d_fail
