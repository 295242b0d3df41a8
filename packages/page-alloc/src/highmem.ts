// Highmem mappings (mm/highmem.c, arch/x86/mm/highmem_32.c): kmap() gives a highmem page a
// long-lived address in the PKMAP window (LAST_PKMAP slots, unmapped lazily when the window
// wraps), kmap_atomic() a short-lived per-CPU fixmap slot used as a stack. Lowmem pages are
// always mapped, so both return page_address() for them.

import { PageAllocError } from './errors.js';
import {
  FIX_KMAP_BEGIN,
  FIXADDR_TOP,
  fix_to_virt,
  KM_MAX_IDX,
  LAST_PKMAP,
  PAGE_SHIFT,
  PAGE_SIZE,
  PKMAP_ADDR,
  PKMAP_BASE,
  PKMAP_NR,
} from './memlayout.js';
import type { PageAllocator } from './page_alloc.js';
import { __PAGE_KERNEL, type KernelPageTables } from './pgtable.js';
import { KERN_ALERT, KERN_WARNING } from './printk.js';

export interface HighmemState {
  pkmap_count: Int32Array;
  pkmap_page: Int32Array;
  last_pkmap_nr: number;
  kmap_atomic_idx: number;
}

export class Highmem {
  /** pkmap_count[]: 0 free, 1 mapped but unused (flush pending), n > 1: n - 1 users. */
  readonly pkmap_count = new Int32Array(LAST_PKMAP);
  /** Which page each PKMAP slot maps (-1 none). */
  private readonly pkmap_page = new Int32Array(LAST_PKMAP).fill(-1);
  /** page_address_htable: highmem page -> its PKMAP address. */
  private readonly page_address_map = new Map<number, number>();
  private last_pkmap_nr = 0;
  /** kmap_atomic slots in use (the per-CPU kmap_ctrl.idx). */
  kmap_atomic_idx = 0;

  constructor(
    private readonly pa: PageAllocator,
    private readonly pgtables: () => KernelPageTables,
  ) {}

  /** The PKMAP address of a kmapped highmem page, 0 if none. */
  lookup(page: number): number {
    return this.page_address_map.get(page) ?? 0;
  }

  /** flush_all_zero_pkmaps(): unmaps every slot nobody uses any more. */
  private flush_all_zero_pkmaps(): void {
    const pt = this.pgtables();
    let flushed = false;
    for (let i = 0; i < LAST_PKMAP; i++) {
      if (this.pkmap_count[i] !== 1) continue;
      this.pkmap_count[i] = 0;
      pt.pte_clear(PKMAP_ADDR(i));
      this.page_address_map.delete(this.pkmap_page[i]);
      this.pkmap_page[i] = -1;
      flushed = true;
    }
    if (flushed) this.pa.flush_tlb_kernel_range(PKMAP_ADDR(0), PKMAP_ADDR(LAST_PKMAP));
  }

  /** map_new_virtual(). */
  private map_new_virtual(page: number): number {
    let count = LAST_PKMAP;
    for (;;) {
      this.last_pkmap_nr = (this.last_pkmap_nr + 1) & (LAST_PKMAP - 1);
      if (this.last_pkmap_nr === 0) {
        this.flush_all_zero_pkmaps();
        count = LAST_PKMAP;
      }
      if (this.pkmap_count[this.last_pkmap_nr] === 0) break;
      if (--count === 0) {
        // The kernel sleeps here until a kunmap() frees a slot; nothing else runs to free one.
        throw new PageAllocError(`kmap: all ${LAST_PKMAP} PKMAP slots are in use (page ${page})`);
      }
    }
    const nr = this.last_pkmap_nr;
    const vaddr = PKMAP_ADDR(nr);
    this.pgtables().set_pte(vaddr, ((page << PAGE_SHIFT) | __PAGE_KERNEL) >>> 0);
    this.pkmap_count[nr] = 1;
    this.pkmap_page[nr] = page;
    this.page_address_map.set(page, vaddr);
    return vaddr;
  }

  /** kmap_high(). */
  kmap_high(page: number): number {
    let vaddr = this.lookup(page);
    if (!vaddr) vaddr = this.map_new_virtual(page);
    this.pkmap_count[PKMAP_NR(vaddr)]++;
    return vaddr;
  }

  /** kunmap_high(). */
  kunmap_high(page: number): void {
    const vaddr = this.lookup(page);
    if (!vaddr || this.pkmap_count[PKMAP_NR(vaddr)] < 2) {
      this.pa.printk(`${KERN_ALERT}kernel BUG at mm/highmem.c:571!\n`);
      return;
    }
    this.pkmap_count[PKMAP_NR(vaddr)]--;
  }

  /** kmap_atomic(): maps a highmem page into the next per-CPU fixmap slot. */
  kmap_atomic(page: number): number {
    if (!this.pa.PageHighMem(page)) return this.pa.page_address(page);
    if (this.kmap_atomic_idx >= KM_MAX_IDX) {
      this.pa.printk(`${KERN_ALERT}kernel BUG at mm/highmem.c:519!\n`);
      return 0;
    }
    const idx = FIX_KMAP_BEGIN + this.kmap_atomic_idx++;
    const vaddr = fix_to_virt(idx);
    this.pgtables().set_pte(vaddr, ((page << PAGE_SHIFT) | __PAGE_KERNEL) >>> 0);
    return vaddr;
  }

  /** kunmap_atomic(): releases the most recent kmap_atomic() slot (they nest like a stack). */
  kunmap_atomic(addr: number): void {
    const vaddr = (addr & ~(PAGE_SIZE - 1)) >>> 0;
    const lowest = fix_to_virt(FIX_KMAP_BEGIN + KM_MAX_IDX - 1);
    if (vaddr < lowest || vaddr > FIXADDR_TOP || vaddr < PKMAP_BASE) return; // lowmem: nothing mapped
    const expected = fix_to_virt(FIX_KMAP_BEGIN + this.kmap_atomic_idx - 1);
    if (this.kmap_atomic_idx === 0 || vaddr !== expected) {
      this.pa.printk(
        `${KERN_WARNING}WARNING: CPU: 0 PID: ${this.pa.context.current_pid()} at mm/highmem.c:588 kunmap_local_indexed\n`,
      );
      return;
    }
    this.pgtables().pte_clear(vaddr);
    this.pa.flush_tlb_kernel_range(vaddr, vaddr + PAGE_SIZE);
    this.kmap_atomic_idx--;
  }

  save(): HighmemState {
    return {
      pkmap_count: this.pkmap_count.slice(),
      pkmap_page: this.pkmap_page.slice(),
      last_pkmap_nr: this.last_pkmap_nr,
      kmap_atomic_idx: this.kmap_atomic_idx,
    };
  }

  restore(s: HighmemState): void {
    this.pkmap_count.set(s.pkmap_count);
    this.pkmap_page.set(s.pkmap_page);
    this.last_pkmap_nr = s.last_pkmap_nr;
    this.kmap_atomic_idx = s.kmap_atomic_idx;
    this.page_address_map.clear();
    for (let i = 0; i < LAST_PKMAP; i++) {
      if (this.pkmap_page[i] >= 0) this.page_address_map.set(this.pkmap_page[i], PKMAP_ADDR(i));
    }
  }

  /** Number of PKMAP slots mapped. */
  get nr_pkmaps(): number {
    return this.page_address_map.size;
  }
}
