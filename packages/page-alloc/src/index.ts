export { type ExecutionContext, processContext } from './context.js';
export { dump_page } from './debug.js';
export * from './e820.js';
export { PageAllocError } from './errors.js';
export * from './gfp.js';
export { Highmem, type HighmemState } from './highmem.js';
export { Memblock, type MemblockRegion, MemblockType } from './memblock.js';
export * from './memlayout.js';
export {
  setup_per_zone_lowmem_reserve,
  setup_per_zone_wmarks,
  sysctl_lowmem_reserve_ratio,
  watermark_scale_factor,
  zone_set_pageset_high_and_batch,
} from './mm_init.js';
export * from './mmzone.js';
export {
  MAX_RECLAIM_RETRIES,
  PAGE_ALLOC_COSTLY_ORDER,
  PageAllocator,
  type PageAllocatorOptions,
  type PageAllocatorState,
  type PageAllocTraceEvent,
  type PhysRange,
} from './page_alloc.js';
export * from './page-flags.js';
export * from './pgtable.js';
export type { PhysicalMemoryLike } from './physmem.js';
export {
  collectingPrintk,
  KERN_ALERT,
  KERN_CRIT,
  KERN_DEBUG,
  KERN_EMERG,
  KERN_ERR,
  KERN_INFO,
  KERN_NOTICE,
  KERN_SOH,
  KERN_WARNING,
  MESSAGE_LOGLEVEL_DEFAULT,
  type Printk,
  printk_get_level,
} from './printk.js';
export { show_mem } from './show_mem.js';
export {
  DEF_PRIORITY,
  DEFAULT_SEEKS,
  do_shrink_slab,
  SHRINK_BATCH,
  SHRINK_EMPTY,
  SHRINK_STOP,
  type ShrinkControl,
  type Shrinker,
} from './shrinker.js';
export { VM_ALLOC, VM_IOREMAP, VM_MAP, Vmalloc, type VmStruct } from './vmalloc.js';
export {
  buddyinfo,
  free_blocks_by_type,
  meminfo,
  migratetype_names,
  type NodeStats,
  pagetypeinfo,
  zoneinfo,
} from './vmstat.js';
