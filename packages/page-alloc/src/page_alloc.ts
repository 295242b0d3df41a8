// The zoned buddy allocator (mm/page_alloc.c, mm/mm_init.c): memblock hands RAM to the zones,
// every pfn has a struct page kept as columns of typed arrays, each zone keeps free_area[order]
// lists threaded through those arrays, blocks split on allocation and coalesce with their buddy
// (pfn ^ 1 << order) on free. GFP flags pick the zone, the watermark and whether to reclaim.

import { type ExecutionContext, processContext } from './context.js';
import { dump_page } from './debug.js';
import { E820_TYPE_RAM, type E820Entry, e820_check, e820_default_map } from './e820.js';
import { PageAllocError } from './errors.js';
import {
  __GFP_COLD,
  __GFP_COMP,
  __GFP_DIRECT_RECLAIM,
  __GFP_HIGH,
  __GFP_HIGHMEM,
  __GFP_MEMALLOC,
  __GFP_MOVABLE,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_RETRY_MAYFAIL,
  __GFP_ZERO,
  format_gfp,
  gfp_migratetype,
  gfp_zone,
  MAX_NR_ZONES,
  ZONE_DMA,
  ZONE_HIGHMEM,
  ZONE_MOVABLE,
  ZONE_NORMAL,
} from './gfp.js';
import { Highmem, type HighmemState } from './highmem.js';
import { Memblock } from './memblock.js';
import {
  __pa,
  __va,
  MAX_DMA_PFN,
  MAX_PAGE_ORDER,
  MAXMEM_PFN,
  NR_PAGE_ORDERS,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
  pageblock_nr_pages,
  pageblock_order,
} from './memlayout.js';
import {
  setup_per_zone_lowmem_reserve,
  setup_per_zone_wmarks,
  zone_set_pageset_high_and_batch,
} from './mm_init.js';
import {
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  NIL,
  WMARK_LOW,
  WMARK_MIN,
  Zone,
} from './mmzone.js';
import {
  PAGE_FLAGS_CHECK_AT_FREE,
  PG_buddy,
  PG_head,
  PG_highmem,
  PG_reserved,
  PG_slab,
  PG_tail,
  ZONES_MASK,
  ZONES_PGSHIFT,
} from './page-flags.js';
import { KernelPageTables, type PagingInitOptions } from './pgtable.js';
import type { PhysicalMemoryLike as PhysicalMemory } from './physmem.js';
import { KERN_ALERT, KERN_ERR, KERN_WARNING, type Printk } from './printk.js';
import { show_mem } from './show_mem.js';
import { DEF_PRIORITY, do_shrink_slab, type Shrinker } from './shrinker.js';
import { Vmalloc, type VmStruct } from './vmalloc.js';
import { buddyinfo, meminfo, type NodeStats, newNodeStats, pagetypeinfo, zoneinfo } from './vmstat.js';

/** A physical range [start, end) in bytes. */
export interface PhysRange {
  start: number;
  end: number;
}

/** The mm_page_alloc / mm_page_free tracepoints (include/trace/events/kmem.h). */
export type PageAllocTraceEvent =
  | { event: 'mm_page_alloc'; pfn: number; order: number; gfp_flags: number; migratetype: number }
  | { event: 'mm_page_free'; pfn: number; order: number };

/** Everything save() captures (page contents and page tables live in PhysicalMemory). */
export interface PageAllocatorState {
  max_pfn: number;
  page_flags: Uint16Array;
  _mapcount: Int16Array;
  _refcount: Int32Array;
  _private: Int32Array;
  _lru: Int32Array;
  zones: {
    free_list: Int32Array[];
    nr_free: number[];
    nr_free_pages: number;
    managed_pages: number;
    watermark: number[];
    lowmem_reserve: number[];
    pcp_count: number;
    pcp_counts: Int32Array;
    pcp_lists: Int32Array[];
  }[];
  pageblock_migratetype: Uint8Array;
  min_free_kbytes: number;
  tainted: string;
  nr_bad_pages: number;
  node_stats: NodeStats;
  swapper_pg_dir: number;
  vmalloc: VmStruct[];
  highmem: HighmemState;
}

export interface PageAllocatorOptions {
  /** The machine's RAM. */
  memory: PhysicalMemory;
  /** The e820 map (from boot_params); default: e820_default_map(memory.size). */
  e820?: E820Entry[];
  /** Physical ranges to keep out of the allocator, e.g. the kernel image (memblock_reserve). */
  reserved?: PhysRange[];
  /** The kernel image's __init section (physical range, inside a reserved range) for free_initmem(). */
  initmem?: PhysRange;
  printk?: Printk;
  context?: ExecutionContext;
}

const B_BUDDY = 1 << PG_buddy;
const B_HEAD = 1 << PG_head;
const B_TAIL = 1 << PG_tail;
const B_SLAB = 1 << PG_slab;
const B_RESERVED = 1 << PG_reserved;
const B_HIGHMEM = 1 << PG_highmem;

/** fallbacks[]: where each migrate type looks when its own lists are empty. */
const fallbacks = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE],
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE],
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE],
];

// alloc_flags (mm/internal.h): which watermark to check and which reserves may be used.
const ALLOC_WMARK_MIN = WMARK_MIN;
const ALLOC_WMARK_LOW = WMARK_LOW;
const ALLOC_WMARK_MASK = 3;
const ALLOC_NO_WATERMARKS = 0x04;
const ALLOC_MIN_RESERVE = 0x08;
const ALLOC_NON_BLOCK = 0x10;

/** Orders above this are "costly": not retried without __GFP_RETRY_MAYFAIL. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** Rounds of reclaim without progress before a sleeping allocation gives up. */
export const MAX_RECLAIM_RETRIES = 16;

/** Where might_alloc()'s __might_sleep() reports from. */
const MIGHT_ALLOC_SITE = 'include/linux/sched/mm.h:321';
const ZONE_NAMES = ['DMA', 'Normal', 'HighMem', 'Movable'];

export class PageAllocator {
  readonly memory: PhysicalMemory;
  printk: Printk;
  /** Answers in_atomic()/irqs_disabled(); the IRQ layer installs its own. */
  context: ExecutionContext;
  /** One past the highest pfn of RAM; every struct page array has this many entries. */
  readonly max_pfn: number;
  /** One past the last lowmem pfn (min(max_pfn, 896 MiB)). */
  readonly max_low_pfn: number;
  /** First highmem pfn (== max_low_pfn). */
  readonly highstart_pfn: number;
  /** Kernel virtual address just past the lowmem mapping. */
  readonly high_memory: number;
  /** zones[ZONE_DMA], zones[ZONE_NORMAL], zones[ZONE_HIGHMEM], zones[ZONE_MOVABLE] (always empty). */
  readonly zones: Zone[];
  readonly memblock = new Memblock();
  readonly e820: readonly E820Entry[];
  /** min_free_kbytes as init_per_zone_wmark_min() computes it. */
  min_free_kbytes = 0;
  /** The kernel's taint letters (only 'B', TAINT_BAD_PAGE, is set here). */
  tainted = '';
  /** Node counters that other subsystems feed (slab pages, kernel stacks, page tables). */
  readonly node_stats: NodeStats = newNodeStats();
  /** Number of Bad page state reports so far. */
  nr_bad_pages = 0;

