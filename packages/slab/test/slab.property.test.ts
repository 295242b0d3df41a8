// Property tests: random alloc/free/realloc sequences over random caches and kmalloc sizes.
import { GFP_KERNEL } from '@k/page-alloc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type KmemCache,
  SLAB_HWCACHE_ALIGN,
  SLAB_POISON,
  SLAB_RED_ZONE,
  SLAB_STORE_USER,
} from '../src/index.js';
import { machine } from './machine.js';

type Op =
  | { op: 'cache_alloc'; cache: number }
  | { op: 'kmalloc'; size: number }
  | { op: 'free'; pick: number }
  | { op: 'krealloc'; pick: number; size: number };

const sizeArb = fc.oneof(
  fc.integer({ min: 1, max: 256 }),
  fc.integer({ min: 1, max: 9000 }),
  fc.integer({ min: 9000, max: 40000 }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('cache_alloc' as const), cache: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('kmalloc' as const), size: sizeArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('krealloc' as const), pick: fc.nat(), size: sizeArb }),
  },
);
const cacheArb = fc.record({
  size: fc.integer({ min: 1, max: 3000 }),
  align: fc.constantFrom(0, 8, 32, 128),
  flags: fc.constantFrom(0, SLAB_HWCACHE_ALIGN, SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER, SLAB_RED_ZONE),
  ctor: fc.boolean(),
});

interface Live {
  p: number;
  size: number;
  cache: KmemCache | null;
  tag: number;
}

describe('slab properties', () => {
  it('never overlaps objects, keeps contents through krealloc, counts like a model, and gives every page back', () => {
    fc.assert(
      fc.property(
        fc.array(cacheArb, { minLength: 4, maxLength: 4 }),
        fc.array(opArb, { maxLength: 300 }),
        (specs, ops) => {
          const { slab, pages, printk } = machine();
          for (const s of slab.slab_caches) slab.kmem_cache_shrink(s);
          const baseline = pages.nr_free_pages();
          const caches = specs.map(
            (c, i) => slab.kmem_cache_create(`prop${i}`, c.size, c.align, c.flags, c.ctor ? () => {} : null)!,
          );
          const live: Live[] = [];
          const model = new Map<KmemCache, number>();
          let tag = 0;
          const fillTag = (o: Live) => slab.vmem.fill(o.p, o.size, o.tag);
          const checkTag = (o: Live, n = o.size) => {
            const bytes = slab.vmem.readBytes(o.p, n);
            for (const b of bytes) if (b !== o.tag) return false;
            return true;
          };
          const add = (p: number, size: number, cache: KmemCache | null) => {
            const o = { p, size, cache, tag: (++tag % 250) + 1 };
            fillTag(o);
            live.push(o);
          };
          for (const o of ops) {
            if (o.op === 'cache_alloc') {
              const c = caches[o.cache];
              const p = slab.kmem_cache_alloc(c, GFP_KERNEL);
              expect(p).not.toBe(0);
              add(p, c.object_size, c);
            } else if (o.op === 'kmalloc') {
              const p = slab.kmalloc(o.size, GFP_KERNEL);
              expect(p).not.toBe(0);
              expect(slab.ksize(p)).toBeGreaterThanOrEqual(o.size);
              add(p, o.size, null);
            } else if (live.length > 0) {
              const i = o.pick % live.length;
              const v = live[i];
              expect(checkTag(v)).toBe(true);
              if (o.op === 'free') {
                if (v.cache) slab.kmem_cache_free(v.cache, v.p);
                else slab.kfree(v.p);
                live.splice(i, 1);
              } else if (v.cache === null) {
                const q = slab.krealloc(v.p, o.size, GFP_KERNEL);
                expect(q).not.toBe(0);
                const kept = Math.min(v.size, o.size);
                expect(checkTag({ ...v, p: q }, kept)).toBe(true);
                v.p = q;
                v.size = o.size;
                fillTag(v);
              }
            }
          }
          // No overlap: all live objects hold their own tags, and their ranges are disjoint.
          const sorted = [...live].sort((a, b) => a.p - b.p);
          for (let i = 0; i < sorted.length; i++) {
            expect(checkTag(sorted[i])).toBe(true);
            if (i > 0) expect(sorted[i - 1].p + sorted[i - 1].size).toBeLessThanOrEqual(sorted[i].p);
          }
          // Counters equal the model.
          for (const v of live) if (v.cache) model.set(v.cache, (model.get(v.cache) ?? 0) + 1);
          for (const c of caches) expect(c.nr_allocated).toBe(model.get(c) ?? 0);
          const kmallocLive = live.filter((v) => v.cache === null && slab.virt_to_cache(v.p) !== null).length;
          const kmallocCounted = slab.kmalloc_caches[0].reduce((n, c) => n + (c?.nr_allocated ?? 0), 0);
          expect(kmallocCounted).toBe(kmallocLive);
          for (const c of slab.slab_caches) {
            expect(c.total_objects).toBeGreaterThanOrEqual(c.nr_allocated);
            expect(slab.validate_slab_cache(c)).toBe(c.nr_slabs);
          }
          expect(printk.lines.filter((l) => l.startsWith('BUG') || l.startsWith('SLUB:'))).toEqual([]);
          // Free everything, shrink, destroy: every page is back in the buddy allocator.
          for (const v of live) {
            if (v.cache) slab.kmem_cache_free(v.cache, v.p);
            else slab.kfree(v.p);
          }
          for (const c of caches) slab.kmem_cache_destroy(c);
          for (const s of slab.slab_caches) slab.kmem_cache_shrink(s);
          expect(pages.nr_free_pages()).toBe(baseline);
          expect(printk.lines.filter((l) => l.startsWith('BUG'))).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
