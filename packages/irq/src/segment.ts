// The i386 GDT layout and segment selectors of arch/x86/include/asm/segment.h.
//
//   0 null, 1-3 reserved, 4-5 unused, 6-8 TLS, 9-11 reserved,
//  12 kernel code (0x60), 13 kernel data (0x68), 14 user code (0x73), 15 user data (0x7b),
//  16 TSS (0x80), 17 LDT (0x88), 18-22 PNPBIOS, 23-25 APM, 26 ESPFIX, 27 per-cpu (0xd8),
//  28 stack canary, 29-30 unused, 31 double-fault TSS.

export const GDT_ENTRIES = 32;
export const GDT_SIZE = GDT_ENTRIES * 8;

export const GDT_ENTRY_TLS_MIN = 6;
export const GDT_ENTRY_KERNEL_CS = 12;
export const GDT_ENTRY_KERNEL_DS = 13;
export const GDT_ENTRY_DEFAULT_USER_CS = 14;
export const GDT_ENTRY_DEFAULT_USER_DS = 15;
export const GDT_ENTRY_TSS = 16;
export const GDT_ENTRY_LDT = 17;
export const GDT_ENTRY_ESPFIX_SS = 26;
export const GDT_ENTRY_PERCPU = 27;
export const GDT_ENTRY_STACK_CANARY = 28;
export const GDT_ENTRY_DOUBLEFAULT_TSS = 31;

export const __KERNEL_CS = GDT_ENTRY_KERNEL_CS * 8; // 0x60
export const __KERNEL_DS = GDT_ENTRY_KERNEL_DS * 8; // 0x68
export const __USER_CS = GDT_ENTRY_DEFAULT_USER_CS * 8 + 3; // 0x73
export const __USER_DS = GDT_ENTRY_DEFAULT_USER_DS * 8 + 3; // 0x7b
export const __KERNEL_TSS = GDT_ENTRY_TSS * 8; // 0x80
export const __KERNEL_LDT = GDT_ENTRY_LDT * 8; // 0x88
export const __KERNEL_PERCPU = GDT_ENTRY_PERCPU * 8; // 0xd8
export const __ESPFIX_SS = GDT_ENTRY_ESPFIX_SS * 8; // 0xd0
