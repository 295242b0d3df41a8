// Linux x86 boot protocol constants (Documentation/arch/x86/boot.rst).

/** "HdrS" at offset 0x202 of a bzImage, read as a little-endian 32-bit value. */
export const HDRS_MAGIC = 0x53726448;
/** The setup header starts at this offset in the image (and in boot_params). */
export const SETUP_HEADER_OFFSET = 0x1f1;
/** 0xAA55 boot sector signature at offset 0x1FE. */
export const BOOT_FLAG = 0xaa55;
