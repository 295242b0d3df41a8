// Property test: a debugging cache survives random misuse. Double frees, pointers into the middle
// of objects, frees to the wrong cache, red zone overruns and writes after free are reported and
// refused, and the allocator goes on handing out distinct objects with exact counters.
import { GFP_KERNEL } from '@k/page-alloc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLAB_POISON, SLAB_RED_ZONE, SLAB_STORE_USER } from '../src/index.js';
import { machine } from './machine.js';

type Op =
  | { op: 'alloc' }
  | { op: 'free'; pick: number }
  | { op: 'double_free'; pick: number }
  | { op: 'inner_free'; pick: number; delta: number }
  | { op: 'wrong_cache'; pick: number }
  | { op: 'overrun'; pick: number }
  | { op: 'use_after_free'; pick: number; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ op: 'alloc' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('double_free' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('inner_free' as const),
      pick: fc.nat(),
      delta: fc.integer({ min: 1, max: 15 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrong_cache' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('overrun' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('use_after_free' as const), pick: fc.nat(), at: fc.nat(15) }),
  },
);

describe('misuse of a debugging cache', () => {
  it('is reported and refused without corrupting the allocator', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 600 }), fc.array(opArb, { maxLength: 200 }), (size, ops) => {
        const { slab, printk } = machine();
        const s = slab.kmem_cache_create(
          'victim',
          size,
          0,
          SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER,
          null,
        )!;
        const other = slab.kmem_cache_create('bystander', size, 0, 0, null)!;
        const live: number[] = [];
        const freed: number[] = [];
        let reports = 0;
        const reported = () => {
          const n = printk.lines.filter((l) => l.startsWith('BUG ') || l.includes('Wrong slab cache')).length;
          const grew = n > reports;
          reports = n;
          return grew;
        };
        for (const o of ops) {
          if (o.op === 'alloc') {
            const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
            expect(p).not.toBe(0);
            expect(live.includes(p)).toBe(false);
            live.push(p);
            const f = freed.indexOf(p);
            if (f >= 0) freed.splice(f, 1);
            reported();
            continue;
          }
          if (o.op === 'use_after_free') {
            if (freed.length === 0) continue;
            slab.vmem.write8(freed[o.pick % freed.length] + (o.at % size), 0x00);
            continue;
          }
          if (o.op === 'double_free') {
            if (freed.length === 0) continue;
            const p = freed[o.pick % freed.length];
            slab.kmem_cache_free(s, p);
            if (!live.includes(p)) expect(reported()).toBe(true);
            continue;
          }
          if (live.length === 0) continue;
          const i = o.pick % live.length;
          const p = live[i];
          if (o.op === 'free') {
            const before = s.nr_allocated;
            slab.kmem_cache_free(s, p);
            if (s.nr_allocated === before - 1) {
              live.splice(i, 1);
              freed.push(p);
            } else {
              // Refused only because an earlier write after free or overrun was found now.
              expect(reported()).toBe(true);
            }
          } else if (o.op === 'inner_free') {
            slab.kmem_cache_free(s, p + o.delta);
            expect(reported()).toBe(true);
          } else if (o.op === 'wrong_cache') {
            slab.kmem_cache_free(other, p);
            expect(reported()).toBe(true);
          } else if (o.op === 'overrun') {
            slab.vmem.write8(p + size, 0x41);
            slab.kmem_cache_free(s, p);
            expect(reported()).toBe(true);
            expect(printk.lines).toContain(`FIX victim: Object at 0x${p.toString(16)} not freed`);
          }
          reported();
        }
        expect(s.nr_allocated).toBe(live.length);
        expect(other.nr_allocated).toBe(0);
        // The allocator still works: every live object can be freed and new ones are distinct.
        const fresh = Array.from({ length: 20 }, () => slab.kmem_cache_alloc(s, GFP_KERNEL));
        const all = new Set([...live, ...fresh]);
        expect(all.size).toBe(live.length + fresh.length);
        for (const p of [...live, ...fresh]) slab.kmem_cache_free(s, p);
        expect(s.nr_allocated).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
