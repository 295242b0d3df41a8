// The Linux x86 setup header (Documentation/arch/x86/boot.rst, struct setup_header in
// arch/x86/include/uapi/asm/bootparam.h): where each field lives in a bzImage and in boot_params,
// and a parser that reads one into a typed object, refusing images a loader must refuse.

import { BootImageError, hex } from './errors.js';

/** "HdrS" at offset 0x202 of a bzImage, read as a little-endian 32-bit value. */
export const HDRS_MAGIC = 0x53726448;
/** The setup header starts at this offset in the image (and in boot_params). */
export const SETUP_HEADER_OFFSET = 0x1f1;
/** 0xAA55 boot sector signature at offset 0x1FE. */
export const BOOT_FLAG = 0xaa55;
/** The oldest boot protocol this loader accepts (cmd_line_ptr, heap_end_ptr). */
export const MIN_PROTOCOL = 0x0202;
/** loadflags bits. */
export const LOADED_HIGH = 0x01;
export const KASLR_FLAG = 0x02;
export const QUIET_FLAG = 0x20;
export const KEEP_SEGMENTS = 0x40;
export const CAN_USE_HEAP = 0x80;
/** The real-mode setup code (boot sector included) must fit in 32 KiB below the heap. */
export const SETUP_MAX_BYTES = 0x8000;

/** Field name -> [offset in the image / boot_params, size in bytes]. */
export const SETUP_HEADER_FIELDS = {
  setup_sects: [0x1f1, 1],
  root_flags: [0x1f2, 2],
  syssize: [0x1f4, 4],
  ram_size: [0x1f8, 2],
  vid_mode: [0x1fa, 2],
  root_dev: [0x1fc, 2],
  boot_flag: [0x1fe, 2],
  jump: [0x200, 2],
  header: [0x202, 4],
  version: [0x206, 2],
  realmode_swtch: [0x208, 4],
  start_sys_seg: [0x20c, 2],
  kernel_version: [0x20e, 2],
  type_of_loader: [0x210, 1],
  loadflags: [0x211, 1],
  setup_move_size: [0x212, 2],
  code32_start: [0x214, 4],
  ramdisk_image: [0x218, 4],
  ramdisk_size: [0x21c, 4],
  bootsect_kludge: [0x220, 4],
  heap_end_ptr: [0x224, 2],
  ext_loader_ver: [0x226, 1],
  ext_loader_type: [0x227, 1],
  cmd_line_ptr: [0x228, 4],
  initrd_addr_max: [0x22c, 4],
  kernel_alignment: [0x230, 4],
  relocatable_kernel: [0x234, 1],
  min_alignment: [0x235, 1],
  xloadflags: [0x236, 2],
  cmdline_size: [0x238, 4],
  hardware_subarch: [0x23c, 4],
  hardware_subarch_data: [0x240, 8],
  payload_offset: [0x248, 4],
  payload_length: [0x24c, 4],
  setup_data: [0x250, 8],
  pref_address: [0x258, 8],
  init_size: [0x260, 4],
  handover_offset: [0x264, 4],
  kernel_info_offset: [0x268, 4],
} as const;

export type SetupHeaderField = keyof typeof SETUP_HEADER_FIELDS;

/** Every setup header field as a number (64-bit fields are exact below 2^53). */
export type SetupHeader = Record<SetupHeaderField, number> & {
  /** "2.15" for version 0x020F. */
  protocol: string;
  /** The kernel version string kernel_version points at, when present. */
  kernelVersion: string | null;
};

/** First offset past the header for a protocol version (the header grew with the protocol). */
export function setupHeaderEnd(version: number): number {
  if (version >= 0x020f) return 0x26c;
  if (version >= 0x020a) return 0x264;
  if (version >= 0x0209) return 0x258;
  if (version >= 0x0208) return 0x250;
  if (version >= 0x0207) return 0x240;
  if (version >= 0x0206) return 0x23c;
  if (version >= 0x0205) return 0x234;
  if (version >= 0x0203) return 0x230;
  return 0x22c;
}

