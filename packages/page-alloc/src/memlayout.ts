// The 32-bit x86 kernel's address-space layout (arch/x86/include/asm/page_32_types.h,
// pgtable_32_areas.h, highmem.h, fixmap.h) without PAE: 4 KiB pages, a 3G/1G split with lowmem
// mapped linearly at PAGE_OFFSET, then the vmalloc area, the PKMAP window and the fixmap.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = ~(PAGE_SIZE - 1);
/** Start of the kernel's linear mapping of lowmem (CONFIG_PAGE_OFFSET for the 3G/1G split). */
export const PAGE_OFFSET = 0xc0000000;
/** Orders 0 .. MAX_PAGE_ORDER (10) exist: NR_PAGE_ORDERS = 11 free lists per zone. */
export const MAX_PAGE_ORDER = 10;
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
/**
 * MAX_ORDER as the seed documents (and kernels before 6.4) use it: the number of orders, so the
 * largest block is order MAX_ORDER - 1 = 10 (4 MiB).
 */
export const MAX_ORDER = NR_PAGE_ORDERS;
/** pageblock_order on x86-32 without hugetlb: MAX_PAGE_ORDER. */
export const pageblock_order = MAX_PAGE_ORDER;
export const pageblock_nr_pages = 1 << pageblock_order;

/** ZONE_DMA ends at 16 MiB (MAX_DMA_ADDRESS - PAGE_OFFSET). */
export const MAX_DMA_PFN = (16 * 1024 * 1024) >>> PAGE_SHIFT;
/** Lowmem (ZONE_DMA + ZONE_NORMAL) ends at 896 MiB (MAXMEM, the textbook 3G/1G value). */
export const MAXMEM = 896 * 1024 * 1024;
export const MAXMEM_PFN = MAXMEM >>> PAGE_SHIFT;

// Two-level paging (non-PAE): a page directory of 1024 PDEs each covering 4 MiB.
export const PGDIR_SHIFT = 22;
export const PGDIR_SIZE = 1 << PGDIR_SHIFT;
export const PTRS_PER_PGD = 1024;
export const PTRS_PER_PTE = 1024;

/** Fixmap grows down from FIXADDR_TOP, one page per slot (fix_to_virt). */
export const FIXADDR_TOP = 0xfffff000;
/** kmap_atomic()/kmap_local slots per CPU (KM_MAX_IDX) and CPUs modelled. */
export const KM_MAX_IDX = 16;
export const NR_CPUS = 1;
/** Fixmap index of the first kmap_atomic slot (FIX_KMAP_BEGIN; the slots below hold other fixmaps). */
export const FIX_KMAP_BEGIN = 16;
export const FIX_KMAP_END = FIX_KMAP_BEGIN + KM_MAX_IDX * NR_CPUS - 1;
/** The PKMAP window: LAST_PKMAP permanent kmap slots in one page table, below the fixmap. */
export const LAST_PKMAP = 1024;
export const PKMAP_BASE = 0xff800000;
/** VMALLOC_END = PKMAP_BASE - 2 * PAGE_SIZE (a gap page each side). */
export const VMALLOC_END = PKMAP_BASE - 2 * PAGE_SIZE;
/** The vmalloc area starts VMALLOC_OFFSET above high_memory, catching stray lowmem overruns. */
export const VMALLOC_OFFSET = 8 * 1024 * 1024;

/** __pa(): lowmem kernel virtual address to physical address. */
export function __pa(vaddr: number): number {
  return (vaddr - PAGE_OFFSET) >>> 0;
}

/** __va(): physical address (lowmem) to its kernel virtual address. */
export function __va(paddr: number): number {
  return (paddr + PAGE_OFFSET) >>> 0;
}

/** virt_to_phys(): same as __pa() for lowmem addresses. */
export const virt_to_phys = __pa;
/** phys_to_virt(): same as __va(). */
export const phys_to_virt = __va;

export function PFN_UP(addr: number): number {
  return Math.floor((addr + PAGE_SIZE - 1) / PAGE_SIZE);
}

export function PFN_DOWN(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

export function PFN_PHYS(pfn: number): number {
  return pfn * PAGE_SIZE;
}

export function PAGE_ALIGN(addr: number): number {
  return Math.ceil(addr / PAGE_SIZE) * PAGE_SIZE;
}

/** fix_to_virt(): the virtual address of fixmap slot `idx`. */
export function fix_to_virt(idx: number): number {
  return FIXADDR_TOP - idx * PAGE_SIZE;
}

/** PKMAP_ADDR(nr): the virtual address of permanent kmap slot `nr`. */
export function PKMAP_ADDR(nr: number): number {
  return PKMAP_BASE + nr * PAGE_SIZE;
}

/** PKMAP_NR(virt): the permanent kmap slot of a PKMAP address. */
export function PKMAP_NR(vaddr: number): number {
  return (vaddr - PKMAP_BASE) >>> PAGE_SHIFT;
}
