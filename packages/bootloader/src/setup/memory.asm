; detect_memory (arch/x86/boot/memory.c): e820 into boot_params.e820_table, then E801 into
; alt_mem_k, then AH=88h into screen_info.ext_mem_k.

%define SMAP 0x534D4150

detect_memory:
    call detect_memory_e820
    call detect_memory_e801
    call detect_memory_88
    ret

detect_memory_e820:
    xor ebx, ebx
    xor bp, bp                          ; BP = count
    mov di, boot_params + BP_E820_TABLE
.next:
    push di
    mov di, e820_buf
    mov eax, 0xE820
    mov ecx, 20
    mov edx, SMAP
    int 0x15
    pop di
    jc .done
    cmp eax, SMAP
    jne .bogus
    mov si, e820_buf
    mov cx, 20
    rep movsb
    inc bp
    test ebx, ebx
    jz .done
    cmp bp, E820_MAX_ENTRIES
    jb .next
    jmp .done
.bogus:
    xor bp, bp
.done:
    mov ax, bp
    mov [boot_params + BP_E820_ENTRIES], al
    DBG "k setup: detect_memory_e820: entries "
%ifdef DEBUG
    movzx eax, bp
%endif
    DBGHEX eax
    DBGNL
    ret

e820_buf: times 20 db 0

detect_memory_e801:
    mov ax, 0xE801
    xor bx, bx
    xor cx, cx
    xor dx, dx
    int 0x15
    jc .done
    test cx, cx
    jnz .use_cx
    test dx, dx
    jz .check
.use_cx:
    mov ax, cx
    mov bx, dx
.check:
    cmp ax, 15 * 1024
    ja .done                            ; bogus
    movzx eax, ax
    jb .store
    movzx ebx, bx
    shl ebx, 6
    add eax, ebx
.store:
    mov [boot_params + BP_ALT_MEM_K], eax
    DBG "k setup: detect_memory_e801: alt_mem_k "
    DBGHEX eax
    DBGNL
.done:
    ret

detect_memory_88:
    mov ah, 0x88
    int 0x15
    mov [boot_params + BP_EXT_MEM_K], ax
    DBG "k setup: detect_memory_88: ext_mem_k "
%ifdef DEBUG
    movzx eax, ax
%endif
    DBGHEX eax
    DBGNL
    ret
