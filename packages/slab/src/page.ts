// What slab needs from the page allocator below it: pages for slabs, the PG_slab flag, the
// memory the pages live in, the context rules and the shrinker hook. @k/page-alloc's
// PageAllocator has all of these; the interface keeps slab honest about what it touches.

import type { ExecutionContext, Printk } from '@k/page-alloc';
import type { ByteMemory } from './container_of.js';

/** Physical memory as @k/x86-cpu's PhysicalMemory offers it (physical addresses). */
export interface PageMemory extends ByteMemory {
  fill(addr: number, length: number, value?: number): void;
  readBytes(addr: number, length: number): Uint8Array;
  writeBytes(addr: number, bytes: Uint8Array): void;
  copy(dst: number, src: number, length: number): void;
}

/** struct shrink_control */
export interface ShrinkControl {
  gfp_mask: number;
  nr_to_scan: number;
}

/** struct shrinker: count_objects says how much could be freed, scan_objects frees it. */
export interface Shrinker {
  name: string;
  count_objects(sc: ShrinkControl): number;
  scan_objects(sc: ShrinkControl): number;
}

/** The page allocator slab builds on (a `struct page *` is its pfn). */
export interface SlabPageAllocator {
  readonly memory: PageMemory;
  readonly max_pfn: number;
  readonly printk?: Printk;
  readonly context?: ExecutionContext;
  alloc_pages(gfp_mask: number, order: number): number | null;
  __free_pages(page: number, order: number): void;
  page_address(page: number): number;
  __SetPageSlab?(page: number): void;
  __ClearPageSlab?(page: number): void;
  might_alloc?(gfp_mask: number): void;
  register_shrinker?(shrinker: Shrinker): unknown;
  /** dump_stack(trace, level): the "CPU: ... Comm: ..." header and a call trace. */
  dump_stack?(trace: string[], level?: string): void;
  /** The kernel's taint letters; slab adds 'B' (TAINT_BAD_PAGE) after a report. */
  tainted?: string;
}
