// The BIOS e820 memory map (arch/x86/include/asm/e820/types.h, arch/x86/kernel/e820.c): the
// bootloader copies it into boot_params; machines without a BIOS get a standard PC map here.

import { PageAllocError } from './errors.js';

/** One e820 entry: a physical range and its type (E820_TYPE_*). Same shape as in boot_params. */
export interface E820Entry {
  addr: number;
  size: number;
  type: number;
}

export const E820_TYPE_RAM = 1;
export const E820_TYPE_RESERVED = 2;
export const E820_TYPE_ACPI = 3;
export const E820_TYPE_NVS = 4;
export const E820_TYPE_UNUSABLE = 5;

/** Where the PC's reserved low areas and the PCI/firmware hole sit. */
export const EBDA_START = 0x9fc00;
export const ISA_START = 0xa0000;
export const BIOS_ROM_START = 0xf0000;
export const HIGH_MEMORY_START = 0x100000;
/** On machines with more than 3 GiB, RAM stops at 3 GiB and the PCI/firmware hole follows. */
export const PCI_HOLE_START = 0xc0000000;
/** The APIC/BIOS-flash range below 4 GiB that firmware reports as reserved. */
export const FIRMWARE_RESERVED_START = 0xfec00000;
const FOUR_GIB = 0x1_0000_0000;

/**
 * A standard PC e820 map for `ramSize` bytes of RAM: base memory up to the EBDA (0x9FC00), the
 * EBDA and the BIOS ROM reserved, RAM from 1 MiB, and on machines larger than 3 GiB a hole from
 * 3 GiB with the firmware range below 4 GiB reserved. RAM that the hole displaces would sit above
 * 4 GiB, out of reach without PAE (a non-PAE kernel says "only 4GB will be used"), so it is left out.
 */
export function e820_default_map(ramSize: number): E820Entry[] {
  if (!Number.isInteger(ramSize) || ramSize < 2 * 1024 * 1024 || ramSize > FOUR_GIB) {
    throw new PageAllocError(
      `e820_default_map: ramSize must be an integer from 2 MiB to 4 GiB, got ${ramSize}`,
    );
  }
  const map: E820Entry[] = [
    { addr: 0, size: EBDA_START, type: E820_TYPE_RAM },
    { addr: EBDA_START, size: ISA_START - EBDA_START, type: E820_TYPE_RESERVED },
    { addr: BIOS_ROM_START, size: HIGH_MEMORY_START - BIOS_ROM_START, type: E820_TYPE_RESERVED },
  ];
  const ramEnd = Math.min(ramSize, PCI_HOLE_START);
  map.push({ addr: HIGH_MEMORY_START, size: ramEnd - HIGH_MEMORY_START, type: E820_TYPE_RAM });
  if (ramSize > PCI_HOLE_START) {
    map.push({
      addr: FIRMWARE_RESERVED_START,
      size: FOUR_GIB - FIRMWARE_RESERVED_START,
      type: E820_TYPE_RESERVED,
    });
  }
  return map;
}

/** The type name e820__print_table() shows. */
export function e820_type_name(type: number): string {
  switch (type) {
    case E820_TYPE_RAM:
      return 'usable';
    case E820_TYPE_RESERVED:
      return 'reserved';
    case E820_TYPE_ACPI:
      return 'ACPI data';
    case E820_TYPE_NVS:
      return 'ACPI NVS';
    case E820_TYPE_UNUSABLE:
      return 'unusable';
    default:
      return `type ${type}`;
  }
}

/** The lines e820__print_table("BIOS-e820") prints at boot. */
export function e820_print_table(map: readonly E820Entry[], who = 'BIOS-e820'): string[] {
  return map.map(
    (e) => `${who}: [mem 0x${hex16(e.addr)}-0x${hex16(e.addr + e.size - 1)}] ${e820_type_name(e.type)}`,
  );
}

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** Checks an e820 entry's fields (host-side input validation). */
export function e820_check(map: readonly E820Entry[]): void {
  map.forEach((e, i) => {
    for (const field of ['addr', 'size', 'type'] as const) {
      const v = e[field];
      if (!Number.isInteger(v) || v < 0) {
        throw new PageAllocError(`e820[${i}].${field} must be a non-negative integer, got ${v}`);
      }
    }
  });
}
