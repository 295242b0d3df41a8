// Test support (not part of the public API): two-level page tables built in PhysicalMemory with a
// bump allocator for frames, so uaccess and the ring-3 harness can lay out address spaces.

// TEMPORARY: direct path while @k/x86-cpu's index does not load (CPU work in progress).
import { PhysicalMemory } from '../../x86-cpu/src/memory.js';

export { PhysicalMemory };

import { _PAGE_PRESENT, _PAGE_PSE, _PAGE_RW, _PAGE_USER, PAGE_OFFSET } from './uaccess.js';

export const USER_RW = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
export const USER_RO = _PAGE_PRESENT | _PAGE_USER;
export const KERNEL_RW = _PAGE_PRESENT | _PAGE_RW;

/** A page directory and its page tables, with frames taken from [next, limit). */
export class AddressSpace {
  readonly pgd: number;
  constructor(
    readonly memory: PhysicalMemory,
    private next: number,
    private readonly limit: number,
  ) {
    this.pgd = this.alloc();
  }

  /** A zeroed 4 KiB frame. */
  alloc(): number {
    if (this.next + 4096 > this.limit) throw new RangeError('AddressSpace: out of frames');
    const frame = this.next;
    this.next += 4096;
    this.memory.fill(frame, 4096, 0);
    return frame;
  }

  /** Maps one 4 KiB page; the PDE gets USER|RW|PRESENT so the PTE decides. */
  map(va: number, pa: number, flags: number): void {
    const pde = this.table(va);
    this.memory.write32((pde & 0xfffff000) + ((va >>> 12) & 0x3ff) * 4, (pa & 0xfffff000) | flags);
  }

  /** The PDE for `va`, creating its page table when missing. */
  private table(va: number): number {
    const pdeAddr = this.pgd + (va >>> 22) * 4;
    let pde = this.memory.read32(pdeAddr);
    if ((pde & _PAGE_PRESENT) === 0) {
      pde = this.alloc() | USER_RW;
      this.memory.write32(pdeAddr, pde);
    }
    return pde;
  }

  /** Removes a 4 KiB mapping. */
  unmap(va: number): void {
    const pde = this.memory.read32(this.pgd + (va >>> 22) * 4);
    if ((pde & _PAGE_PRESENT) === 0) return;
    this.memory.write32((pde & 0xfffff000) + ((va >>> 12) & 0x3ff) * 4, 0);
  }

  /** Maps a 4 MiB page (PSE). */
  map4m(va: number, pa: number, flags: number): void {
    this.memory.write32(this.pgd + (va >>> 22) * 4, ((pa & 0xffc00000) | flags | _PAGE_PSE) >>> 0);
  }

  /** Allocates and maps `pages` fresh pages from `va`; returns the first frame. */
  populate(va: number, pages: number, flags: number): number {
    for (let i = 0; i < pages; i++) this.table(va + i * 4096);
    let first = -1;
    for (let i = 0; i < pages; i++) {
      const frame = this.alloc();
      if (first < 0) first = frame;
      this.map(va + i * 4096, frame, flags);
    }
    return first;
  }

  /** Maps physical [0, size) at PAGE_OFFSET with supervisor 4 MiB pages (lowmem). */
  mapLowmem(size: number): void {
    for (let pa = 0; pa < size; pa += 0x400000) this.map4m(PAGE_OFFSET + pa, pa, KERNEL_RW);
  }
}
