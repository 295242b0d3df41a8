export {
  array,
  type ByteMemory,
  char,
  container_of,
  defineStruct,
  type FieldInfo,
  type FieldType,
  offsetof,
  readField,
  type ScalarType,
  type StructLayout,
  sizeof,
  writeField,
} from './container_of.js';
export { KernelPanic, SlabError } from './errors.js';
export type { PageMemory, ShrinkControl, Shrinker, SlabPageAllocator } from './page.js';
export { POISON_END, POISON_FREE, POISON_INUSE, SLUB_RED_ACTIVE, SLUB_RED_INACTIVE } from './poison.js';
export {
  DEBUG_DEFAULT_FLAGS,
  KMALLOC_MAX_CACHE_SIZE,
  KMALLOC_MAX_SIZE,
  KMALLOC_MIN_SIZE,
  KMALLOC_SHIFT_HIGH,
  KMALLOC_SHIFT_LOW,
  NULL,
  SLAB_CACHE_DMA,
  SLAB_CONSISTENCY_CHECKS,
  SLAB_HWCACHE_ALIGN,
  SLAB_NO_REAP,
  SLAB_PANIC,
  SLAB_POISON,
  SLAB_RECLAIM_ACCOUNT,
  SLAB_RED_ZONE,
  SLAB_STORE_USER,
  SLAB_TRACE,
  ZERO_OR_NULL_PTR,
  ZERO_SIZE_PTR,
} from './slab.js';
export {
  KMALLOC_DMA,
  KMALLOC_NORMAL,
  kmalloc_index,
  kmalloc_info,
  kmalloc_size_roundup,
  SlabAllocator,
  struct_kmem_cache,
  struct_kmem_cache_node,
} from './slab_common.js';
export {
  get_slabinfo,
  type SlabInfo,
  type SlabtopSort,
  type SlabtopSummary,
  slabinfo,
  slabtop,
  slabtop_summary,
} from './slabinfo.js';
export {
  type Ctor,
  calculate_alignment,
  calculate_order,
  calculate_sizes,
  get_order,
  KmemCache,
  order_objects,
  SHRINK_STOP,
  type SlabTraceEvent,
  Slub,
  type SlubOptions,
  VirtualMemory,
} from './slub.js';
export { struct_track } from './slub_debug.js';
