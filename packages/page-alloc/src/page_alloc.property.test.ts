// Property tests: random allocate/free sequences keep the buddy allocator consistent.

import { PhysicalMemory } from '@k/x86-cpu';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  __GFP_COLD,
  __GFP_COMP,
  __GFP_DMA,
  __GFP_MOVABLE,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_ZERO,
  GFP_ATOMIC,
  GFP_HIGHUSER,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_NOWAIT,
} from './gfp.js';
import { NR_PAGE_ORDERS } from './memlayout.js';
import { NIL } from './mmzone.js';
import type { PageAllocator } from './page_alloc.js';
import { PageAllocator as PA } from './page_alloc.js';
import { collectingPrintk } from './printk.js';

const MiB = 1024 * 1024;
const GFPS = [
  GFP_KERNEL,
  GFP_ATOMIC,
  GFP_NOWAIT,
  GFP_KERNEL | __GFP_DMA,
  GFP_HIGHUSER,
  GFP_KERNEL | __GFP_COMP,
  GFP_KERNEL | __GFP_ZERO,
  GFP_KERNEL | __GFP_COLD,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL | __GFP_MOVABLE,
  GFP_KERNEL | __GFP_RECLAIMABLE,
  GFP_ATOMIC | __GFP_RECLAIMABLE,
];

type Op =
  | { kind: 'alloc'; gfp: number; order: number }
  | { kind: 'free'; index: number }
  | { kind: 'bad'; index: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('alloc' as const),
      gfp: fc.constantFrom(...GFPS),
      order: fc.oneof(
        { weight: 6, arbitrary: fc.constant(0) },
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 10 }) },
      ),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bad' as const), index: fc.nat() }) },
);

/** Every free block per zone: [pfn, order] pairs, sorted. */
function freeBlocks(pa: PageAllocator): string[][] {
  return pa.zones.map((z) => {
    const blocks: string[] = [];
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      for (const head of z.free_area[o].free_list) {
        for (let p = head; p !== NIL; p = pa._lru[p]) blocks.push(`${p}:${o}`);
      }
    }
    return blocks.sort();
  });
}

function checkConsistency(pa: PageAllocator, live: { page: number; order: number }[]): void {
  const owner = new Uint8Array(pa.max_pfn);
  const fail = (what: string) => {
    throw new Error(what);
  };
  for (const { page, order } of live) {
    for (let p = page; p < page + (1 << order); p++) {
      if (owner[p]) fail(`pfn ${p} handed out twice`);
      owner[p] = 1;
    }
  }
  for (const z of pa.zones) {
    let pages = 0;
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      let n = 0;
      z.free_area[o].free_list.forEach((head, mt) => {
        for (let p = head; p !== NIL; p = pa._lru[p]) {
          n++;
          if (!pa.PageBuddy(p) || p % (1 << o) !== 0) fail(`bad free block ${p} order ${o}`);
          if (pa.get_pageblock_migratetype(p) !== mt)
            fail(`block ${p} on list ${mt} of another pageblock type`);
          for (let q = p; q < p + (1 << o); q++) {
            if (owner[q]) fail(`free pfn ${q} is also allocated or listed twice`);
            owner[q] = 2;
          }
        }
      });
      if (n !== z.free_area[o].nr_free)
        fail(`${z.name} order ${o}: ${n} listed, nr_free ${z.free_area[o].nr_free}`);
      pages += n << o;
    }
    let pcp = 0;
    z.pcp.lists.forEach((list, mt) => {
      for (let i = 0; i < z.pcp.counts[mt]; i++) {
        const p = list[i];
        if (owner[p]) fail(`pcp pfn ${p} also elsewhere`);
        owner[p] = 3;
        pcp++;
      }
    });
    if (pcp !== z.pcp.count) fail(`${z.name}: pcp count ${z.pcp.count} but ${pcp} listed`);
    if (pages + z.pcp.count !== z.nr_free_pages) fail(`${z.name}: free pages not conserved`);
  }
}

describe('buddy allocator properties', () => {
  it('never overlaps, conserves free pages and returns to the starting free_area', () => {
    const pa = new PA({ memory: new PhysicalMemory(1024 * MiB), printk: collectingPrintk() });
    const start = freeBlocks(pa);
    const startFree = pa.nr_free_pages();
    const startCounts = pa.zones.map((z) => z.free_area.map((a) => a.nr_free));
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const live: { page: number; order: number }[] = [];
        let freed: { page: number; order: number } | undefined;
        for (const op of ops) {
          if (op.kind === 'alloc') {
            const page = pa.alloc_pages(op.gfp | __GFP_NOWARN, op.order);
            if (page !== null) live.push({ page, order: op.order });
          } else if (op.kind === 'free' && live.length) {
            const [b] = live.splice(op.index % live.length, 1);
            pa.__free_pages(b.page, b.order);
            freed = b;
          } else if (op.kind === 'bad' && freed && !live.some((b) => b.page === freed!.page)) {
            // a double free must be reported and change nothing
            const before = pa.nr_free_pages();
            pa.__free_pages(freed.page, freed.order);
            expect(pa.nr_free_pages()).toBe(before);
          }
          let held = 0;
          for (const b of live) held += 1 << b.order;
          if (pa.nr_free_pages() + held !== startFree) throw new Error('free count not conserved');
        }
        checkConsistency(pa, live);
        for (const b of live) pa.__free_pages(b.page, b.order);
        pa.drain_all_pages();
        expect(pa.nr_free_pages()).toBe(startFree);
        expect(pa.zones.map((z) => z.free_area.map((a) => a.nr_free))).toEqual(startCounts);
        expect(freeBlocks(pa)).toEqual(start);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a small machine consistent under memory pressure', () => {
    const pa = new PA({ memory: new PhysicalMemory(4 * MiB), printk: collectingPrintk() });
    const start = freeBlocks(pa);
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const live: { page: number; order: number }[] = [];
        for (const op of ops) {
          if (op.kind === 'alloc') {
            const page = pa.alloc_pages((op.gfp & ~GFP_HIGHUSER) | GFP_ATOMIC | __GFP_NOWARN, op.order);
            if (page !== null) live.push({ page, order: op.order });
          } else if (live.length) {
            const [b] = live.splice(op.index % live.length, 1);
            pa.__free_pages(b.page, b.order);
          }
        }
        checkConsistency(pa, live);
        for (const b of live) pa.__free_pages(b.page, b.order);
        pa.drain_all_pages();
        expect(freeBlocks(pa)).toEqual(start);
      }),
      { numRuns: 300 },
    );
  });
});
