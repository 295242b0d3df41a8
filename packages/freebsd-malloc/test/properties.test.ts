// Property-based tests: random malloc/free/realloc sequences and random UMA zones, checked against
// a model: no two live allocations overlap, contents survive, statistics equal the model's, and
// after freeing everything and reclaiming, every page is back with the page allocator.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KMEM_ZMAX, kmemzones_sizes } from '../src/kern_malloc.js';
import { M_NOWAIT, M_WAITOK, M_ZERO } from '../src/malloc.js';
import {
  UMA_ALIGN_CACHE,
  UMA_RECLAIM_DRAIN_CPU,
  UMA_ZONE_MAXBUCKET,
  UMA_ZONE_NOBUCKET,
  UMA_ZONE_OFFPAGE,
  uma_align_cache,
} from '../src/uma.js';
import { machine } from './machine.js';

const PO = 0xc0000000;

interface Live {
  addr: number;
  len: number;
  tag: number;
}

function overlaps(live: readonly Live[], addr: number, len: number): Live | undefined {
  return live.find((l) => addr < l.addr + l.len && l.addr < addr + len);
}

function expectedUsable(size: number): number {
  if (size <= KMEM_ZMAX) return kmemzones_sizes.find((s) => s >= Math.max(size, 1))!;
  return Math.ceil(size / 4096) * 4096;
}

const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 600 }) },
  { weight: 3, arbitrary: fc.integer({ min: 601, max: KMEM_ZMAX }) },
  { weight: 1, arbitrary: fc.integer({ min: KMEM_ZMAX + 1, max: 300_000 }) },
);

const mallocOp = fc.oneof(
  fc.record({
    op: fc.constant('malloc' as const),
    size: sizeArb,
    type: fc.nat(2),
    zero: fc.boolean(),
    cpu: fc.nat(1),
  }),
  fc.record({ op: fc.constant('free' as const), pick: fc.nat(), cpu: fc.nat(1), zero: fc.boolean() }),
  fc.record({ op: fc.constant('realloc' as const), pick: fc.nat(), size: sizeArb, cpu: fc.nat(1) }),
);

describe('malloc(9) against a model', () => {
  it('never overlaps, keeps contents, keeps exact statistics, and returns every page', () => {
    fc.assert(
      fc.property(fc.array(mallocOp, { maxLength: 80 }), (ops) => {
        let cpu = 0;
        const { k, pages } = machine({ ncpus: 2, curcpu: () => cpu });
        const mem = pages.memory;
        const types = [k.M_CACHE, k.M_DEVBUF, k.M_TEMP];
        k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
        const free0 = pages.nr_free_pages();
        const model = types.map(() => ({ numallocs: 0, numfrees: 0, memalloced: 0, memfreed: 0 }));
        const live: (Live & { type: number })[] = [];
        let tag = 1;
        const stamp = (l: Live) => {
          mem.write8(l.addr - PO, l.tag);
          mem.write8(l.addr - PO + l.len - 1, l.tag);
        };
        const check = (l: Live) => {
          expect(mem.read8(l.addr - PO)).toBe(l.tag);
          expect(mem.read8(l.addr - PO + l.len - 1)).toBe(l.tag);
        };
        for (const o of ops) {
          cpu = o.cpu;
          if (o.op === 'malloc') {
            const p = k.malloc(o.size, types[o.type], M_WAITOK | (o.zero ? M_ZERO : 0));
            const len = k.malloc_usable_size(p);
            expect(len).toBe(expectedUsable(o.size));
            expect(overlaps(live, p, len)).toBeUndefined();
            if (o.zero) expect(mem.readBytes(p - PO, len).every((b) => b === 0)).toBe(true);
            const l = { addr: p, len, tag: (tag++ % 250) + 1, type: o.type };
            stamp(l);
            live.push(l);
            model[o.type].numallocs++;
            model[o.type].memalloced += len;
          } else if (live.length > 0) {
            const i = o.pick % live.length;
            const l = live[i];
            check(l);
            if (o.op === 'free') {
              if (o.zero) k.zfree(l.addr, types[l.type]);
              else k.free(l.addr, types[l.type]);
              live.splice(i, 1);
              model[l.type].numfrees++;
              model[l.type].memfreed += l.len;
            } else {
              const p = k.realloc(l.addr, o.size, types[l.type], M_NOWAIT);
              if (p === 0) continue;
              const len = k.malloc_usable_size(p);
              if (p !== l.addr) {
                if (o.size > 0) expect(mem.read8(p - PO)).toBe(l.tag); // the copied prefix
                model[l.type].numallocs++;
                model[l.type].memalloced += len;
                model[l.type].numfrees++;
                model[l.type].memfreed += l.len;
              }
              live.splice(i, 1);
              expect(overlaps(live, p, len)).toBeUndefined();
              const n = { addr: p, len, tag: (tag++ % 250) + 1, type: l.type };
              stamp(n);
              live.push(n);
            }
          }
        }
        for (const l of live) check(l);
        types.forEach((t, i) => {
          expect(k.kmem.malloc_type_stats(t)).toMatchObject(model[i]);
        });
        for (const l of live) k.free(l.addr, types[l.type]);
        k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
        expect(pages.nr_free_pages()).toBe(free0);
      }),
      { numRuns: 100 },
    );
  });
});

