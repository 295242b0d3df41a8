// struct zone and its free_area[] (include/linux/mmzone.h): one buddy allocator per zone, with
// free lists per order, watermarks, lowmem_reserve and the per-cpu page list (pcp) that caches
// order-0 pages in front of the buddy lists. The lists themselves are threaded through the
// struct page arrays (see page_alloc.ts); a FreeArea holds only the head and the count.

import { NR_PAGE_ORDERS } from './memlayout.js';

/** Sentinel for "no page" in list links. */
export const NIL = -1;

// enum migratetype: pages are grouped by mobility, one free list per type and order.
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
/** Types that have per-cpu lists. */
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_HIGHATOMIC = 3;
export const MIGRATE_ISOLATE = 4;
export const MIGRATE_TYPES = 5;

export class FreeArea {
  /** free_list[migratetype]: pfn of the first free block on that list, NIL if empty. */
  readonly free_list = new Int32Array(MIGRATE_TYPES).fill(NIL);
  /** Number of free blocks of this order (all types). */
  nr_free = 0;
}

/**
 * struct per_cpu_pages for the one CPU modelled: one stack of order-0 pfns per pcp migrate type
 * (top = hot end, index 0 = cold end); `count` is their total, checked against `high`.
 */
export class PerCpuPages {
  count = 0;
  high = 0;
  batch = 1;
  readonly counts = new Int32Array(MIGRATE_PCPTYPES);
  lists: Int32Array[] = [];
}

export const WMARK_MIN = 0;
export const WMARK_LOW = 1;
export const WMARK_HIGH = 2;
export const WMARK_PROMO = 3;

export class Zone {
  readonly free_area: FreeArea[] = Array.from({ length: NR_PAGE_ORDERS }, () => new FreeArea());
  zone_start_pfn = 0;
  spanned_pages = 0;
  present_pages = 0;
  managed_pages = 0;
  /** NR_FREE_PAGES: pages in the buddy lists plus pages cached on the per-cpu list. */
  nr_free_pages = 0;
  /** _watermark[WMARK_MIN .. WMARK_PROMO] in pages. */
  readonly _watermark = [0, 0, 0, 0];
  /** lowmem_reserve[highest_zoneidx]: pages kept back from allocations that could use a higher zone. */
  readonly lowmem_reserve: number[];
  readonly pcp = new PerCpuPages();

  constructor(
    readonly name: string,
    readonly idx: number,
    nrZones: number,
  ) {
    this.lowmem_reserve = new Array(nrZones).fill(0);
  }

  get zone_end_pfn(): number {
    return this.zone_start_pfn + this.spanned_pages;
  }

  /** populated_zone(). */
  get populated(): boolean {
    return this.present_pages !== 0;
  }

  min_wmark_pages(): number {
    return this._watermark[WMARK_MIN];
  }

  low_wmark_pages(): number {
    return this._watermark[WMARK_LOW];
  }

  high_wmark_pages(): number {
    return this._watermark[WMARK_HIGH];
  }

  zone_spans_pfn(pfn: number): boolean {
    return pfn >= this.zone_start_pfn && pfn < this.zone_end_pfn;
  }
}
