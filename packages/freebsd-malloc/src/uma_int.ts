// sys/vm/uma_int.h: how UMA lays out its own structures. Slab headers and buckets live in simulated
// memory, exactly where a C kernel keeps them: a slab header either at the end of the slab's page
// (on-page) or in an item of the "UMA Slabs" zone (off-page); a bucket is an item of a "N Bucket"
// zone holding an array of item pointers.

/** SLAB_SETSIZE: most items one slab can hold (PAGE_SIZE / UMA_SMALLEST_UNIT). */
export const SLAB_SETSIZE = 256;
/** UMA_MAX_WASTE: on-page layouts wasting more than this go off-page if that fits more items. */
export const UMA_MAX_WASTE = 4096 / 10;

/*
 * struct uma_slab (i386):
 *   LIST_ENTRY(uma_slab) us_link;   le_next @0, le_prev @4 (here the previous slab, 0 at the head)
 *   uint16_t us_freecount;          @8
 *   uint8_t  us_flags;              @10
 *   uint8_t  us_domain;             @11
 *   uint8_t *us_data;               @12  first item
 *   struct slabbits us_free;        @16  bit set = item free in the keg
 *   struct slabbits us_debugfree;   after us_free: bit set = item handed out (INVARIANTS)
 */
export const US_NEXT = 0;
export const US_PREV = 4;
export const US_FREECOUNT = 8;
export const US_FLAGS = 10;
export const US_DOMAIN = 11;
export const US_DATA = 12;
export const US_FREE = 16;

/** Words of a slab bitset for `ipers` items. */
export function slab_bitset_words(ipers: number): number {
  return (ipers + 31) >>> 5;
}
/** sizeof(struct uma_slab) with both bitsets sized for `ipers` items. */
export function slab_sizeof(ipers: number): number {
  return US_FREE + 8 * slab_bitset_words(ipers);
}
/** The "UMA Slabs" item size: a header that fits any keg. */
export const SLABZONE_SIZE = slab_sizeof(SLAB_SETSIZE);

/* us_flags */
export const UMA_SLAB_OFFP = 0x08; /* header is off-page */

/*
 * struct uma_bucket (i386):
 *   TAILQ_ENTRY(uma_bucket) ub_link;   next @0, prev @4
 *   int16_t ub_cnt;                    @8   items held
 *   int16_t ub_entries;                @10  capacity
 *   void *ub_bucket[];                 @12
 */
export const UB_NEXT = 0;
export const UB_PREV = 4;
export const UB_CNT = 8;
export const UB_ENTRIES = 10;
export const UB_BUCKET = 12;
export const SIZEOF_UMA_BUCKET = 12;

/** BUCKET_SIZE(n): entries of a bucket whose zone item is n pointers. */
export function BUCKET_SIZE(n: number): number {
  return (4 * n - SIZEOF_UMA_BUCKET) / 4;
}

/** struct uma_bucket_zone: name, entries, and the largest item size that uses this bucket. */
export interface uma_bucket_zone {
  readonly name: string;
  readonly entries: number;
  readonly maxsize: number;
}

/** bucket_zones[] of uma_core.c. */
export const bucket_zones: readonly uma_bucket_zone[] = [
  { name: '4 Bucket', entries: BUCKET_SIZE(4), maxsize: 4096 },
  { name: '6 Bucket', entries: BUCKET_SIZE(6), maxsize: 3072 },
  { name: '8 Bucket', entries: BUCKET_SIZE(8), maxsize: 2048 },
  { name: '12 Bucket', entries: BUCKET_SIZE(12), maxsize: 1536 },
  { name: '16 Bucket', entries: BUCKET_SIZE(16), maxsize: 1024 },
  { name: '32 Bucket', entries: BUCKET_SIZE(32), maxsize: 512 },
  { name: '64 Bucket', entries: BUCKET_SIZE(64), maxsize: 256 },
  { name: '128 Bucket', entries: BUCKET_SIZE(128), maxsize: 128 },
  { name: '256 Bucket', entries: BUCKET_SIZE(256), maxsize: 64 },
];

/** bucket_select(size): how many items a bucket of a zone with this item size should hold. */
export function bucket_select(size: number): number {
  const first = bucket_zones[0];
  if (size > first.maxsize) return Math.max(Math.floor((first.maxsize * first.entries) / size), 1);
  let i = 0;
  for (; i < bucket_zones.length; i++) if (bucket_zones[i].maxsize < size) break;
  return bucket_zones[i - 1].entries;
}

/** bucket_zone_lookup(entries): the index of the smallest bucket zone with that many entries. */
export function bucket_zone_lookup(entries: number): number {
  let i = 0;
  while (i < bucket_zones.length - 1 && bucket_zones[i].entries < entries) i++;
  return i;
}
