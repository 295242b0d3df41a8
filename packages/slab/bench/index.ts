// @k/slab benchmarks: kmem_cache_alloc+free, kmalloc+kfree of 32 and 256 bytes, and the mixed
// trace (bench/traces.ts) against @thi.ng/malloc's MemPool on the same trace. Prints medians.
import { GFP_KERNEL, PageAllocator } from '@k/page-alloc';
import { PhysicalMemory } from '@k/x86-cpu';
import { MemPool } from '@thi.ng/malloc';
import { pairBench } from '../../../bench/pairs.js';
import { mixedTrace, replay } from '../../../bench/traces.js';
import { SlabAllocator } from '../src/index.js';

const MiB = 1024 * 1024;
const pages = new PageAllocator({ memory: new PhysicalMemory(256 * MiB) });
const slab = new SlabAllocator(pages);
const cache = slab.kmem_cache_create('bench_cache', 64, 0, 0, null)!;
// 20,000 allocations of 8 B .. 8 KiB with up to 2,000 live: @thi.ng/malloc needs ~0.5 s a replay.
const trace = mixedTrace(20_000);
const ptrs = new Float64Array(trace.slots);
const pool = new MemPool({ size: 64 * MiB });

const BATCH = 10_000;
const held = new Float64Array(BATCH);

const { task, run } = pairBench();

task('kmem_cache_alloc+free (64 B, one at a time)', BATCH, () => {
  for (let i = 0; i < BATCH; i++) slab.kmem_cache_free(cache, slab.kmem_cache_alloc(cache, GFP_KERNEL));
});
task('kmem_cache_alloc+free (64 B, 10k live)', BATCH, () => {
  for (let i = 0; i < BATCH; i++) held[i] = slab.kmem_cache_alloc(cache, GFP_KERNEL);
  for (let i = 0; i < BATCH; i++) slab.kmem_cache_free(cache, held[i]);
});
for (const size of [32, 256]) {
  task(`kmalloc+kfree ${size} B`, BATCH, () => {
    for (let i = 0; i < BATCH; i++) slab.kfree(slab.kmalloc(size, GFP_KERNEL));
  });
  task(`@thi.ng/malloc malloc+free ${size} B`, BATCH, () => {
    for (let i = 0; i < BATCH; i++) pool.free(pool.malloc(size));
  });
}
task('mixed trace: kmalloc/kfree', trace.allocs, () => {
  replay(
    trace,
    (n) => slab.kmalloc(n, GFP_KERNEL),
    (p) => slab.kfree(p),
    ptrs,
  );
});
task('mixed trace: @thi.ng/malloc', trace.allocs, () => {
  replay(
    trace,
    (n) => pool.malloc(n),
    (p) => {
      pool.free(p);
    },
    ptrs,
  );
});

const rate = await run();
const ratio = rate['mixed trace: kmalloc/kfree'] / rate['mixed trace: @thi.ng/malloc'];
console.log(`mixed trace: @k/slab is ${ratio.toFixed(2)}x @thi.ng/malloc`);
