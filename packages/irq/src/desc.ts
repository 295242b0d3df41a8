// Descriptor tables in simulated memory: the GDT with Linux's i386 layout, the TSS (ss0:esp0 for
// ring transitions, the I/O bitmap offset), and gate descriptor encoding. Mirrors
// arch/x86/include/asm/desc.h, desc_defs.h and the per-cpu GDT of arch/x86/kernel/cpu/common.c.

import type { GuestMemory } from './ptrace.js';
import {
  __KERNEL_DS,
  GDT_ENTRIES,
  GDT_ENTRY_DEFAULT_USER_CS,
  GDT_ENTRY_DEFAULT_USER_DS,
  GDT_ENTRY_KERNEL_CS,
  GDT_ENTRY_KERNEL_DS,
  GDT_ENTRY_PERCPU,
  GDT_ENTRY_TSS,
  GDT_SIZE,
} from './segment.js';

/** Descriptor access bytes (P, DPL, S, type). */
export const DESC_KERNEL_CODE = 0x9a;
export const DESC_KERNEL_DATA = 0x92;
export const DESC_USER_CODE = 0xfa;
export const DESC_USER_DATA = 0xf2;
export const DESC_TSS = 0x89;
/** Gate types (desc_defs.h GATE_INTERRUPT / GATE_TRAP, 32-bit). */
export const GATE_INTERRUPT = 0xe;
export const GATE_TRAP = 0xf;

/** Packs a segment descriptor: [low dword, high dword]. `flags` is G, D/B, L, AVL (bits 3..0). */
export function pack_descriptor(
  base: number,
  limit: number,
  access: number,
  flags: number,
): [number, number] {
  const lo = (((base & 0xffff) << 16) | (limit & 0xffff)) >>> 0;
  const hi =
    ((base & 0xff000000) |
      ((flags & 0xf) << 20) |
      (limit & 0xf0000) |
      ((access & 0xff) << 8) |
      ((base >>> 16) & 0xff)) >>>
    0;
  return [lo, hi];
}

/** Packs a 32-bit interrupt or trap gate: [low dword, high dword]. */
export function pack_gate(type: number, offset: number, dpl: number, selector: number): [number, number] {
  const lo = (((selector & 0xffff) << 16) | (offset & 0xffff)) >>> 0;
  const hi = ((offset & 0xffff0000) | 0x8000 | ((dpl & 3) << 13) | ((type & 0xf) << 8)) >>> 0;
  return [lo, hi];
}

export function write_descriptor(
  mem: GuestMemory,
  table: number,
  entry: number,
  desc: [number, number],
): void {
  mem.write32(table + entry * 8, desc[0]);
  mem.write32(table + entry * 8 + 4, desc[1]);
}

// struct x86_hw_tss (i386)
export const TSS_ESP0 = 4;
export const TSS_SS0 = 8;
export const TSS_CR3 = 28;
export const TSS_IO_BITMAP_BASE = 102;
export const TSS_SIZE = 104;
/** io_bitmap_base beyond the TSS limit: every port is denied above IOPL (INVALID_IO_BITMAP_OFFSET). */
export const INVALID_IO_BITMAP_OFFSET = 0x8000;
export const IO_BITMAP_BITS = 65536;
export const IO_BITMAP_BYTES = IO_BITMAP_BITS / 8;

/**
 * Writes the GDT: null and reserved entries zero, flat 4 GiB kernel and user code/data, the
 * per-cpu segment (flat; there is one CPU), and the TSS descriptor at `tss` with `tssLimit`.
 */
export function write_gdt(mem: GuestMemory, gdt: number, tss: number, tssLimit: number): void {
  for (let i = 0; i < GDT_SIZE; i += 4) mem.write32(gdt + i, 0);
  write_descriptor(mem, gdt, GDT_ENTRY_KERNEL_CS, pack_descriptor(0, 0xfffff, DESC_KERNEL_CODE, 0xc));
  write_descriptor(mem, gdt, GDT_ENTRY_KERNEL_DS, pack_descriptor(0, 0xfffff, DESC_KERNEL_DATA, 0xc));
  write_descriptor(mem, gdt, GDT_ENTRY_DEFAULT_USER_CS, pack_descriptor(0, 0xfffff, DESC_USER_CODE, 0xc));
  write_descriptor(mem, gdt, GDT_ENTRY_DEFAULT_USER_DS, pack_descriptor(0, 0xfffff, DESC_USER_DATA, 0xc));
  write_descriptor(mem, gdt, GDT_ENTRY_PERCPU, pack_descriptor(0, 0xfffff, DESC_KERNEL_DATA, 0xc));
  write_descriptor(mem, gdt, GDT_ENTRY_TSS, pack_descriptor(tss, tssLimit, DESC_TSS, 0));
  void GDT_ENTRIES;
}

/**
 * Writes the TSS: ss0 = __KERNEL_DS, esp0 as given, and either no I/O bitmap (every port denied
 * from ring 3) or a full bitmap right after the TSS, all ones (denied), for ioperm().
 * Returns the TSS limit to put in its descriptor.
 */
export function write_tss(mem: GuestMemory, tss: number, esp0: number, withIoBitmap: boolean): number {
  for (let i = 0; i < TSS_SIZE; i += 4) mem.write32(tss + i, 0);
  mem.write32(tss + TSS_ESP0, esp0);
  mem.write16(tss + TSS_SS0, __KERNEL_DS);
  if (!withIoBitmap) {
    mem.write16(tss + TSS_IO_BITMAP_BASE, INVALID_IO_BITMAP_OFFSET);
    return TSS_SIZE - 1;
  }
  mem.write16(tss + TSS_IO_BITMAP_BASE, TSS_SIZE);
  // The bitmap plus the terminating all-ones byte the CPU may read past the last port.
  for (let i = 0; i <= IO_BITMAP_BYTES; i++) mem.write8(tss + TSS_SIZE + i, 0xff);
  return TSS_SIZE + IO_BITMAP_BYTES;
}
