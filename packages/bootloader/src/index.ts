export * from './bios.js';
export * from './boot.js';
export * from './boot_params.js';
export * from './disk_image.js';
export * from './e820.js';
export * from './errors.js';
export * from './kernel_image.js';
export * from './setup_header.js';
