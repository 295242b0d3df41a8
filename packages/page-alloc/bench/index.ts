// @k/page-alloc benchmarks: order-0 alloc+free pairs, a mixed-order workload, zone init time for
// 1 GiB and 4 GiB machines, and host memory per page of struct page metadata. Prints medians.

import { PhysicalMemory } from '@k/x86-cpu';
import { Bench } from 'tinybench';
import { GFP_KERNEL, PageAllocator } from '../src/index.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BATCH = 10_000;

const mem1g = new PhysicalMemory(GiB);
const mem4g = new PhysicalMemory(4 * GiB);
const pa = new PageAllocator({ memory: mem1g });
const memoryReport: string[] = [];

// Host memory: struct page columns per page, and the process's growth for a 4 GiB allocator.
const a4 = new PageAllocator({ memory: mem4g });
const columns = [a4.page_flags, a4._mapcount, a4._refcount, a4._private, a4._lru];
const bytes = columns.reduce((n, c) => n + c.byteLength, 0);
memoryReport.push(
  `struct page columns: ${bytes} bytes for ${a4.max_pfn} pages = ${(bytes / a4.max_pfn).toFixed(2)} bytes/page`,
);
const held: PageAllocator[] = [];
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage();
for (let i = 0; i < 4; i++) held.push(new PageAllocator({ memory: mem4g }));
gc?.();
const after = process.memoryUsage();
const per = (after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed) / 4;
memoryReport.push(
  `process.memoryUsage delta${gc ? '' : ' (no --expose-gc: approximate)'} per 4 GiB allocator: ${(per / MiB).toFixed(2)} MiB = ${(per / held[0].max_pfn).toFixed(2)} bytes/page`,
);

// The mixed workload: 4,096 live blocks of orders 0-3, each op frees a random one and allocates
// a random order in its place (a fixed pseudo-random sequence, the same every run).
const LIVE = 4096;
const livePage = new Int32Array(LIVE);
const liveOrder = new Int8Array(LIVE);
const seq = new Uint32Array(BATCH);
let x = 2463534242;
for (let i = 0; i < BATCH; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  seq[i] = x >>> 0;
}
const mixed = new PageAllocator({ memory: new PhysicalMemory(256 * MiB) });
for (let i = 0; i < LIVE; i++) {
  liveOrder[i] = i & 3;
  livePage[i] = mixed.alloc_pages(GFP_KERNEL, i & 3)!;
}

const bench = new Bench({ time: 1500, warmupTime: 300 });
const ops: Record<string, number> = {};
function task(name: string, n: number, fn: () => void): void {
  ops[name] = n;
  bench.add(name, fn);
}

task('alloc_page+__free_page (order 0)', BATCH, () => {
  for (let i = 0; i < BATCH; i++) pa.__free_pages(pa.alloc_pages(GFP_KERNEL, 0)!, 0);
});
task('alloc_pages+__free_pages (order 3)', BATCH, () => {
  for (let i = 0; i < BATCH; i++) pa.__free_pages(pa.alloc_pages(GFP_KERNEL, 3)!, 3);
});
task('mixed orders 0-3, 4k live blocks (free+alloc)', BATCH, () => {
  for (let i = 0; i < BATCH; i++) {
    const r = seq[i];
    const slot = r & (LIVE - 1);
    mixed.__free_pages(livePage[slot], liveOrder[slot]);
    const order = (r >>> 12) & 3;
    livePage[slot] = mixed.alloc_pages(GFP_KERNEL, order)!;
    liveOrder[slot] = order;
  }
});
task('init 1 GiB machine', 1, () => {
  new PageAllocator({ memory: mem1g });
});
task('init 4 GiB machine', 1, () => {
  new PageAllocator({ memory: mem4g });
});

await bench.run();

console.log(`Node ${process.version}, ${process.arch}`);
for (const t of bench.tasks) {
  const median = t.result && 'latency' in t.result ? (t.result.latency.p50 ?? Number.NaN) : Number.NaN;
  const n = ops[t.name];
  const rate = n > 1 ? `${(((n / median) * 1e3) / 1e6).toFixed(2)} M ops/s` : '';
  console.log(`${t.name.padEnd(48)} median ${median.toFixed(3).padStart(9)} ms per run ${rate}`);
}

for (const line of memoryReport) console.log(line);