function readField(bytes: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (bytes[offset + i] ?? 0);
  return v;
}

/**
 * Reads the setup header fields at 0x1F1 of `bytes` (a bzImage or a boot_params copy) without
 * validating them. Fields beyond the header of the image's protocol read as 0.
 */
export function readSetupHeader(bytes: Uint8Array): SetupHeader {
  const version = readField(bytes, 0x206, 2);
  const end = setupHeaderEnd(version);
  const out: Partial<SetupHeader> = {};
  for (const [name, [offset, size]] of Object.entries(SETUP_HEADER_FIELDS)) {
    (out as Record<string, number>)[name] = offset + size <= end ? readField(bytes, offset, size) : 0;
  }
  const h = out as SetupHeader;
  h.protocol = `${version >> 8}.${(version & 0xff).toString().padStart(2, '0')}`;
  h.kernelVersion = null;
  if (h.kernel_version) {
    const start = h.kernel_version + 0x200;
    let stop = start;
    while (stop < bytes.length && stop < start + 256 && bytes[stop] !== 0) stop++;
    if (stop < bytes.length) h.kernelVersion = new TextDecoder().decode(bytes.subarray(start, stop));
  }
  return h;
}

/** setup_sects as a loader reads it: 0 means 4. */
export function setupSectors(h: Pick<SetupHeader, 'setup_sects'>): number {
  return h.setup_sects === 0 ? 4 : h.setup_sects;
}

/**
 * Parses and validates a bzImage's setup header: the image must hold at least its setup sectors
 * and a protected-mode part, carry boot_flag 0xAA55 and "HdrS", speak boot protocol 2.02 or later,
 * be a bzImage (LOADED_HIGH), and have setup code that fits in 32 KiB.
 * Throws BootImageError naming the offending field.
 */
export function parseSetupHeader(image: Uint8Array): SetupHeader {
  if (!(image instanceof Uint8Array)) {
    throw new BootImageError('image', image, `expected a Uint8Array, got ${typeof image}`);
  }
  if (image.length < 0x400) {
    throw new BootImageError(
      'image',
      image.length,
      `truncated: ${image.length} bytes, a bzImage has at least its boot sector and setup header (1024 bytes)`,
    );
  }
  const h = readSetupHeader(image);
  if (h.header !== HDRS_MAGIC) {
    throw new BootImageError(
      'header',
      h.header,
      `missing "HdrS" signature at 0x202 (found ${hex(h.header)})`,
    );
  }
  if (h.boot_flag !== BOOT_FLAG) {
    throw new BootImageError(
      'boot_flag',
      h.boot_flag,
      `expected 0xaa55 at 0x1fe, found ${hex(h.boot_flag, 4)}`,
    );
  }
  if (h.version < MIN_PROTOCOL) {
    throw new BootImageError(
      'version',
      h.version,
      `boot protocol ${h.protocol} is too old; this loader needs 2.02 or later`,
    );
  }
  if (!(h.loadflags & LOADED_HIGH)) {
    throw new BootImageError('loadflags', h.loadflags, 'LOADED_HIGH is clear: a zImage, not a bzImage');
  }
  const setupBytes = (setupSectors(h) + 1) * 512;
  if (setupBytes > SETUP_MAX_BYTES) {
    throw new BootImageError(
      'setup_sects',
      h.setup_sects,
      `${h.setup_sects} sectors (${setupBytes} bytes of setup) do not fit below the setup heap (at most ${SETUP_MAX_BYTES / 512 - 1})`,
    );
  }
  if (setupBytes >= image.length) {
    throw new BootImageError(
      'setup_sects',
      h.setup_sects,
      `the image (${image.length} bytes) is truncated: setup_sects says the setup code alone is ${setupBytes} bytes`,
    );
  }
  return h;
}

/** Byte counts of the two parts of a bzImage. */
export function kernelParts(image: Uint8Array): { setupBytes: number; protectedModeBytes: number } {
  const h = parseSetupHeader(image);
  const setupBytes = (setupSectors(h) + 1) * 512;
  return { setupBytes, protectedModeBytes: image.length - setupBytes };
}
