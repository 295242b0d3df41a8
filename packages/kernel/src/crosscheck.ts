// The allocator cross-check: one workload run on Linux's kmalloc (SLUB over the buddy allocator)
// and on FreeBSD's malloc(9) (UMA over the same kind of buddy allocator), each on its own machine of
// the same size, so their semantics and costs can be compared side by side: the size class each
// request lands in, the bytes wasted by rounding, the pages each holds at its peak, after
// everything is freed (caches keep slabs), and after kmem_cache_shrink / uma_reclaim.
import { FreeBSDMalloc, M_NOWAIT, M_WAITOK, UMA_RECLAIM_DRAIN_CPU } from '@k/freebsd-malloc';
import { __GFP_NOWARN, GFP_KERNEL, GFP_NOWAIT, PageAllocator, type Printk } from '@k/page-alloc';
import { SlabAllocator, ZERO_SIZE_PTR } from '@k/slab';
import { PhysicalMemory } from '@k/x86-cpu';

export interface CrosscheckOptions {
  /** RAM of each machine in bytes (default 64 MiB). */
  ramSize?: number;
  /** Largest request of the size sweep (default 8192, the largest kmalloc cache). */
  maxSize?: number;
  /** Objects kept live at once during the sweep (default 256). */
  batch?: number;
}

export interface AllocatorTotals {
  allocator: string;
  allocations: number;
  failures: number;
  requestedBytes: number;
  usableBytes: number;
  /** Pages taken from the buddy allocator with the most objects live. */
  peakPages: number;
  /** Pages still held once every object is freed (empty slabs kept in caches). */
  pagesAfterFree: number;
  /** Pages still held after kmem_cache_shrink() on every cache / uma_reclaim(). */
  pagesAfterReclaim: number;
}

export interface CrosscheckSummary {
  workload: string;
  linux: AllocatorTotals;
  freebsd: AllocatorTotals;
  /** Requests whose usable size differs between the two, grouped by (Linux class, FreeBSD class). */
  classDifferences: { sizes: [number, number]; linux: string; freebsd: string }[];
  /** Edge cases where the two kernels answer differently, in words. */
  semantics: string[];
}

interface Personality {
  name: string;
  pages: PageAllocator;
  alloc(size: number): number;
  free(ptr: number): void;
  usable(ptr: number): number;
  className(ptr: number, usable: number): string;
  reclaim(): void;
}

function linux(ramSize: number, printk: Printk): Personality & { slab: SlabAllocator } {
  const pages = new PageAllocator({ memory: new PhysicalMemory(ramSize), printk });
  const slab = new SlabAllocator(pages, { printk });
  return {
    name: 'Linux kmalloc (SLUB)',
    slab,
    pages,
    alloc: (size) => slab.kmalloc(size, GFP_KERNEL),
    free: (ptr) => slab.kfree(ptr),
    usable: (ptr) => slab.ksize(ptr),
    className: (ptr) => slab.virt_to_cache(ptr)?.name ?? 'kmalloc_large (pages)',
    reclaim: () => {
      for (const cache of slab.slab_caches) slab.kmem_cache_shrink(cache);
    },
  };
}

function freebsd(ramSize: number, printk: Printk): Personality & { k: FreeBSDMalloc } {
  const pages = new PageAllocator({ memory: new PhysicalMemory(ramSize), printk });
  const k = new FreeBSDMalloc(pages, { printk });
  k.mi_startup();
  return {
    name: 'FreeBSD malloc(9) (UMA)',
    k,
    pages,
    alloc: (size) => k.malloc(size, k.M_TEMP, M_WAITOK),
    free: (ptr) => k.free(ptr, k.M_TEMP),
    usable: (ptr) => k.malloc_usable_size(ptr),
    className: (_ptr, usable) => (usable <= 65536 ? `malloc-${usable}` : 'uma_large_malloc (pages)'),
    reclaim: () => k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU),
  };
}

const used = (p: PageAllocator) => p.totalram_pages() - p.nr_free_pages();

/** Runs the size sweep (1..maxSize bytes, `batch` live at a time) on one personality. */
function sweep(
  a: Personality,
  maxSize: number,
  batch: number,
  classes: Map<number, [string, number]>,
): AllocatorTotals {
  a.reclaim(); // start from drained caches, so only the sweep's own pages are counted
  const base = used(a.pages);
  const live = new Float64Array(batch);
  const totals: AllocatorTotals = {
    allocator: a.name,
    allocations: 0,
    failures: 0,
    requestedBytes: 0,
    usableBytes: 0,
    peakPages: 0,
    pagesAfterFree: 0,
    pagesAfterReclaim: 0,
  };
  let n = 0;
  const flush = () => {
    totals.peakPages = Math.max(totals.peakPages, used(a.pages) - base);
    for (let i = 0; i < n; i++) a.free(live[i]);
    n = 0;
  };
  for (let size = 1; size <= maxSize; size++) {
    const p = a.alloc(size);
    totals.allocations++;
    if (p === 0) {
      totals.failures++;
      continue;
    }
    const usable = a.usable(p);
    totals.requestedBytes += size;
    totals.usableBytes += usable;
    classes.set(size, [a.className(p, usable), usable]);
    live[n++] = p;
    if (n === batch) flush();
  }
  flush();
  totals.pagesAfterFree = used(a.pages) - base;
  a.reclaim();
  totals.pagesAfterReclaim = used(a.pages) - base;
  return totals;
}

