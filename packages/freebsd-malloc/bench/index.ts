// @k/freebsd-malloc benchmarks, the FreeBSD side of @k/slab's (bench/traces.ts is the same trace):
// uma_zalloc+uma_zfree of 64-byte items, malloc+free of 32 and 256 bytes, and the mixed trace
// through malloc(9). Each runs without INVARIANTS (a release kernel) and with them (the default
// here, as in FreeBSD-CURRENT's GENERIC). Prints medians.
import { PageAllocator } from '@k/page-alloc';
import { PhysicalMemory } from '@k/x86-cpu';
import { pairBench } from '../../../bench/pairs.js';
import { mixedTrace, replay } from '../../../bench/traces.js';
import { FreeBSDMalloc, M_WAITOK, UMA_ALIGN_PTR } from '../src/index.js';

const MiB = 1024 * 1024;
const trace = mixedTrace(20_000);
const ptrs = new Float64Array(trace.slots);
const BATCH = 10_000;
const held = new Float64Array(BATCH);

const { task, run } = pairBench();

for (const invariants of [false, true]) {
  const pages = new PageAllocator({ memory: new PhysicalMemory(256 * MiB) });
  const k = new FreeBSDMalloc(pages, { invariants });
  k.mi_startup();
  const zone = k.uma_zcreate('bench_zone', 64, null, null, null, null, UMA_ALIGN_PTR, 0);
  const M_BENCH = k.M_TEMP;
  const tag = invariants ? ' [INVARIANTS]' : '';

  task(`uma_zalloc+uma_zfree (64 B, one at a time)${tag}`, BATCH, () => {
    for (let i = 0; i < BATCH; i++) k.uma_zfree(zone, k.uma_zalloc(zone, M_WAITOK));
  });
  task(`uma_zalloc+uma_zfree (64 B, 10k live)${tag}`, BATCH, () => {
    for (let i = 0; i < BATCH; i++) held[i] = k.uma_zalloc(zone, M_WAITOK);
    for (let i = 0; i < BATCH; i++) k.uma_zfree(zone, held[i]);
  });
  for (const size of [32, 256]) {
    task(`malloc+free ${size} B${tag}`, BATCH, () => {
      for (let i = 0; i < BATCH; i++) k.free(k.malloc(size, M_BENCH, M_WAITOK), M_BENCH);
    });
  }
  task(`mixed trace: malloc/free${tag}`, trace.allocs, () => {
    replay(
      trace,
      (n) => k.malloc(n, M_BENCH, M_WAITOK),
      (p) => k.free(p, M_BENCH),
      ptrs,
    );
  });
}

await run();
