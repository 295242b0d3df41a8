// usr.bin/vmstat/vmstat.c's domemstat_malloc() (`vmstat -m`) and domemstat_zone() (`vmstat -z`):
// the same columns, widths and punctuation. libmemstat builds its list by inserting each record
// at the head, so both print in the reverse of the kernel's list order: `vmstat -m` oldest type
// first (kmemstatistics has the newest at its head), `vmstat -z` in zone creation order.

import type { malloc_type_stats } from './kern_malloc.js';
import type { uma_zone_stats } from './uma_core.js';

const r = (v: string | number, w: number) => String(v).padStart(w);
const l = (v: string | number, w: number) => String(v).padEnd(w);

/**
 * `vmstat -m`: "%13s %5s %6s %8s  Size(s)" then per type with any requests or use:
 * Type, InUse (allocations - frees), MemUse (KiB, rounded up), Requests, the bucket sizes used.
 * `types` in kmemstatistics order (head first); `zone_sizes` are the kmemzones sizes.
 */
export function vmstat_m(types: readonly malloc_type_stats[], zone_sizes: readonly number[]): string {
  let out = `${r('Type', 13)} ${r('InUse', 5)} ${r('MemUse', 6)} ${r('Requests', 8)}  Size(s)\n`;
  for (const t of [...types].reverse()) {
    const count = t.numallocs - t.numfrees;
    if (t.numallocs === 0 && count === 0) continue;
    const kbytes = Math.floor((t.memalloced - t.memfreed + 1023) / 1024);
    const sizes: number[] = [];
    for (let i = 0; i < zone_sizes.length; i++) if (t.size & (1 << i)) sizes.push(zone_sizes[i]);
    out += `${r(t.name, 13)} ${r(count, 5)} ${r(kbytes, 5)}K ${r(t.numallocs, 8)}  ${sizes.join(',')}\n`;
  }
  return out;
}

/**
 * `vmstat -z`: "ITEM SIZE LIMIT USED FREE REQ FAIL SLEEP XDOMAIN", one "name:" row per zone.
 * (The header's FAIL column is %8s and the rows' %4ju, exactly as vmstat prints them.)
 */
export function vmstat_z(zones: readonly uma_zone_stats[]): string {
  let out = `${l('ITEM', 20)} ${r('SIZE', 6)} ${r('LIMIT', 6)} ${r('USED', 8)} ${r('FREE', 8)} ${r('REQ', 8)} ${r('FAIL', 8)} ${r('SLEEP', 4)} ${r('XDOMAIN', 4)}\n`;
  for (const z of zones) {
    out += `${l(`${z.name}:`, 20)} ${r(z.size, 6)}, ${r(z.limit, 6)},${r(z.used, 8)},${r(z.free, 8)},${r(z.requests, 8)},${r(z.fail, 4)},${r(z.sleep, 4)},${r(z.xdomain, 4)}\n`;
  }
  return out;
}
