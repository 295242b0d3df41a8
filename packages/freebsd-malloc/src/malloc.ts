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

/*
 * struct malloc_type (i386, 16 bytes), as MALLOC_DEFINE lays it out in the defining file's data:
 *   struct malloc_type *ks_next;   @0   Next in global chain.
 *   u_long ks_magic;               @4   Detect programmer error.
 *   const char *ks_shortdesc;      @8   Printable type name.
 *   void *ks_handle;               @12  Priv. data (struct malloc_type_internal *).
 */
export const KS_NEXT = 0;
export const KS_MAGIC = 4;
export const KS_SHORTDESC = 8;
export const KS_HANDLE = 12;
export const SIZEOF_MALLOC_TYPE = 16;

/*
 * struct malloc_type_internal (an mt_zone item): the DTrace probe ids, the subzone, and one
 * struct malloc_type_stats per CPU:
 *   uint32_t mti_probes[DTMALLOC_PROBE_MAX];   @0
 *   u_char mti_zone;                           @8
 *   struct malloc_type_stats mti_stats[];      @16 + 64 * cpu
 */
export const MTI_PROBES = 0;
export const MTI_ZONE = 8;
export const MTI_STATS = 16;

/*
 * struct malloc_type_stats (64 bytes, all uint64_t):
 *   mts_memalloced @0, mts_memfreed @8, mts_numallocs @16, mts_numfrees @24,
 *   mts_size @32 (bitmask of the kmemzones used), _mts_reserved1..3 @40..63
 */
export const MTS_MEMALLOCED = 0;
export const MTS_MEMFREED = 8;
export const MTS_NUMALLOCS = 16;
export const MTS_NUMFREES = 24;
export const MTS_SIZE = 32;
export const SIZEOF_MALLOC_TYPE_STATS = 64;

/** sizeof(struct malloc_type_internal) with stats for `ncpus` CPUs. */
export function sizeof_malloc_type_internal(ncpus: number): number {
  return MTI_STATS + SIZEOF_MALLOC_TYPE_STATS * ncpus;
}
