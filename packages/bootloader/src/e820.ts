// The e820 memory map (arch/x86/include/uapi/asm/e820.h, boot_e820_entry): 20-byte entries of
// {u64 addr, u64 size, u32 type}; and the map the k BIOS builds from the CMOS memory-size bytes
// (bios/e820map.asm), so hosts can predict and check what a kernel will be told.

import { BootImageError } from './errors.js';

export const E820_RAM = 1;
export const E820_RESERVED = 2;
export const E820_ACPI = 3;
export const E820_NVS = 4;
export const E820_UNUSABLE = 5;
export const E820_ENTRY_SIZE = 20;
/** Entries boot_params.e820_table holds (E820_MAX_ENTRIES_ZEROPAGE). */
export const E820_MAX_ENTRIES_ZEROPAGE = 128;

export interface E820Entry {
  /** Start address (exact below 2^53). */
  addr: number;
  size: number;
  type: number;
}

const TYPE_NAMES: Record<number, string> = {
  1: 'usable',
  2: 'reserved',
  3: 'ACPI data',
  4: 'ACPI NVS',
  5: 'unusable',
};

/** The name Linux prints for an e820 type ("usable", "reserved", ...). */
export function e820TypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

/** Formats an entry the way Linux's e820__print_table does: `[mem 0x...-0x...] usable`. */
export function formatE820Entry(e: E820Entry): string {
  const h = (n: number) => `0x${n.toString(16).padStart(16, '0')}`;
  return `[mem ${h(e.addr)}-${h(e.addr + e.size - 1)}] ${e820TypeName(e.type)}`;
}

function u64(bytes: Uint8Array, off: number): number {
  const lo = (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0;
  const hi = (bytes[off + 4] | (bytes[off + 5] << 8) | (bytes[off + 6] << 16) | (bytes[off + 7] << 24)) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

/** Decodes `count` 20-byte entries. */
export function parseE820Table(bytes: Uint8Array, count: number): E820Entry[] {
  if (!Number.isInteger(count) || count < 0 || count * E820_ENTRY_SIZE > bytes.length) {
    throw new BootImageError('count', count, `${count} e820 entries do not fit in ${bytes.length} bytes`);
  }
  const out: E820Entry[] = [];
  for (let i = 0; i < count; i++) {
    const off = i * E820_ENTRY_SIZE;
    const type =
      (bytes[off + 16] | (bytes[off + 17] << 8) | (bytes[off + 18] << 16) | (bytes[off + 19] << 24)) >>> 0;
    out.push({ addr: u64(bytes, off), size: u64(bytes, off + 8), type });
  }
  return out;
}

/** The CMOS memory-size bytes the BIOS reads. */
export interface CmosMemory {
  /** 0x15/0x16: KiB of base memory (640). */
  baseKiB: number;
  /** 0x30/0x31: KiB between 1 MiB and 64 MiB. */
  extKiB: number;
  /** 0x34/0x35: 64 KiB blocks between 16 MiB and 4 GiB. */
  ext16Blocks: number;
  /** 0x5B-0x5D: 64 KiB blocks above 4 GiB. */
  highBlocks: number;
}

/** Reads the memory-size bytes from a CMOS register reader. */
export function cmosMemory(read: (register: number) => number): CmosMemory {
  return {
    baseKiB: read(0x15) | (read(0x16) << 8),
    extKiB: read(0x30) | (read(0x31) << 8),
    ext16Blocks: read(0x34) | (read(0x35) << 8),
    highBlocks: read(0x5b) | (read(0x5c) << 8) | (read(0x5d) << 16),
  };
}

const LOW_RAM_LIMIT = 0xfffc0000;

/** The e820 map the k BIOS builds for these CMOS values (mirrors bios/e820map.asm). */
export function biosE820Map(cmos: CmosMemory): E820Entry[] {
  let base = cmos.baseKiB;
  if (base > 640 || base < 64) base = 640;
  const ebda = (base - 1) * 1024;
  const map: E820Entry[] = [
    { addr: 0, size: ebda, type: E820_RAM },
    { addr: ebda, size: 0xa0000 - ebda, type: E820_RESERVED },
    { addr: 0xf0000, size: 0x10000, type: E820_RESERVED },
  ];
  const ext16 = Math.min(cmos.ext16Blocks, (LOW_RAM_LIMIT - 0x1000000) / 0x10000);
  const extSize = ext16 ? ext16 * 0x10000 + 0x1000000 - 0x100000 : cmos.extKiB * 1024;
  if (extSize) map.push({ addr: 0x100000, size: extSize, type: E820_RAM });
  map.push({ addr: LOW_RAM_LIMIT, size: 0x1_0000_0000 - LOW_RAM_LIMIT, type: E820_RESERVED });
  if (cmos.highBlocks) map.push({ addr: 0x1_0000_0000, size: cmos.highBlocks * 0x10000, type: E820_RAM });
  return map;
}
