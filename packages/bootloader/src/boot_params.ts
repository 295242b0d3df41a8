// struct boot_params, the "zero page" (arch/x86/include/uapi/asm/bootparam.h): the offsets the
// setup code fills, and a reader that decodes one from guest memory.

import { E820_ENTRY_SIZE, E820_MAX_ENTRIES_ZEROPAGE, type E820Entry, parseE820Table } from './e820.js';
import { BootImageError } from './errors.js';
import { readSetupHeader, type SetupHeader } from './setup_header.js';

export const BOOT_PARAMS_SIZE = 0x1000;
/** Offsets inside boot_params. */
export const BP = {
  screen_info: 0x000,
  apm_bios_info: 0x040,
  ist_info: 0x060,
  acpi_rsdp_addr: 0x070,
  ext_ramdisk_image: 0x0c0,
  ext_ramdisk_size: 0x0c4,
  ext_cmd_line_ptr: 0x0c8,
  edid_info: 0x140,
  alt_mem_k: 0x1e0,
  e820_entries: 0x1e8,
  eddbuf_entries: 0x1e9,
  edd_mbr_sig_buf_entries: 0x1ea,
  kbd_status: 0x1eb,
  hdr: 0x1f1,
  edd_mbr_sig_buffer: 0x290,
  e820_table: 0x2d0,
  eddbuf: 0xd00,
} as const;

/** struct screen_info fields the real-mode setup fills. */
export interface ScreenInfo {
  orig_x: number;
  orig_y: number;
  ext_mem_k: number;
  orig_video_page: number;
  orig_video_mode: number;
  orig_video_cols: number;
  orig_video_ega_bx: number;
  orig_video_lines: number;
  orig_video_isVGA: number;
  orig_video_points: number;
}

export interface BootParams {
  /** Linear address boot_params was read from. */
  address: number;
  screen_info: ScreenInfo;
  ist_info: { signature: number; command: number; event: number; perf_level: number };
  alt_mem_k: number;
  e820_entries: number;
  e820_table: E820Entry[];
  kbd_status: number;
  eddbuf_entries: number;
  edd_mbr_sig_buf_entries: number;
  hdr: SetupHeader;
  /** The NUL-terminated string at hdr.cmd_line_ptr (null when the pointer is 0 or unreadable). */
  cmdline: string | null;
}

/** Anything that can hand out bytes of guest physical memory (PhysicalMemory does). */
export interface MemoryReader {
  readBytes(addr: number, length: number): Uint8Array;
}

/** Reads the command line at `addr`, up to `max` bytes or the first NUL. */
export function readCString(memory: MemoryReader, addr: number, max = 4096): string | null {
  if (!addr) return null;
  let bytes: Uint8Array;
  try {
    bytes = memory.readBytes(addr, max);
  } catch {
    return null;
  }
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Decodes the boot_params at linear (physical) address `addr`. */
export function readBootParams(memory: MemoryReader, addr: number): BootParams {
  if (!Number.isInteger(addr) || addr < 0) {
    throw new BootImageError('addr', addr, `expected a physical address, got ${addr}`);
  }
  const b = memory.readBytes(addr, BOOT_PARAMS_SIZE);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u8 = (o: number) => b[o];
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const entries = Math.min(u8(BP.e820_entries), E820_MAX_ENTRIES_ZEROPAGE);
  const hdr = readSetupHeader(b);
  return {
    address: addr,
    screen_info: {
      orig_x: u8(0x00),
      orig_y: u8(0x01),
      ext_mem_k: u16(0x02),
      orig_video_page: u16(0x04),
      orig_video_mode: u8(0x06),
      orig_video_cols: u8(0x07),
      orig_video_ega_bx: u16(0x0a),
      orig_video_lines: u8(0x0e),
      orig_video_isVGA: u8(0x0f),
      orig_video_points: u16(0x10),
    },
    ist_info: {
      signature: u32(BP.ist_info),
      command: u32(BP.ist_info + 4),
      event: u32(BP.ist_info + 8),
      perf_level: u32(BP.ist_info + 12),
    },
    alt_mem_k: u32(BP.alt_mem_k),
    e820_entries: u8(BP.e820_entries),
    e820_table: parseE820Table(b.subarray(BP.e820_table, BP.e820_table + entries * E820_ENTRY_SIZE), entries),
    kbd_status: u8(BP.kbd_status),
    eddbuf_entries: u8(BP.eddbuf_entries),
    edd_mbr_sig_buf_entries: u8(BP.edd_mbr_sig_buf_entries),
    hdr,
    cmdline: readCString(memory, hdr.cmd_line_ptr, Math.max(1, Math.min(hdr.cmdline_size + 1 || 256, 4096))),
  };
}
