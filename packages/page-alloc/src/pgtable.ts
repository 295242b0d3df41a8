// The kernel page tables (arch/x86/mm/init_32.c, pgtable_32.c, include/asm/pgtable_types.h):
// swapper_pg_dir is a real two-level x86 page directory in simulated memory. paging_init() maps
// lowmem at PAGE_OFFSET (4 KiB pages, or 4 MiB PSE pages when asked) and sets up the page tables
// of the PKMAP window and the fixmap; vmalloc adds its page tables on demand.

import { __GFP_ZERO, GFP_KERNEL } from './gfp.js';
import {
  FIXADDR_TOP,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
  PGDIR_SHIFT,
  PGDIR_SIZE,
  PKMAP_BASE,
  PTRS_PER_PTE,
} from './memlayout.js';
import type { PageAllocator } from './page_alloc.js';

export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_PWT = 0x008;
export const _PAGE_PCD = 0x010;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
export const _PAGE_PSE = 0x080;
export const _PAGE_GLOBAL = 0x100;
/** A PDE pointing at a kernel page table. */
export const _KERNPG_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;
/** A kernel data PTE (no NX without PAE, so it is also PAGE_KERNEL_EXEC). */
export const __PAGE_KERNEL = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL;
export const PAGE_KERNEL = __PAGE_KERNEL;
/** A 4 MiB kernel PDE (PSE). */
export const PAGE_KERNEL_LARGE = __PAGE_KERNEL | _PAGE_PSE;
/** Index of the first kernel PDE (KERNEL_PGD_BOUNDARY). */
export const KERNEL_PGD_BOUNDARY = PAGE_OFFSET >>> PGDIR_SHIFT;

const PTE_ADDR_MASK = 0xfffff000;

export interface PagingInitOptions {
  /** Map lowmem with 4 MiB pages (needs CR4.PSE; a 386 has none). Default false. */
  pse?: boolean;
}

/** The kernel's page directory and the walks over it. */
export class KernelPageTables {
  /** Physical address of swapper_pg_dir. */
  readonly swapper_pg_dir: number;

  constructor(
    private readonly pa: PageAllocator,
    options: PagingInitOptions = {},
    /** An existing swapper_pg_dir (restoring a saved machine): nothing is built. */
    existing?: number,
  ) {
    if (existing !== undefined) {
      this.swapper_pg_dir = existing;
      return;
    }
    this.swapper_pg_dir = this.alloc_table();
    this.kernel_physical_mapping_init(options.pse ?? false);
    // permanent_kmaps_init() and the fixmap: their page tables exist from boot.
    this.pte_alloc_kernel(PKMAP_BASE);
    this.pte_alloc_kernel(FIXADDR_TOP);
  }

  /** A zeroed page for a page table, kept out of the allocator's managed pages. */
  private alloc_table(): number {
    const page = this.pa.alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (page === null) throw new Error('paging_init: out of memory for page tables');
    this.pa.reserve_allocated_page(page);
    this.pa.mod_node_page_state('nr_page_table_pages', 1);
    return page * PAGE_SIZE;
  }

  /** Maps pfns [0, max_low_pfn) at PAGE_OFFSET. */
  private kernel_physical_mapping_init(pse: boolean): void {
    const mem = this.pa.memory;
    const end = this.pa.max_low_pfn;
    const table = new Uint32Array(PTRS_PER_PTE);
    const bytes = new Uint8Array(table.buffer);
    for (let pfn = 0; pfn < end; pfn += PTRS_PER_PTE) {
      const pde_addr = this.swapper_pg_dir + (KERNEL_PGD_BOUNDARY + pfn / PTRS_PER_PTE) * 4;
      if (pse && pfn + PTRS_PER_PTE <= end) {
        mem.write32(pde_addr, ((pfn << PAGE_SHIFT) | PAGE_KERNEL_LARGE) >>> 0);
        continue;
      }
      const pt = this.alloc_table();
      table.fill(0);
      const n = Math.min(PTRS_PER_PTE, end - pfn);
      for (let i = 0; i < n; i++) table[i] = (((pfn + i) << PAGE_SHIFT) | __PAGE_KERNEL) >>> 0;
      mem.writeBytes(pt, bytes);
      mem.write32(pde_addr, (pt | _KERNPG_TABLE) >>> 0);
    }
  }

  /** pte_alloc_kernel(): the physical address of the page table covering `vaddr`, allocated if absent. */
  pte_alloc_kernel(vaddr: number): number {
    const pde_addr = this.swapper_pg_dir + (vaddr >>> PGDIR_SHIFT) * 4;
    const pde = this.pa.memory.read32(pde_addr);
    if (pde & _PAGE_PRESENT) return (pde & PTE_ADDR_MASK) >>> 0;
    const pt = this.alloc_table();
    this.pa.memory.write32(pde_addr, (pt | _KERNPG_TABLE) >>> 0);
    return pt;
  }

  /** set_pte_at() for a kernel address: writes the PTE mapping `vaddr`. */
  set_pte(vaddr: number, pte: number): void {
    const pt = this.pte_alloc_kernel(vaddr);
    this.pa.memory.write32(pt + ((vaddr >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4, pte >>> 0);
  }

  /** pte_clear(). */
  pte_clear(vaddr: number): void {
    const pde = this.pa.memory.read32(this.swapper_pg_dir + (vaddr >>> PGDIR_SHIFT) * 4);
    if (!(pde & _PAGE_PRESENT) || pde & _PAGE_PSE) return;
    this.pa.memory.write32((pde & PTE_ADDR_MASK) + ((vaddr >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4, 0);
  }

  /**
   * Walks swapper_pg_dir like the MMU: the physical address `vaddr` maps to, or -1 when not
   * present. Used by vmalloc_to_page() and by tests that check what the CPU will see.
   */
  translate(vaddr: number, pgd = this.swapper_pg_dir): number {
    const mem = this.pa.memory;
    const pde = mem.read32(pgd + (vaddr >>> PGDIR_SHIFT) * 4);
    if (!(pde & _PAGE_PRESENT)) return -1;
    if (pde & _PAGE_PSE) return ((pde & 0xffc00000) >>> 0) + (vaddr & (PGDIR_SIZE - 1));
    const pte = mem.read32((pde & PTE_ADDR_MASK) + ((vaddr >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4);
    if (!(pte & _PAGE_PRESENT)) return -1;
    return ((pte & PTE_ADDR_MASK) >>> 0) + (vaddr & (PAGE_SIZE - 1));
  }

  /** lookup_address(): the PTE (or PSE PDE) value mapping `vaddr`, 0 if none. */
  lookup_address(vaddr: number): number {
    const mem = this.pa.memory;
    const pde = mem.read32(this.swapper_pg_dir + (vaddr >>> PGDIR_SHIFT) * 4);
    if (!(pde & _PAGE_PRESENT)) return 0;
    if (pde & _PAGE_PSE) return pde;
    return mem.read32((pde & PTE_ADDR_MASK) + ((vaddr >>> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 4);
  }

  /**
   * clone_pgd_range() for a new process page directory: copies the kernel PDEs (from
   * KERNEL_PGD_BOUNDARY up) of swapper_pg_dir into `pgd` (a physical address).
   */
  sync_kernel_mappings(pgd: number): void {
    const mem = this.pa.memory;
    const off = KERNEL_PGD_BOUNDARY * 4;
    mem.writeBytes(pgd + off, mem.readBytes(this.swapper_pg_dir + off, PAGE_SIZE - off));
  }
}