  // struct page, as columns (16 bytes of host memory per page):
  /** page->flags: PG_* bits and the zone number (ZONES_PGSHIFT). */
  readonly page_flags: Uint16Array;
  /** page->_mapcount (-1: unmapped). For a free block's first page (PG_buddy): its order. */
  readonly _mapcount: Int16Array;
  /** page->_refcount. */
  readonly _refcount: Int32Array;
  /** page->private. For a free block's first page: the previous block on its free list. */
  readonly _private: Int32Array;
  /**
   * page->lru / compound_head union. Free block: next block on its free list. Tail page:
   * compound_head. Allocated first page: the order it was allocated with (compound_order).
   */
  readonly _lru: Int32Array;
  /** The migrate type of each pageblock (pageblock_flags), MIGRATE_MOVABLE at boot. */
  readonly pageblock_migratetype: Uint8Array;

  private readonly shrinkers: Shrinker[] = [];
  private warned_order = false;
  private readonly initmem: PhysRange | undefined;
  /** Tracepoint sink: set it to receive mm_page_alloc / mm_page_free events (null: off). */
  trace: ((e: PageAllocTraceEvent) => void) | null = null;
  /** Hook that module code (vmalloc, highmem) uses to learn about unmapped kernel ranges. */
  flush_tlb_kernel_range: (start: number, end: number) => void = () => {};

  constructor(options: PageAllocatorOptions) {
    const { memory } = options;
    if (!memory || typeof memory.size !== 'number') {
      throw new PageAllocError(
        `PageAllocator: options.memory must be a PhysicalMemory, got ${String(memory)}`,
      );
    }
    this.memory = memory;
    this.printk = options.printk ?? (() => {});
    this.context = options.context ?? processContext;
    this.initmem = options.initmem;
    const e820 = options.e820 ?? e820_default_map(memory.size);
    e820_check(e820);
    this.e820 = e820;

    // e820__memblock_setup(): RAM entries become memblock memory; the first page is firmware's
    // (trim_bios_range), and RAM past the end of the simulated memory does not exist.
    for (const e of e820) {
      if (e.type !== E820_TYPE_RAM) continue;
      const end = Math.min(e.addr + e.size, memory.size);
      if (end > e.addr) this.memblock.memblock_add(e.addr, end - e.addr);
    }
    this.memblock.memblock_remove(0, PAGE_SIZE);
    for (const [i, r] of (options.reserved ?? []).entries()) {
      if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end < r.start) {
        throw new PageAllocError(
          `reserved[${i}] must be {start, end} with 0 <= start <= end, got ${r.start}-${r.end}`,
        );
      }
      this.memblock.memblock_reserve(r.start, r.end - r.start);
    }
    const ranges = this.memblock.mem_pfn_ranges();
    if (ranges.length === 0)
      throw new PageAllocError('e820: the map has no usable RAM inside PhysicalMemory');
    this.max_pfn = ranges[ranges.length - 1][1];
    this.max_low_pfn = Math.min(this.max_pfn, MAXMEM_PFN);
    this.highstart_pfn = this.max_low_pfn;
    this.high_memory = __va(this.max_low_pfn * PAGE_SIZE);

    const n = this.max_pfn;
    this.page_flags = new Uint16Array(n);
    this._mapcount = new Int16Array(n).fill(-1);
    this._refcount = new Int32Array(n).fill(1);
    this._private = new Int32Array(n);
    this._lru = new Int32Array(n);
    this.pageblock_migratetype = new Uint8Array(Math.ceil(n / pageblock_nr_pages)).fill(MIGRATE_MOVABLE);

