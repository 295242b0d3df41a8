// Shrinkers (include/linux/shrinker.h, mm/shrinker.c): caches that can give memory back register
// a count/scan pair; direct reclaim calls them (shrink_slab) before a sleeping allocation fails.

/** struct shrink_control: what the reclaimer asks of one scan. */
export interface ShrinkControl {
  gfp_mask: number;
  /** How many objects scan_objects() should look at. */
  nr_to_scan: number;
  /** How many objects scan_objects() actually scanned (it may set this; optional). */
  nr_scanned?: number;
}

/** struct shrinker: count_objects() says how many objects could be freed, scan_objects() frees. */
export interface Shrinker {
  name: string;
  count_objects(sc: ShrinkControl): number;
  /** Returns the number of objects freed, or SHRINK_STOP when it cannot make progress now. */
  scan_objects(sc: ShrinkControl): number;
  /** Objects per scan_objects() call (shrinker->batch; 0 or absent means SHRINK_BATCH). */
  batch?: number;
  /** Cost of recreating an object (shrinker->seeks; absent means DEFAULT_SEEKS). */
  seeks?: number;
}

/** scan_objects(): "stop, no progress possible now" (~0UL on a 32-bit kernel). */
export const SHRINK_STOP = 0xffffffff;
/** count_objects(): "nothing to free" (~0UL - 1). */
export const SHRINK_EMPTY = 0xfffffffe;
export const SHRINK_BATCH = 128;
export const DEFAULT_SEEKS = 2;
/** Reclaim starts at this priority and works down to 0 (scan 1/2^priority of each cache). */
export const DEF_PRIORITY = 12;

/**
 * do_shrink_slab(): asks one shrinker to free objects; the share scanned grows as `priority`
 * falls. Returns the number of objects freed.
 */
export function do_shrink_slab(shrinker: Shrinker, gfp_mask: number, priority: number): number {
  const sc: ShrinkControl = { gfp_mask, nr_to_scan: 0 };
  const freeable = shrinker.count_objects(sc);
  if (freeable === 0 || freeable === SHRINK_EMPTY) return 0;
  const seeks = shrinker.seeks ?? DEFAULT_SEEKS;
  const batch = shrinker.batch && shrinker.batch > 0 ? shrinker.batch : SHRINK_BATCH;
  let total_scan = seeks > 0 ? Math.floor(((freeable >> priority) * 4) / seeks) : Math.floor(freeable / 2);
  total_scan = Math.min(Math.max(total_scan, Math.min(freeable, batch)), 2 * freeable);
  let freed = 0;
  while (total_scan >= batch || total_scan >= freeable) {
    const nr_to_scan = Math.min(batch, total_scan);
    sc.nr_to_scan = nr_to_scan;
    sc.nr_scanned = nr_to_scan;
    const ret = shrinker.scan_objects(sc);
    if (ret === SHRINK_STOP) break;
    freed += ret;
    const scanned = sc.nr_scanned ?? nr_to_scan;
    if (scanned <= 0) break;
    total_scan -= scanned;
    if (total_scan <= 0) break;
  }
  return freed;
}
