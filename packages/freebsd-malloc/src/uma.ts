// sys/vm/uma.h: the public face of the UMA zone allocator: zcreate flags, alignments, reclaim
// requests, and the four item callbacks. ctor/dtor run on every uma_zalloc/uma_zfree; init/fini
// run only when an item enters the keg (a new slab) or leaves it (the slab goes back to the VM).

/** int (*uma_ctor)(void *mem, int size, void *arg, int flags): nonzero fails the allocation. */
export type uma_ctor = (mem: number, size: number, arg: number, flags: number) => number;
/** void (*uma_dtor)(void *mem, int size, void *arg) */
export type uma_dtor = (mem: number, size: number, arg: number) => void;
/** int (*uma_init)(void *mem, int size, int flags): nonzero fails the slab allocation. */
export type uma_init = (mem: number, size: number, flags: number) => number;
/** void (*uma_fini)(void *mem, int size) */
export type uma_fini = (mem: number, size: number) => void;

/* uma_zcreate flags (the FreeBSD 12 values, from the era of struct malloc_type's ks_magic) */
export const UMA_ZONE_PAGEABLE = 0x0001; /* Return items not fully backed by physical memory XXX Not yet */
export const UMA_ZONE_ZINIT = 0x0002; /* Initialize with zeros */
export const UMA_ZONE_STATIC = 0x0004; /* Statically sized zone */
export const UMA_ZONE_OFFPAGE = 0x0008; /* Force the slab structure allocation off of the real memory */
export const UMA_ZONE_MALLOC = 0x0010; /* For use by malloc(9) only! */
export const UMA_ZONE_NOFREE = 0x0020; /* Do not free slabs of this type! */
export const UMA_ZONE_MTXCLASS = 0x0040; /* Create a new lock class */
export const UMA_ZONE_VM = 0x0080; /* Used for internal vm datastructures only. */
export const UMA_ZONE_HASH = 0x0100; /* Use a hash table instead of caching information in the vm_page. */
export const UMA_ZONE_SECONDARY = 0x0200; /* Zone is a Secondary Zone */
export const UMA_ZONE_NOBUCKET = 0x0400; /* Do not use buckets. */
export const UMA_ZONE_MAXBUCKET = 0x0800; /* Use largest buckets. */
export const UMA_ZONE_CACHESPREAD = 0x1000; /* Spread memory start locations across all possible cache lines. */
export const UMA_ZONE_VTOSLAB = 0x2000; /* Zone uses vtoslab for lookup. */
export const UMA_ZONE_NODUMP = 0x4000; /* Zone's pages will not be included in mini-dumps. */
export const UMA_ZONE_PCPU = 0x8000; /* Allocates mp_maxid + 1 slabs of PAGE_SIZE */

/* Definitions for align: a mask, sizeof(x) - 1 on i386 */
export const UMA_ALIGN_PTR = 4 - 1; /* Alignment fit for ptr */
export const UMA_ALIGN_LONG = 4 - 1; /* "" long */
export const UMA_ALIGN_INT = 4 - 1; /* "" int */
export const UMA_ALIGN_SHORT = 2 - 1; /* "" short */
export const UMA_ALIGN_CHAR = 1 - 1; /* "" char */
export const UMA_ALIGN_CACHE = 0 - 1; /* Cache line size align */
/** uma_align_cache: the cache-line mask UMA_ALIGN_CACHE stands for (64-byte lines). */
export const uma_align_cache = 64 - 1;

/* uma_reclaim() requests (sys/vm/uma.h, FreeBSD 13) */
export const UMA_RECLAIM_DRAIN = 1; /* release bucket cache */
export const UMA_RECLAIM_DRAIN_CPU = 2; /* release bucket and per-CPU caches */
export const UMA_RECLAIM_TRIM = 3; /* trim bucket cache to WSS (here: same as DRAIN) */

/** The smallest item UMA hands out; also malloc(9)'s MINALLOCSIZE. */
export const UMA_SMALLEST_UNIT = 16;
export const MINALLOCSIZE = UMA_SMALLEST_UNIT;
