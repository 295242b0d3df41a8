// Early boot memory (mm/memblock.c): the RAM regions from e820 and the reserved ones (the kernel
// image, firmware areas, early allocations). The page allocator takes over what is RAM and not
// reserved (memblock_free_all); reserved pages keep PG_reserved.

import { PAGE_SIZE } from './memlayout.js';

export interface MemblockRegion {
  base: number;
  size: number;
}

export class MemblockType {
  readonly regions: MemblockRegion[] = [];

  constructor(readonly name: string) {}

  get total_size(): number {
    let n = 0;
    for (const r of this.regions) n += r.size;
    return n;
  }

  /** memblock_add_range(): inserts [base, base+size) keeping regions sorted and merged. */
  add(base: number, size: number): void {
    if (size <= 0) return;
    let start = base;
    let end = base + size;
    const kept: MemblockRegion[] = [];
    for (const r of this.regions) {
      const rEnd = r.base + r.size;
      if (rEnd < start || r.base > end) kept.push(r);
      else {
        start = Math.min(start, r.base);
        end = Math.max(end, rEnd);
      }
    }
    kept.push({ base: start, size: end - start });
    kept.sort((a, b) => a.base - b.base);
    this.regions.length = 0;
    this.regions.push(...kept);
  }

  /** Removes [base, base+size) (memblock_remove_range). */
  remove(base: number, size: number): void {
    const end = base + size;
    const kept: MemblockRegion[] = [];
    for (const r of this.regions) {
      const rEnd = r.base + r.size;
      if (rEnd <= base || r.base >= end) {
        kept.push(r);
        continue;
      }
      if (r.base < base) kept.push({ base: r.base, size: base - r.base });
      if (rEnd > end) kept.push({ base: end, size: rEnd - end });
    }
    this.regions.length = 0;
    this.regions.push(...kept);
  }

  /** Does any region overlap [base, base+size)? */
  overlaps(base: number, size: number): boolean {
    const end = base + size;
    return this.regions.some((r) => r.base < end && r.base + r.size > base);
  }
}

export class Memblock {
  readonly memory = new MemblockType('memory');
  readonly reserved = new MemblockType('reserved');

  memblock_add(base: number, size: number): void {
    this.memory.add(base, size);
  }

  memblock_reserve(base: number, size: number): void {
    this.reserved.add(base, size);
  }

  memblock_remove(base: number, size: number): void {
    this.memory.remove(base, size);
  }

  /**
   * for_each_free_mem_pfn_range: [startPfn, endPfn) ranges of whole pages that are RAM and not
   * reserved (RAM rounded inwards, reservations rounded outwards), ascending.
   */
  free_pfn_ranges(): [number, number][] {
    const out: [number, number][] = [];
    const reserved = this.reserved.regions.map(
      (r) => [Math.floor(r.base / PAGE_SIZE), Math.ceil((r.base + r.size) / PAGE_SIZE)] as const,
    );
    for (const m of this.memory.regions) {
      let start = Math.ceil(m.base / PAGE_SIZE);
      const end = Math.floor((m.base + m.size) / PAGE_SIZE);
      for (const [rs, re] of reserved) {
        if (re <= start || rs >= end) continue;
        if (rs > start) out.push([start, rs]);
        start = Math.max(start, re);
      }
      if (start < end) out.push([start, end]);
    }
    return out;
  }

  /** Whole-page RAM ranges [startPfn, endPfn) (for_each_mem_pfn_range). */
  mem_pfn_ranges(): [number, number][] {
    const out: [number, number][] = [];
    for (const m of this.memory.regions) {
      const start = Math.ceil(m.base / PAGE_SIZE);
      const end = Math.floor((m.base + m.size) / PAGE_SIZE);
      if (start < end) out.push([start, end]);
    }
    return out;
  }
}
