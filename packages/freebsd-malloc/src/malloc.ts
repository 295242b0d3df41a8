// Flag values and the type magic of FreeBSD's sys/sys/malloc.h.

export const M_NOWAIT = 0x0001; /* do not block */
export const M_WAITOK = 0x0002; /* ok to block */
export const M_NORECLAIM = 0x0080; /* do not reclaim after failure */
export const M_ZERO = 0x0100; /* bzero the allocation */
export const M_NOVM = 0x0200; /* don't ask VM for pages */
export const M_USE_RESERVE = 0x0400; /* can alloc out of reserve memory */
export const M_NODUMP = 0x0800; /* don't dump pages in this allocation */
export const M_FIRSTFIT = 0x1000; /* only for vmem, fast fit */
export const M_BESTFIT = 0x2000; /* only for vmem, low fragmentation */
export const M_EXEC = 0x4000; /* allocate executable space */
export const M_NEXTFIT = 0x8000; /* only for vmem, follow cursor */

/** ks_magic of every valid struct malloc_type. */
export const M_MAGIC = 877983977;
