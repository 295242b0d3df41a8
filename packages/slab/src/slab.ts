// Constants and flags of include/linux/slab.h: pointer conventions, kmem_cache_create() flags,
// and the kmalloc size limits for x86 with 4 KiB pages.

/** kmalloc(0) returns this: a non-NULL pointer that faults when dereferenced. */
export const ZERO_SIZE_PTR = 16;

/** ZERO_OR_NULL_PTR(x): true for NULL and ZERO_SIZE_PTR, which kfree() ignores. */
export function ZERO_OR_NULL_PTR(ptr: number): boolean {
  return ptr >>> 0 <= ZERO_SIZE_PTR;
}

/** NULL, as a pointer is a plain number. */
export const NULL = 0;

// kmem_cache_create() flags (slab_flags_t), values as in include/linux/slab.h.
/** DEBUG: perform (expensive) checks on alloc/free. */
export const SLAB_CONSISTENCY_CHECKS = 0x00000100;
/** DEBUG: red zone objects in a cache. */
export const SLAB_RED_ZONE = 0x00000400;
/** DEBUG: poison objects. */
export const SLAB_POISON = 0x00000800;
/** 2.4/2.6 SLAB's "never reap from the cache"; accepted for compatibility, no effect in SLUB. */
export const SLAB_NO_REAP = 0x00001000;
/** Align objects on cache lines. */
export const SLAB_HWCACHE_ALIGN = 0x00002000;
/** Use GFP_DMA memory (ZONE_DMA). */
export const SLAB_CACHE_DMA = 0x00004000;
/** DEBUG: store the last owner (alloc and free call sites) for bug hunting. */
export const SLAB_STORE_USER = 0x00010000;
/** Objects are reclaimable. */
export const SLAB_RECLAIM_ACCOUNT = 0x00020000;
/** Panic if kmem_cache_create() fails. */
export const SLAB_PANIC = 0x00040000;
/** DEBUG: trace allocations and frees. */
export const SLAB_TRACE = 0x00200000;

/** The flags the SLUB debug code acts on. */
export const SLAB_DEBUG_FLAGS =
  SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE;

/** The flags kmem_cache_create() accepts; anything else is a caller bug. */
export const CACHE_CREATE_MASK =
  SLAB_DEBUG_FLAGS | SLAB_NO_REAP | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_RECLAIM_ACCOUNT | SLAB_PANIC;

/** slub_debug with no options: DEBUG_DEFAULT_FLAGS (F, Z, P, U). */
export const DEBUG_DEFAULT_FLAGS = SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;

/** sizeof(void *) on i386. */
export const POINTER_SIZE = 4;
/** L1_CACHE_BYTES, what cache_line_size() returns on x86. */
export const L1_CACHE_BYTES = 64;

// kmalloc limits (include/linux/slab.h, SLUB, PAGE_SHIFT 12, MAX_PAGE_ORDER 10).
export const KMALLOC_MIN_SIZE = 8;
export const KMALLOC_SHIFT_LOW = 3;
/** The largest kmalloc cache is 2 pages: kmalloc-8k. */
export const KMALLOC_SHIFT_HIGH = 13;
export const KMALLOC_SHIFT_MAX = 22;
/** Larger requests than this go straight to the page allocator. */
export const KMALLOC_MAX_CACHE_SIZE = 1 << KMALLOC_SHIFT_HIGH;
/** The largest kmalloc() request that can succeed: 4 MiB. */
export const KMALLOC_MAX_SIZE = 1 << KMALLOC_SHIFT_MAX;
/** SLUB: order 3 (PAGE_ALLOC_COSTLY_ORDER) is the highest order it picks for a slab by default. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** MAX_OBJS_PER_PAGE: slab->objects is a 15-bit field. */
export const MAX_OBJS_PER_PAGE = 32767;
