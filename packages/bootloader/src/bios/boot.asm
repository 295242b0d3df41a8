; int 19h: bootstrap loader. Reads LBA 0 of drive 80h to 0000:7C00, checks the 0x55AA signature,
; and jumps there with DL = 80h. No disk or no signature: print the reason and halt.

int19_handler:
    sti
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    call load_ebda_ds
    cmp byte [EBDA_DISK_OK], 1
    jne .no_disk
    xor eax, eax
    xor di, di
    mov bx, 0x07C0
    mov es, bx
    mov cx, 1
    call ata_read
    jc .read_error
    xor ax, ax
    mov ds, ax
    cmp word [0x7DFE], 0xAA55
    jne .no_signature
    POST 0x19
    xor ax, ax
    mov es, ax
    xor bx, bx
    xor cx, cx
    xor si, si
    xor di, di
    xor bp, bp
    mov dx, 0x0080
    jmp 0x0000:0x7C00
.no_disk:
    mov si, msg_no_disk
    jmp .fail
.read_error:
    mov si, msg_read_error
    jmp .fail
.no_signature:
    mov si, msg_no_signature
.fail:
    call print_str
    jmp halt_forever

msg_no_disk:      db "k BIOS: no bootable disk: no ATA drive answered on the primary channel; system halted", 13, 10, 0
msg_read_error:   db "k BIOS: no bootable disk: cannot read the boot sector; system halted", 13, 10, 0
msg_no_signature: db "k BIOS: no bootable disk: the boot sector has no 0x55AA signature; system halted", 13, 10, 0