const zoneArb = fc.record({
  size: fc.oneof(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 701, max: 9000 })),
  align: fc.constantFrom(0, 1, 3, 7, 15, 63, UMA_ALIGN_CACHE),
  flags: fc.constantFrom(0, 0, UMA_ZONE_OFFPAGE, UMA_ZONE_NOBUCKET, UMA_ZONE_MAXBUCKET),
  limit: fc.option(fc.integer({ min: 1, max: 40 }), { freq: 4 }),
});

const zoneOp = fc.oneof(
  fc.record({
    op: fc.constant('alloc' as const),
    zone: fc.nat(),
    cpu: fc.nat(1),
    n: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({
    op: fc.constant('free' as const),
    pick: fc.nat(),
    cpu: fc.nat(1),
    n: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({ op: fc.constant('reclaim' as const) }),
);

describe('random UMA zones against a model', () => {
  it('aligned, disjoint items; exact in-use counts; limits hold; all pages back after destroy', () => {
    fc.assert(
      fc.property(
        fc.array(zoneArb, { minLength: 1, maxLength: 5 }),
        fc.array(zoneOp, { maxLength: 40 }),
        (specs, ops) => {
          let cpu = 0;
          const { k, pages } = machine({ ncpus: 2, curcpu: () => cpu });
          k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
          const free0 = pages.nr_free_pages();
          const inits = specs.map(() => ({ init: 0, fini: 0 }));
          const zones = specs.map((s, i) =>
            k.uma_zcreate(
              `z${i}`,
              s.size,
              null,
              null,
              () => {
                inits[i].init++;
                return 0;
              },
              () => {
                inits[i].fini++;
              },
              s.align,
              s.flags,
            ),
          );
          specs.forEach((s, i) => {
            if (s.limit !== null) k.uma_zone_set_max(zones[i], s.limit);
          });
          const live: (Live & { zone: number })[] = [];
          const inuse = zones.map(() => 0);
          for (const o of ops) {
            if (o.op === 'reclaim') {
              k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
              continue;
            }
            cpu = o.cpu;
            for (let j = 0; j < o.n; j++) {
              if (o.op === 'alloc') {
                const zi = o.zone % zones.length;
                const p = k.uma_zalloc(zones[zi], M_NOWAIT);
                const limit = specs[zi].limit;
                if (p === 0) {
                  // Memory is plentiful: only a limit fails an allocation (items may sit in the
                  // other CPU's cache, which M_NOWAIT does not drain).
                  expect(limit).not.toBeNull();
                  continue;
                }
                if (limit !== null) expect(inuse[zi]).toBeLessThan(limit);
                const align = specs[zi].align === UMA_ALIGN_CACHE ? uma_align_cache : specs[zi].align;
                expect(p & align).toBe(0);
                expect(overlaps(live, p, specs[zi].size)).toBeUndefined();
                const l = { addr: p, len: specs[zi].size, tag: (live.length % 250) + 1, zone: zi };
                pages.memory.write8(p - PO + l.len - 1, l.tag);
                live.push(l);
                inuse[zi]++;
              } else if (live.length > 0) {
                const l = live.splice(o.pick % live.length, 1)[0];
                expect(pages.memory.read8(l.addr - PO + l.len - 1)).toBe(l.tag);
                k.uma_zfree(zones[l.zone], l.addr);
                inuse[l.zone]--;
              }
            }
          }
          zones.forEach((z, i) => {
            expect(k.uma_zone_get_cur(z)).toBe(inuse[i]);
          });
          for (const l of live) k.uma_zfree(zones[l.zone], l.addr);
          for (const z of zones) k.uma_zdestroy(z);
          inits.forEach((c) => {
            expect(c.fini).toBe(c.init);
          });
          k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
          expect(k.uma.violations).toBe(0);
          expect(pages.nr_free_pages()).toBe(free0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