    this.zones = ZONE_NAMES.map((name, i) => new Zone(name, i, MAX_NR_ZONES));
    this.free_area_init(ranges);
    this.memblock_free_all();
    this.setup_per_zone_wmarks();
    this.setup_per_zone_lowmem_reserve();
    for (const zone of this.zones) zone_set_pageset_high_and_batch(zone);
    const tables = () => this.pgtables();
    this.vmap_area = new Vmalloc(this, tables);
    this.highmem = new Highmem(this, tables);
  }

  // ---- saving and restoring ----

  /** A copy of the allocator's state; restore() puts it back (memory is saved separately). */
  save(): PageAllocatorState {
    return {
      max_pfn: this.max_pfn,
      page_flags: this.page_flags.slice(),
      _mapcount: this._mapcount.slice(),
      _refcount: this._refcount.slice(),
      _private: this._private.slice(),
      _lru: this._lru.slice(),
      zones: this.zones.map((z) => ({
        free_list: z.free_area.map((a) => a.free_list.slice()),
        nr_free: z.free_area.map((a) => a.nr_free),
        nr_free_pages: z.nr_free_pages,
        managed_pages: z.managed_pages,
        watermark: [...z._watermark],
        lowmem_reserve: [...z.lowmem_reserve],
        pcp_count: z.pcp.count,
        pcp_counts: z.pcp.counts.slice(),
        pcp_lists: z.pcp.lists.map((l) => l.slice()),
      })),
      pageblock_migratetype: this.pageblock_migratetype.slice(),
      min_free_kbytes: this.min_free_kbytes,
      tainted: this.tainted,
      nr_bad_pages: this.nr_bad_pages,
      node_stats: { ...this.node_stats },
      swapper_pg_dir: this.swapper_pg_dir,
      vmalloc: this.vmap_area.save(),
      highmem: this.highmem.save(),
    };
  }

  /** Restores a save() of an allocator built over the same e820 map. */
  restore(s: PageAllocatorState): void {
    if (s.max_pfn !== this.max_pfn) {
      throw new PageAllocError(
        `restore: state.max_pfn ${s.max_pfn} does not match this machine's max_pfn ${this.max_pfn}`,
      );
    }
    this.page_flags.set(s.page_flags);
    this._mapcount.set(s._mapcount);
    this._refcount.set(s._refcount);
    this._private.set(s._private);
    this._lru.set(s._lru);
    s.zones.forEach((zs, i) => {
      const z = this.zones[i];
      z.free_area.forEach((a, o) => {
        a.free_list.set(zs.free_list[o]);
        a.nr_free = zs.nr_free[o];
      });
      z.nr_free_pages = zs.nr_free_pages;
      z.managed_pages = zs.managed_pages;
      zs.watermark.forEach((w, k) => {
        z._watermark[k] = w;
      });
      zs.lowmem_reserve.forEach((r, k) => {
        z.lowmem_reserve[k] = r;
      });
      z.pcp.count = zs.pcp_count;
      z.pcp.counts.set(zs.pcp_counts);
      zs.pcp_lists.forEach((l, mt) => {
        z.pcp.lists[mt].set(l);
      });
    });
    this.pageblock_migratetype.set(s.pageblock_migratetype);
    this.min_free_kbytes = s.min_free_kbytes;
    this.tainted = s.tainted;
    this.nr_bad_pages = s.nr_bad_pages;
    Object.assign(this.node_stats, s.node_stats);
    this.kernel_page_tables = s.swapper_pg_dir ? new KernelPageTables(this, {}, s.swapper_pg_dir) : undefined;
    this.vmap_area.restore(s.vmalloc);
    this.highmem.restore(s.highmem);
  }

  // ---- kernel page tables, vmalloc, kmap ----

  private kernel_page_tables: KernelPageTables | undefined;
  /** The vmalloc area (vmap_area_root and friends). */
  readonly vmap_area: Vmalloc;
  /** The PKMAP window and kmap_atomic slots. */
  readonly highmem: Highmem;

  /**
   * paging_init(): builds swapper_pg_dir (lowmem at PAGE_OFFSET, the PKMAP and fixmap page
   * tables) from allocator pages marked reserved; returns its physical address. Idempotent;
   * vmalloc() and kmap() call it when nobody has.
   */
  paging_init(options: PagingInitOptions = {}): number {
    if (!this.kernel_page_tables) this.kernel_page_tables = new KernelPageTables(this, options);
    return this.kernel_page_tables.swapper_pg_dir;
  }

  /** The kernel page tables (built on first use). */
  pgtables(): KernelPageTables {
    if (!this.kernel_page_tables) this.paging_init();
    return this.kernel_page_tables!;
  }

  /** Physical address of swapper_pg_dir, 0 before paging_init(). */
  get swapper_pg_dir(): number {
    return this.kernel_page_tables?.swapper_pg_dir ?? 0;
  }

  get VMALLOC_START(): number {
    return this.vmap_area.VMALLOC_START;
  }

  /** vmalloc(): `size` bytes of virtually contiguous memory, 0 on failure. `caller` shows in vmallocinfo. */
  vmalloc(size: number, caller?: string): number {
    if (size > 0) this.__might_sleep('mm/vmalloc.c:3790');
    return this.vmap_area.vmalloc(size, caller);
  }

  /** vzalloc(): zeroed vmalloc(). */
  vzalloc(size: number, caller?: string): number {
    if (size > 0) this.__might_sleep('mm/vmalloc.c:3790');
    return this.vmap_area.vzalloc(size, caller);
  }

  vfree(addr: number): void {
    this.vmap_area.vfree(addr);
  }

  /** vmap(): maps existing pages at contiguous vmalloc-area addresses; 0 on failure. */
  vmap(pages: readonly number[], caller?: string): number {
    return this.vmap_area.vmap(pages, caller);
  }

  /** vunmap(): undoes vmap(); the pages stay allocated. */
  vunmap(addr: number): void {
    this.vmap_area.vunmap(addr);
  }

  vmalloc_to_page(addr: number): number | null {
    return this.vmap_area.vmalloc_to_page(addr);
  }

  is_vmalloc_addr(addr: number): boolean {
    return this.vmap_area.is_vmalloc_addr(addr);
  }

  find_vm_area(addr: number): VmStruct | undefined {
    return this.vmap_area.find_vm_area(addr);
  }

  /** kmap(): a long-lived kernel address for any page (may sleep). */
  kmap(page: number): number {
    this.__might_sleep('include/linux/highmem-internal.h:151');
    if (!this.PageHighMem(page)) return this.page_address(page);
    this.pgtables();
    return this.highmem.kmap_high(page);
  }

  kunmap(page: number): void {
    if (!this.PageHighMem(page)) return;
    this.highmem.kunmap_high(page);
  }

  /** kmap_atomic(): a short-lived per-CPU mapping (never sleeps); undo with kunmap_atomic(addr). */
  kmap_atomic(page: number): number {
    if (this.PageHighMem(page)) this.pgtables();
    return this.highmem.kmap_atomic(page);
  }

  kunmap_atomic(addr: number): void {
    this.highmem.kunmap_atomic(addr);
  }

  // ---- initialisation (mm/mm_init.c) ----

  /** free_area_init(): zone spans from the RAM ranges, and every struct page reserved in its zone. */
  private free_area_init(ranges: [number, number][]): void {
    const node_start = ranges[0][0];
    const limits = [
      [0, MAX_DMA_PFN],
      [MAX_DMA_PFN, this.max_low_pfn],
      [this.max_low_pfn, this.max_pfn],
      [this.max_pfn, this.max_pfn],
    ];
    for (const zone of this.zones) {
      const [lo, hi] = limits[zone.idx];
      const start = Math.max(lo, node_start);
      const end = Math.min(hi, this.max_pfn);
      if (end <= start || zone.idx === ZONE_MOVABLE) {
        zone.zone_start_pfn = zone.idx === ZONE_MOVABLE ? 0 : Math.min(Math.max(start, 0), this.max_pfn);
        continue;
      }
      zone.zone_start_pfn = start;
      zone.spanned_pages = end - start;
      for (const [s, e] of ranges) zone.present_pages += Math.max(0, Math.min(e, end) - Math.max(s, start));
      const zoneBits = (zone.idx << ZONES_PGSHIFT) | (zone.idx === ZONE_HIGHMEM ? B_HIGHMEM : 0);
      this.page_flags.fill(B_RESERVED | zoneBits, Math.max(lo, 0), end);
    }
    // pfns below the first RAM page belong to ZONE_DMA's flags but to no zone span.
  }

  /** memblock_free_all(): every page that is RAM and not reserved goes to its zone's buddy lists. */
  private memblock_free_all(): void {
    for (const [s, e] of this.memblock.free_pfn_ranges()) {
      for (const zone of this.zones) {
        const start = Math.max(s, zone.zone_start_pfn);
        const end = Math.min(e, zone.zone_end_pfn);
        if (start >= end) continue;
        this.free_range_to_zone(zone, start, end);
      }
    }
  }

  /** __free_pages_core() over a range: clears PG_reserved and adds maximal aligned blocks. */
  private free_range_to_zone(zone: Zone, start: number, end: number): void {
    const zoneBits = (zone.idx << ZONES_PGSHIFT) | (zone.idx === ZONE_HIGHMEM ? B_HIGHMEM : 0);
    this.page_flags.fill(zoneBits, start, end);
    this._refcount.fill(0, start, end);
    this._lru.fill(NIL, start, end);
    let pfn = start;
    while (pfn < end) {
      let order = MAX_PAGE_ORDER;
      while (order > 0 && ((pfn & ((1 << order) - 1)) !== 0 || pfn + (1 << order) > end)) order--;
      this.__free_one_page(pfn, zone, order);
      pfn += 1 << order;
    }
    zone.managed_pages += end - start;
    zone.nr_free_pages += end - start;
  }

  /** __setup_per_zone_wmarks(): min/low/high/promo from min_free_kbytes. */
  setup_per_zone_wmarks(): void {
    this.min_free_kbytes = setup_per_zone_wmarks(this.zones);
  }

  /** setup_per_zone_lowmem_reserve(). */
  setup_per_zone_lowmem_reserve(): void {
    setup_per_zone_lowmem_reserve(this.zones);
  }

  // ---- struct page accessors ----

  /** pfn_to_page(): a struct page * is its pfn. */
  pfn_to_page(pfn: number): number {
    return pfn;
  }

  page_to_pfn(page: number): number {
    return page;
  }

  /** page_zonenum(). */
  page_zonenum(page: number): number {
    return (this.page_flags[page] >>> ZONES_PGSHIFT) & ZONES_MASK;
  }

  page_zone(page: number): Zone {
    return this.zones[this.page_zonenum(page)];
  }

  /** pfn_valid(): does a struct page exist for this pfn? */
  pfn_valid(pfn: number): boolean {
    return Number.isInteger(pfn) && pfn >= 0 && pfn < this.max_pfn;
  }

  /** page_address(): the kernel virtual address of a page; 0 for highmem that is not kmapped. */
  page_address(page: number): number {
    if (page < this.max_low_pfn) return (PAGE_OFFSET + page * PAGE_SIZE) >>> 0;
    return this.kmap_lookup(page);
  }

  /** Where a highmem page is kmapped; 0 when it is not. */
  private kmap_lookup(page: number): number {
    return page < this.max_pfn ? this.highmem.lookup(page) : 0;
  }

  /** virt_to_page(): the page of a lowmem kernel virtual address. */
  virt_to_page(addr: number): number {
    return __pa(addr) >>> PAGE_SHIFT;
  }

  /** virt_addr_valid(): is `addr` a lowmem kernel address backed by a struct page? */
  virt_addr_valid(addr: number): boolean {
    return addr >= PAGE_OFFSET && addr < this.high_memory && this.pfn_valid(__pa(addr) >>> PAGE_SHIFT);
  }

  PageSlab(page: number): boolean {
    return (this.page_flags[page] & B_SLAB) !== 0;
  }

  __SetPageSlab(page: number): void {
    this.page_flags[page] |= B_SLAB;
  }

  __ClearPageSlab(page: number): void {
    this.page_flags[page] &= ~B_SLAB;
  }

  PageReserved(page: number): boolean {
    return (this.page_flags[page] & B_RESERVED) !== 0;
  }

  SetPageReserved(page: number): void {
    this.page_flags[page] |= B_RESERVED;
  }

  ClearPageReserved(page: number): void {
    this.page_flags[page] &= ~B_RESERVED;
  }

  /** PageBuddy(): the first page of a free block on a free_area list. */
  PageBuddy(page: number): boolean {
    return (this.page_flags[page] & B_BUDDY) !== 0;
  }

  PageHighMem(page: number): boolean {
    return (this.page_flags[page] & B_HIGHMEM) !== 0;
  }

  PageCompound(page: number): boolean {
    return (this.page_flags[page] & (B_HEAD | B_TAIL)) !== 0;
  }

  PageHead(page: number): boolean {
    return (this.page_flags[page] & B_HEAD) !== 0;
  }

  PageTail(page: number): boolean {
    return (this.page_flags[page] & B_TAIL) !== 0;
  }

  compound_head(page: number): number {
    return this.page_flags[page] & B_TAIL ? this._lru[page] : page;
  }

  /** compound_order(): the order of a compound page's head, 0 for any other page. */
  compound_order(page: number): number {
    return this.page_flags[page] & B_HEAD ? this._lru[page] : 0;
  }

  /** page_count(): the head page's _refcount. */
  page_count(page: number): number {
    return this._refcount[this.compound_head(page)];
  }

  /** page_mapcount(). */
  page_mapcount(page: number): number {
    return this.page_flags[page] & B_BUDDY ? 0 : this._mapcount[page] + 1;
  }

  get_page(page: number): void {
    const head = this.compound_head(page);
    if (this._refcount[head] <= 0) {
      this.bad_page(head, 'VM_BUG_ON_PAGE(page_ref_count(page) <= 0)');
      return;
    }
    this._refcount[head]++;
  }

  /** put_page(): drops a reference; the last one frees the page (the whole compound page). */
  put_page(page: number): void {
    const head = this.compound_head(page);
    if (this._refcount[head] > 1) {
      this._refcount[head]--;
      return;
    }
    this.__free_pages(head, this.compound_order(head));
  }

  page_private(page: number): number {
    return this._private[page] >>> 0;
  }

  set_page_private(page: number, value: number): void {
    this._private[page] = value | 0;
  }

  /** split_page(): turns a non-compound order-N allocation into 2^N order-0 pages. */
  split_page(page: number, order: number): void {
    for (let i = 1; i < 1 << order; i++) {
      this._refcount[page + i] = 1;
      this._lru[page + i] = 0;
    }
    this._lru[page] = 0;
  }

  // ---- free lists ----

  /** get_pageblock_migratetype(). */
  get_pageblock_migratetype(pfn: number): number {
    return this.pageblock_migratetype[pfn >>> pageblock_order];
  }

  /**
   * Free blocks never span pageblocks (MAX_PAGE_ORDER == pageblock_order), and a free block is
   * always on the list of its pageblock's migrate type.
   */
  private add_to_free_list(pfn: number, zone: Zone, order: number): void {
    const area = zone.free_area[order];
    const mt = this.pageblock_migratetype[pfn >>> pageblock_order];
    const head = area.free_list[mt];
    this.page_flags[pfn] |= B_BUDDY;
    this._mapcount[pfn] = order;
    this._lru[pfn] = head;
    this._private[pfn] = NIL;
    if (head !== NIL) this._private[head] = pfn;
    area.free_list[mt] = pfn;
    area.nr_free++;
  }

  private del_page_from_free_list(pfn: number, zone: Zone, order: number): void {
    const area = zone.free_area[order];
    const next = this._lru[pfn];
    const prev = this._private[pfn];
    if (prev === NIL) area.free_list[this.pageblock_migratetype[pfn >>> pageblock_order]] = next;
    else this._lru[prev] = next;
    if (next !== NIL) this._private[next] = prev;
    this.page_flags[pfn] &= ~B_BUDDY;
    this._mapcount[pfn] = -1;
    this._private[pfn] = 0;
    this._lru[pfn] = NIL;
    area.nr_free--;
  }

  /** The free blocks (first pfn, order) inside the pageblock holding `pfn`. */
  private free_blocks_in_pageblock(zone: Zone, pfn: number): [number, number][] {
    const start = pfn - (pfn % pageblock_nr_pages);
    const end = Math.min(start + pageblock_nr_pages, this.max_pfn);
    const zoneBits = zone.idx << ZONES_PGSHIFT;
    const blocks: [number, number][] = [];
    for (let p = start; p < end; ) {
      const f = this.page_flags[p];
      if (f & B_BUDDY && (f & (ZONES_MASK << ZONES_PGSHIFT)) === zoneBits) {
        const order = this._mapcount[p];
        blocks.push([p, order]);
        p += 1 << order;
      } else p++;
    }
    return blocks;
  }

  /** set_pageblock_migratetype() plus move_freepages_block(): the block's free pages follow it. */
  private move_freepages_block(zone: Zone, pfn: number, migratetype: number): void {
    const blocks = this.free_blocks_in_pageblock(zone, pfn);
    for (const [p, o] of blocks) this.del_page_from_free_list(p, zone, o);
    this.pageblock_migratetype[pfn >>> pageblock_order] = migratetype;
    for (const [p, o] of blocks) this.add_to_free_list(p, zone, o);
  }

  /** __free_one_page(): merges the block with free buddies as far as it can, then lists it. */
  private __free_one_page(pfn: number, zone: Zone, order: number): void {
    const flags = this.page_flags;
    const zoneBits = zone.idx << ZONES_PGSHIFT;
    const max = this.max_pfn;
    while (order < MAX_PAGE_ORDER) {
      const buddy = pfn ^ (1 << order);
      if (buddy >= max) break;
      const f = flags[buddy];
      if (
        (f & B_BUDDY) === 0 ||
        this._mapcount[buddy] !== order ||
        (f & (ZONES_MASK << ZONES_PGSHIFT)) !== zoneBits
      ) {
        break;
      }
      this.del_page_from_free_list(buddy, zone, order);
      pfn &= buddy;
      order++;
    }
    this.add_to_free_list(pfn, zone, order);
  }

  /** __rmqueue_smallest(): the smallest free block of at least `order` and type `mt`, split down (expand()). */
  private __rmqueue_smallest(zone: Zone, order: number, mt: number): number {
    for (let current = order; current < NR_PAGE_ORDERS; current++) {
      const page = zone.free_area[current].free_list[mt];
      if (page === NIL) continue;
      this.del_page_from_free_list(page, zone, current);
      this.expand(zone, page, order, current);
      return page;
    }
    return NIL;
  }

  /** expand(): the upper halves of a split block go back on the free lists. */
  private expand(zone: Zone, page: number, low: number, high: number): void {
    let size = 1 << high;
    while (high > low) {
      high--;
      size >>= 1;
      this.add_to_free_list(page + size, zone, high);
    }
  }

  /** __rmqueue(): the type's own lists first, then another type's (__rmqueue_fallback). */
  private __rmqueue(zone: Zone, order: number, mt: number): number {
    const page = this.__rmqueue_smallest(zone, order, mt);
    return page !== NIL ? page : this.__rmqueue_fallback(zone, order, mt);
  }

  /**
   * __rmqueue_claim() then __rmqueue_steal(): take over a whole pageblock of another type when
   * the request is big enough (or unmovable/reclaimable) and the block is mostly free, moving
   * its free pages to our lists; otherwise borrow the smallest fitting block and leave the
   * pageblock's type alone.
   */
  private __rmqueue_fallback(zone: Zone, order: number, start_mt: number): number {
    const can_claim = order >= pageblock_order >> 1 || start_mt !== MIGRATE_MOVABLE;
    for (let current = MAX_PAGE_ORDER; current >= order; current--) {
      const area = zone.free_area[current];
      for (const fmt of fallbacks[start_mt]) {
        const page = area.free_list[fmt];
        if (page === NIL) continue;
        if (!(can_claim || current >= pageblock_order >> 1)) continue;
        if (current < pageblock_order) {
          let free = 0;
          for (const [, o] of this.free_blocks_in_pageblock(zone, page)) free += 1 << o;
          if (free < pageblock_nr_pages >> 1) continue;
        }
        this.move_freepages_block(zone, page, start_mt);
        return this.__rmqueue_smallest(zone, order, start_mt);
      }
    }
    for (let current = order; current < NR_PAGE_ORDERS; current++) {
      const area = zone.free_area[current];
      for (const fmt of fallbacks[start_mt]) {
        const page = area.free_list[fmt];
        if (page === NIL) continue;
        this.del_page_from_free_list(page, zone, current);
        this.expand(zone, page, order, current);
        return page;
      }
    }
    return NIL;
  }

  /** rmqueue(): order 0 from the per-cpu list of its type (refilled in batches), larger orders from the buddy lists. */
  private rmqueue(zone: Zone, order: number, gfp: number): number {
    const mt =
      gfp & __GFP_MOVABLE
        ? MIGRATE_MOVABLE
        : gfp & __GFP_RECLAIMABLE
          ? MIGRATE_RECLAIMABLE
          : MIGRATE_UNMOVABLE;
    let page: number;
    if (order === 0) {
      const pcp = zone.pcp;
      const list = pcp.lists[mt];
      if (pcp.counts[mt] === 0 && !this.rmqueue_bulk(zone, pcp.batch, mt)) return NIL;
      const n = pcp.counts[mt];
      if (gfp & __GFP_COLD) {
        page = list[0];
        list.copyWithin(0, 1, n);
      } else {
        page = list[n - 1];
      }
      pcp.counts[mt] = n - 1;
      pcp.count--;
    } else {
      page = this.__rmqueue(zone, order, mt);
      if (page === NIL) return NIL;
    }
    zone.nr_free_pages -= 1 << order;
    return page;
  }

  /** rmqueue_bulk(): moves up to `count` order-0 pages of type `mt` from the buddy lists to the per-cpu list. */
  private rmqueue_bulk(zone: Zone, count: number, mt: number): number {
    const pcp = zone.pcp;
    const list = pcp.lists[mt];
    const base = pcp.counts[mt];
    let n = 0;
    for (; n < count; n++) {
      const page = this.__rmqueue(zone, 0, mt);
      if (page === NIL) break;
      list[base + n] = page;
    }
    // The first page taken should be the first handed out: reverse the batch onto the stack.
    list.subarray(base, base + n).reverse();
    pcp.counts[mt] = base + n;
    pcp.count += n;
    return n;
  }

  /**
   * free_pcppages_bulk(): returns `count` pages from the cold ends of the per-cpu lists to the
   * buddy lists, starting with list `first` and going round the types.
   */
  private free_pcppages_bulk(zone: Zone, count: number, first = 0): void {
    const pcp = zone.pcp;
    for (let k = 0; k < MIGRATE_PCPTYPES && count > 0; k++) {
      const mt = (first + k) % MIGRATE_PCPTYPES;
      const list = pcp.lists[mt];
      const n = pcp.counts[mt];
      const take = Math.min(count, n);
      for (let i = 0; i < take; i++) this.__free_one_page(list[i], zone, 0);
      list.copyWithin(0, take, n);
      pcp.counts[mt] = n - take;
      pcp.count -= take;
      count -= take;
    }
  }

  /** drain_all_pages(): empties every per-cpu list back into the buddy lists. */
  drain_all_pages(): void {
    for (const zone of this.zones) this.free_pcppages_bulk(zone, zone.pcp.count);
  }

  // ---- allocation ----

  /** __zone_watermark_ok(). */
  zone_watermark_ok(
    zone: Zone,
    order: number,
    mark: number,
    highest_zoneidx: number,
    alloc_flags: number,
  ): boolean {
    let min = mark;
    const free = zone.nr_free_pages - ((1 << order) - 1);
    if (alloc_flags & ALLOC_MIN_RESERVE) {
      min -= min >> 1;
      if (alloc_flags & ALLOC_NON_BLOCK) min -= min >> 2;
    }
    if (free <= min + zone.lowmem_reserve[highest_zoneidx]) return false;
    if (order === 0) return true;
    for (let o = order; o < NR_PAGE_ORDERS; o++) if (zone.free_area[o].nr_free) return true;
    return false;
  }

  /** get_page_from_freelist(): walks the zonelist from the highest allowed zone downwards. */
  private get_page_from_freelist(gfp: number, order: number, alloc_flags: number, highest: number): number {
    for (let z = highest; z >= 0; z--) {
      const zone = this.zones[z];
      if (zone.managed_pages === 0) continue;
      if ((alloc_flags & ALLOC_NO_WATERMARKS) === 0) {
        const mark = zone._watermark[alloc_flags & ALLOC_WMARK_MASK];
        if (!this.zone_watermark_ok(zone, order, mark, highest, alloc_flags)) continue;
      }
      const page = this.rmqueue(zone, order, gfp);
      if (page !== NIL) return page;
    }
    return NIL;
  }

  /**
   * alloc_pages(): 2^order contiguous pages, or null. The fast path takes a page above the low
   * watermark; the slow path goes down to min (lower for __GFP_HIGH and atomic callers), then
   * reclaims (shrinkers) if the mask allows sleeping, and warns on failure unless __GFP_NOWARN.
   */
  alloc_pages(gfp: number, order: number): number | null {
    if (order >>> 0 !== order || order > MAX_PAGE_ORDER) return this.bad_order(gfp, order);
    if (gfp & __GFP_DIRECT_RECLAIM) this.might_alloc(gfp);
    const highest = gfp_zone(gfp);
    let page = this.get_page_from_freelist(gfp, order, ALLOC_WMARK_LOW, highest);
    if (page === NIL) page = this.__alloc_pages_slowpath(gfp, order, highest);
    if (page === NIL) return null;
    this.prep_new_page(page, order, gfp);
    if (this.trace !== null) {
      this.trace({
        event: 'mm_page_alloc',
        pfn: page,
        order,
        gfp_flags: gfp,
        migratetype: gfp_migratetype(gfp),
      });
    }
    return page;
  }

  alloc_page(gfp: number): number | null {
    return this.alloc_pages(gfp, 0);
  }

  private bad_order(gfp: number, order: number): null {
    if (!Number.isInteger(order) || order < 0) {
      throw new PageAllocError(
        `alloc_pages: order must be an integer from 0 to ${MAX_PAGE_ORDER}, got ${order}`,
      );
    }
    // WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER, gfp)
    if (!(gfp & __GFP_NOWARN) && !this.warned_order) {
      this.warned_order = true;
      this.printk(
        `${KERN_WARNING}WARNING: CPU: 0 PID: ${this.context.current_pid()} at mm/page_alloc.c:4744 __alloc_pages\n`,
      );
    }
    return null;
  }

  /** gfp_to_alloc_flags(). */
  private gfp_to_alloc_flags(gfp: number): number {
    let alloc_flags = ALLOC_WMARK_MIN;
    if (gfp & __GFP_HIGH) alloc_flags |= ALLOC_MIN_RESERVE;
    if (!(gfp & __GFP_DIRECT_RECLAIM) && !(gfp & __GFP_NOMEMALLOC)) alloc_flags |= ALLOC_NON_BLOCK;
    return alloc_flags;
  }

  private __alloc_pages_slowpath(gfp: number, order: number, highest: number): number {
    const alloc_flags = this.gfp_to_alloc_flags(gfp);
    let page = this.get_page_from_freelist(gfp, order, alloc_flags, highest);
    if (page !== NIL) return page;
    if (gfp & __GFP_MEMALLOC && !(gfp & __GFP_NOMEMALLOC)) {
      page = this.get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS, highest);
      if (page !== NIL) return page;
    }
    if (gfp & __GFP_DIRECT_RECLAIM) {
      // __alloc_pages_direct_reclaim() + should_reclaim_retry(): shrink, retry, escalate priority.
      let priority = DEF_PRIORITY;
      let no_progress_loops = 0;
      for (let loop = 0; loop <= DEF_PRIORITY + MAX_RECLAIM_RETRIES; loop++) {
        const before = this.nr_free_pages();
        this.shrink_slab(gfp, priority);
        this.drain_all_pages();
        page = this.get_page_from_freelist(gfp, order, alloc_flags, highest);
        if (page !== NIL) return page;
        if (gfp & __GFP_NORETRY) break;
        if (order > PAGE_ALLOC_COSTLY_ORDER && !(gfp & __GFP_RETRY_MAYFAIL) && priority === 0) break;
        if (this.nr_free_pages() > before) no_progress_loops = 0;
        else if (++no_progress_loops > MAX_RECLAIM_RETRIES) break;
        if (priority > 0) priority--;
      }
    }
    if (gfp & __GFP_NOFAIL) {
      // The kernel would loop forever; here the last resort is the reserves below min.
      page = this.get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS, highest);
      if (page !== NIL) return page;
    }
    if (!(gfp & __GFP_NOWARN)) this.warn_alloc(gfp, order);
    return NIL;
  }

  /** prep_new_page(): a freshly allocated block gets its reference, zeroing and compound metadata. */
  private prep_new_page(page: number, order: number, gfp: number): void {
    this._refcount[page] = 1;
    this._lru[page] = order;
    if (gfp & __GFP_ZERO) this.memory.fill(page * PAGE_SIZE, PAGE_SIZE << order, 0);
    if (order !== 0 && gfp & __GFP_COMP) {
      this.page_flags[page] |= B_HEAD;
      const end = page + (1 << order);
      for (let p = page + 1; p < end; p++) {
        this.page_flags[p] |= B_TAIL;
        this._lru[p] = page;
      }
    }
  }

  /** __get_free_pages(): like alloc_pages() but returns the kernel virtual address, 0 on failure. */
  __get_free_pages(gfp: number, order: number): number {
    if (gfp & __GFP_HIGHMEM) {
      // VM_BUG_ON((gfp_mask & __GFP_HIGHMEM) != 0): a highmem page has no address to return.
      this.printk(`${KERN_ALERT}kernel BUG at mm/page_alloc.c:2024!\n`);
      return 0;
    }
    const page = this.alloc_pages(gfp, order);
    return page === null ? 0 : this.page_address(page);
  }

  /**
   * alloc_pages_exact(): `size` bytes of physically contiguous lowmem, as a kernel virtual
   * address; the pages past `size` in the power-of-two block go back to the allocator.
   */
  alloc_pages_exact(size: number, gfp: number): number {
    if (!Number.isInteger(size) || size <= 0) {
      throw new PageAllocError(`alloc_pages_exact: size must be a positive integer, got ${size}`);
    }
    const nr = Math.ceil(size / PAGE_SIZE);
    const order = Math.ceil(Math.log2(nr));
    const addr = this.__get_free_pages(gfp & ~__GFP_COMP, order);
    if (addr === 0) return 0;
    const page = this.virt_to_page(addr);
    this.split_page(page, order);
    for (let p = page + nr; p < page + (1 << order); p++) this.__free_pages(p, 0);
    return addr;
  }

  /** free_pages_exact(): frees what alloc_pages_exact() returned. */
  free_pages_exact(addr: number, size: number): void {
    const nr = Math.ceil(size / PAGE_SIZE);
    for (let i = 0; i < nr; i++) this.free_pages(addr + i * PAGE_SIZE, 0);
  }

  __get_free_page(gfp: number): number {
    return this.__get_free_pages(gfp, 0);
  }

  get_zeroed_page(gfp: number): number {
    return this.__get_free_pages(gfp | __GFP_ZERO, 0);
  }

  // ---- freeing ----

  /**
   * __free_pages(): drops the caller's reference; the last one returns the block. Freeing a free
   * page, a reserved page or with the wrong order prints "Bad page state" and changes nothing.
   */
  __free_pages(page: number, order: number): void {
    if (!this.pfn_valid(page)) {
      throw new PageAllocError(`__free_pages: page must be a pfn below max_pfn ${this.max_pfn}, got ${page}`);
    }
    if (order >>> 0 !== order || order > MAX_PAGE_ORDER) {
      throw new PageAllocError(
        `__free_pages: order must be an integer from 0 to ${MAX_PAGE_ORDER}, got ${order}`,
      );
    }
    const rc = this._refcount[page];
    const flags = this.page_flags[page];
    if (rc <= 0 || flags & B_TAIL) {
      this.bad_page(page, 'VM_BUG_ON_PAGE(page_ref_count(page) == 0)');
      return;
    }
    if (rc > 1) {
      this._refcount[page] = rc - 1;
      return;
    }
    if (flags & PAGE_FLAGS_CHECK_AT_FREE) {
      this.bad_page(page, 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
      return;
    }
    if (this._mapcount[page] !== -1) {
      this.bad_page(page, 'nonzero mapcount');
      return;
    }
    if (this._lru[page] !== order) {
      this.bad_page(page, 'VM_BUG_ON_PAGE(compound && compound_order(page) != order)');
      return;
    }
    if (flags & B_HEAD && !this.free_compound_page_prepare(page, order)) return;
    this._refcount[page] = 0;
    this._lru[page] = NIL;
    this._private[page] = 0;
    const zone = this.zones[(flags >>> ZONES_PGSHIFT) & ZONES_MASK];
    if (this.trace !== null) this.trace({ event: 'mm_page_free', pfn: page, order });
    if (order === 0) {
      // free_unref_page(): onto the per-cpu list of the pageblock's type, spilling a batch at high.
      const pcp = zone.pcp;
      const mt = this.pageblock_migratetype[page >>> pageblock_order];
      zone.nr_free_pages++;
      if (mt >= MIGRATE_PCPTYPES) {
        this.__free_one_page(page, zone, 0);
        return;
      }
      pcp.lists[mt][pcp.counts[mt]++] = page;
      pcp.count++;
      if (pcp.count >= pcp.high) this.free_pcppages_bulk(zone, pcp.batch, mt);
      return;
    }
    this.__free_one_page(page, zone, order);
    zone.nr_free_pages += 1 << order;
  }

  /** free_tail_page_prepare() for every tail, then the compound metadata is dropped. */
  private free_compound_page_prepare(page: number, order: number): boolean {
    const end = page + (1 << order);
    for (let p = page + 1; p < end; p++) {
      if (!(this.page_flags[p] & B_TAIL) || this._lru[p] !== page) {
        this.bad_page(p, 'compound_head not consistent');
        return false;
      }
    }
    this.page_flags[page] &= ~B_HEAD;
    for (let p = page + 1; p < end; p++) {
      this.page_flags[p] &= ~B_TAIL;
      this._lru[p] = NIL;
    }
    return true;
  }

  __free_page(page: number): void {
    this.__free_pages(page, 0);
  }

  /** free_pages(): frees by kernel virtual address; 0 is ignored. */
  free_pages(addr: number, order: number): void {
    if (addr === 0) return;
    if (!this.virt_addr_valid(addr)) {
      // VM_BUG_ON(!virt_addr_valid((void *)addr))
      this.printk(`${KERN_ALERT}kernel BUG at mm/page_alloc.c:4903!\n`);
      this.printk(`${KERN_ALERT}free_pages: 0x${(addr >>> 0).toString(16)} is not a lowmem kernel address\n`);
      return;
    }
    this.__free_pages(this.virt_to_page(addr), order);
  }

  free_page(addr: number): void {
    this.free_pages(addr, 0);
  }

  // ---- counters ----

  /** nr_free_pages(): free pages in all zones (buddy lists plus per-cpu lists). */
  nr_free_pages(): number {
    let n = 0;
    for (const z of this.zones) n += z.nr_free_pages;
    return n;
  }

  /** totalram_pages(): pages managed by the allocator. */
  totalram_pages(): number {
    let n = 0;
    for (const z of this.zones) n += z.managed_pages;
    return n;
  }

  /** totalhigh_pages(). */
  totalhigh_pages(): number {
    return this.zones[ZONE_HIGHMEM].managed_pages;
  }

  nr_free_highpages(): number {
    return this.zones[ZONE_HIGHMEM].nr_free_pages;
  }

  /** si_meminfo(): what sysinfo(2) reports, in pages (mem_unit = PAGE_SIZE). */
  si_meminfo(): {
    totalram: number;
    freeram: number;
    sharedram: number;
    bufferram: number;
    totalhigh: number;
    freehigh: number;
    mem_unit: number;
  } {
    return {
      totalram: this.totalram_pages(),
      freeram: this.nr_free_pages(),
      sharedram: 0,
      bufferram: 0,
      totalhigh: this.totalhigh_pages(),
      freehigh: this.nr_free_highpages(),
      mem_unit: PAGE_SIZE,
    };
  }

  /** adjust_managed_page_count(). */
  adjust_managed_page_count(page: number, count: number): void {
    this.page_zone(page).managed_pages += count;
  }

  // ---- reclaim ----

  register_shrinker(s: Shrinker): number {
    if (!s || typeof s.count_objects !== 'function' || typeof s.scan_objects !== 'function') {
      throw new PageAllocError(
        `register_shrinker: shrinker must have count_objects and scan_objects, got ${String(s)}`,
      );
    }
    if (!this.shrinkers.includes(s)) this.shrinkers.push(s);
    return 0;
  }

  unregister_shrinker(s: Shrinker): void {
    const i = this.shrinkers.indexOf(s);
    if (i >= 0) this.shrinkers.splice(i, 1);
  }

  /** shrink_slab(): every registered shrinker at one priority; returns objects freed. */
  shrink_slab(gfp_mask: number, priority = 0): number {
    let freed = 0;
    for (const s of [...this.shrinkers]) freed += do_shrink_slab(s, gfp_mask, priority);
    return freed;
  }

  // ---- reports ----

  /** mod_node_page_state(): adds `delta` to a node counter (slab pages, kernel stack kB, ...). */
  mod_node_page_state(item: keyof NodeStats, delta: number): void {
    this.node_stats[item] += delta;
  }

  /** The text of /proc/buddyinfo. */
  buddyinfo(): string {
    return buddyinfo(this);
  }

  /** The text of /proc/zoneinfo. */
  zoneinfo(): string {
    return zoneinfo(this);
  }

  /** The text of /proc/pagetypeinfo. */
  pagetypeinfo(): string {
    return pagetypeinfo(this);
  }

  /** The memory lines of /proc/meminfo. */
  meminfo(): string {
    return meminfo(this);
  }

  /** The text of /proc/vmallocinfo. */
  vmallocinfo(): string {
    return this.vmap_area.vmallocinfo();
  }

  /**
   * might_alloc(): a mask that may sleep, used where sleeping is not allowed, prints __might_resched()'s
   * "BUG: sleeping function called from invalid context" report.
   */
  might_alloc(gfp: number, file_line = MIGHT_ALLOC_SITE): void {
    if (gfp & __GFP_DIRECT_RECLAIM) this.__might_sleep(file_line);
  }

  /** __might_sleep(): reports a possible sleep in atomic context or with interrupts off. */
  __might_sleep(file_line: string): void {
    const ctx = this.context;
    const atomic = ctx.in_atomic();
    const irqs = ctx.irqs_disabled();
    if (!atomic && !irqs) return;
    const p = this.printk;
    p(`${KERN_ERR}BUG: sleeping function called from invalid context at ${file_line}\n`);
    p(
      `${KERN_ERR}in_atomic(): ${atomic ? 1 : 0}, irqs_disabled(): ${irqs ? 1 : 0}, non_block: 0, pid: ${ctx.current_pid()}, name: ${ctx.current_comm()}\n`,
    );
    p(`${KERN_ERR}preempt_count: ${atomic ? 1 : 0}, expected: 0\n`);
    p(`${KERN_ERR}RCU nest depth: 0, expected: 0\n`);
    this.dump_stack(['__might_resched', '__might_sleep']);
  }

  /** dump_stack(): the "CPU: ... Comm: ..." header and a symbolic call trace. */
  dump_stack(trace: string[], level = KERN_WARNING): void {
    const ctx = this.context;
    const taint = this.tainted
      ? `Tainted: ${this.tainted.split('').map(taint_name).join(', ')}`
      : 'Not tainted';
    this.printk(`${level}CPU: 0 PID: ${ctx.current_pid()} Comm: ${ctx.current_comm()} ${taint}\n`);
    this.printk(`${level}Call Trace:\n`);
    for (const fn of trace) this.printk(`${level} ${fn}\n`);
  }

  /** warn_alloc(): the "page allocation failure" report, then show_mem(). */
  warn_alloc(gfp: number, order: number, what = `page allocation failure: order:${order}`): void {
    const comm = this.context.current_comm();
    this.printk(
      `${KERN_WARNING}${comm}: ${what}, mode:0x${(gfp >>> 0).toString(16)}(${format_gfp(gfp)}), nodemask=(null)\n`,
    );
    this.dump_stack(['warn_alloc', '__alloc_pages_slowpath', '__alloc_pages']);
    for (const line of this.show_mem()) this.printk(`${KERN_WARNING}${line}\n`);
  }

  /** show_mem() / show_free_areas(): the Mem-Info block of an allocation failure (one string per line). */
  show_mem(): string[] {
    return show_mem(this);
  }

  /** bad_page(): "Bad page state" with dump_page(), taints the kernel, leaves the page alone. */
  bad_page(page: number, reason: string): void {
    this.nr_bad_pages++;
    const p = this.printk;
    p(
      `${KERN_ALERT}BUG: Bad page state in process ${this.context.current_comm()}  pfn:${page.toString(16).padStart(5, '0')}\n`,
    );
    for (const line of this.dump_page(page, reason)) p(`${KERN_WARNING}${line}\n`);
    p(`${KERN_WARNING}Modules linked in:\n`);
    this.dump_stack(['bad_page', 'free_pages_prepare', '__free_pages']);
    if (!this.tainted.includes('B')) {
      if (!this.tainted) p(`${KERN_WARNING}Disabling lock debugging due to kernel taint\n`);
      this.tainted += 'B';
    }
  }

  /** dump_page() (mm/debug.c): the page's fields and the reason. */
  dump_page(page: number, reason: string): string[] {
    return dump_page(this, page, reason);
  }

  /**
   * The boot messages of zone setup and mem_init() (free_area_init(), build_all_zonelists(),
   * mem_init_print_info()), printed at KERN_INFO; the kernel core calls this while booting.
   */
  mem_init(): void {
    const p = (s: string) => this.printk(`${KERN_INFO_LEVEL}${s}\n`);
    const range = (start: number, end: number) =>
      `[mem 0x${hex16(start * PAGE_SIZE)}-0x${hex16(end * PAGE_SIZE - 1)}]`;
    p('Zone ranges:');
    for (const z of this.zones.slice(0, ZONE_MOVABLE)) {
      const label = `  ${z.name.padEnd(8)} `;
      p(z.spanned_pages ? `${label}${range(z.zone_start_pfn, z.zone_end_pfn)}` : `${label}empty`);
    }
    p('Movable zone start for each node');
    p('Early memory node ranges');
    const ranges = this.memblock.mem_pfn_ranges();
    for (const [s, e] of ranges) p(`  node   0: ${range(s, e)}`);
    p(`Initmem setup node 0 ${range(ranges[0][0], this.max_pfn)}`);
    p(`Built 1 zonelists, mobility grouping on.  Total pages: ${this.totalram_pages()}`);
    let present = 0;
    for (const z of this.zones) present += z.present_pages;
    const kb = (pages: number) => pages << (PAGE_SHIFT - 10);
    const init = this.initmem ? Math.ceil((this.initmem.end - this.initmem.start) / 1024) : 0;
    p(
      `Memory: ${kb(this.nr_free_pages())}K/${kb(present)}K available (0K kernel code, 0K rwdata, 0K rodata, ${init}K init, 0K bss, ${kb(present - this.totalram_pages())}K reserved, 0K cma-reserved, ${kb(this.totalhigh_pages())}K highmem)`,
    );
  }

  /** free_initmem(): frees the kernel's __init section (physical range; default options.initmem) and says how much. */
  free_initmem(initmem: PhysRange | undefined = this.initmem): number {
    if (!initmem) return 0;
    const { start, end } = initmem;
    return this.free_reserved_area(__va(start), __va(end), 0xcc, 'unused kernel image (initmem)');
  }

  /**
   * free_reserved_area(): gives reserved lowmem pages [start, end) (kernel virtual addresses) to
   * the allocator, poisoning them with `poison` (-1: no poison), and prints "Freeing <s> memory: NK".
   */
  free_reserved_area(start: number, end: number, poison: number, s: string): number {
    const first = Math.ceil(__pa(start) / PAGE_SIZE);
    const last = Math.floor(__pa(end) / PAGE_SIZE);
    let pages = 0;
    for (let pfn = first; pfn < last; pfn++) {
      if (!this.pfn_valid(pfn) || !this.PageReserved(pfn)) continue;
      if (poison >= 0) this.memory.fill(pfn * PAGE_SIZE, PAGE_SIZE, poison);
      this.free_reserved_page(pfn);
      pages++;
    }
    if (pages && s) {
      this.printk(`${KERN_INFO_LEVEL}Freeing ${s} memory: ${pages << (PAGE_SHIFT - 10)}K\n`);
    }
    return pages;
  }

  /** free_reserved_page(): a reserved page joins the allocator (managed_pages grows). */
  free_reserved_page(page: number): void {
    this.page_flags[page] &= ~B_RESERVED;
    this._refcount[page] = 1;
    this._lru[page] = 0;
    this._mapcount[page] = -1;
    this.adjust_managed_page_count(page, 1);
    this.__free_pages(page, 0);
  }

  /** mark_page_reserved()-style removal of an allocated page from the managed count (page tables). */
  reserve_allocated_page(page: number): void {
    this.page_flags[page] |= B_RESERVED;
    this.adjust_managed_page_count(page, -1);
  }
}

const KERN_INFO_LEVEL = '\x016';

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

function taint_name(c: string): string {
  return c === 'B' ? '[B]=BAD_PAGE' : `[${c}]`;
}

export { ZONE_DMA, ZONE_HIGHMEM, ZONE_MOVABLE, ZONE_NORMAL };