export function crosscheck(options: CrosscheckOptions = {}): CrosscheckSummary {
  const ramSize = options.ramSize ?? 64 << 20;
  const maxSize = options.maxSize ?? 8192;
  const batch = options.batch ?? 256;
  const quiet: Printk = () => {};
  const l = linux(ramSize, quiet);
  const f = freebsd(ramSize, quiet);
  const linuxClasses = new Map<number, [string, number]>();
  const freebsdClasses = new Map<number, [string, number]>();
  const linuxTotals = sweep(l, maxSize, batch, linuxClasses);
  const freebsdTotals = sweep(f, maxSize, batch, freebsdClasses);

  const classDifferences: CrosscheckSummary['classDifferences'] = [];
  for (let size = 1; size <= maxSize; size++) {
    const a = linuxClasses.get(size);
    const b = freebsdClasses.get(size);
    if (!a || !b || a[1] === b[1]) continue;
    const last = classDifferences[classDifferences.length - 1];
    if (last && last.linux === a[0] && last.freebsd === b[0] && last.sizes[1] === size - 1)
      last.sizes[1] = size;
    else classDifferences.push({ sizes: [size, size], linux: a[0], freebsd: b[0] });
  }

  const semantics: string[] = [];
  const zeroLinux = l.alloc(0);
  const zeroFreebsd = f.alloc(0);
  semantics.push(
    `size 0: kmalloc returns ${zeroLinux === ZERO_SIZE_PTR ? 'ZERO_SIZE_PTR (16), no memory' : `0x${zeroLinux.toString(16)}`}; ` +
      `malloc(9) returns a ${f.usable(zeroFreebsd)}-byte allocation`,
  );
  l.free(zeroLinux);
  f.free(zeroFreebsd);
  const huge = 16 << 20;
  const hugeLinux = l.slab.kmalloc(huge, GFP_NOWAIT | __GFP_NOWARN);
  const hugeFreebsd = f.k.malloc(huge, f.k.M_TEMP, M_NOWAIT);
  semantics.push(
    `16 MiB: kmalloc ${hugeLinux === 0 ? 'fails (above KMALLOC_MAX_SIZE, 4 MiB)' : 'succeeds'}; ` +
      `malloc(9) M_NOWAIT ${hugeFreebsd === 0 ? 'fails' : 'succeeds from whole pages (uma_large_malloc)'}`,
  );
  if (hugeFreebsd !== 0) f.k.free(hugeFreebsd, f.k.M_TEMP);

  return {
    workload: `every size 1..${maxSize} bytes once, ${batch} live at a time, on two ${ramSize >> 20} MiB machines`,
    linux: linuxTotals,
    freebsd: freebsdTotals,
    classDifferences,
    semantics,
  };
}

/** The summary as text, for k-sim. */
export function formatCrosscheck(s: CrosscheckSummary): string {
  const rows: [string, (t: AllocatorTotals) => string][] = [
    ['allocations (failed)', (t) => `${t.allocations} (${t.failures})`],
    ['bytes requested', (t) => String(t.requestedBytes)],
    ['bytes usable (ksize)', (t) => String(t.usableBytes)],
    ['rounding waste', (t) => `${((100 * (t.usableBytes - t.requestedBytes)) / t.usableBytes).toFixed(1)}%`],
    ['pages at peak', (t) => String(t.peakPages)],
    ['pages held after free', (t) => String(t.pagesAfterFree)],
    ['pages after shrink/reclaim', (t) => String(t.pagesAfterReclaim)],
  ];
  const w = Math.max(...rows.map(([label]) => label.length));
  const col = Math.max(s.linux.allocator.length, 12);
  let out = `allocator cross-check: ${s.workload}\n`;
  out += `  ${''.padEnd(w)}  ${s.linux.allocator.padEnd(col)}  ${s.freebsd.allocator}\n`;
  for (const [label, f] of rows) out += `  ${label.padEnd(w)}  ${f(s.linux).padEnd(col)}  ${f(s.freebsd)}\n`;
  out += `  size classes that differ (${s.classDifferences.length} ranges):\n`;
  for (const d of s.classDifferences.slice(0, 12)) {
    out += `    ${d.sizes[0]}..${d.sizes[1]} bytes: ${d.linux} vs ${d.freebsd}\n`;
  }
  if (s.classDifferences.length > 12) out += `    ... ${s.classDifferences.length - 12} more\n`;
  for (const line of s.semantics) out += `  ${line}\n`;
  return out;
}
