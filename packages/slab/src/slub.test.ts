import { __GFP_NO_GROW, __GFP_NOWARN, GFP_ATOMIC, GFP_KERNEL, MAX_DMA_PFN, PAGE_OFFSET } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import { KernelPanic, SlabError } from './errors.js';
import { SLAB_CACHE_DMA, SLAB_HWCACHE_ALIGN, SLAB_NO_REAP, SLAB_PANIC } from './slab.js';
import {
  calculate_order,
  calculate_sizes,
  get_order,
  KmemCache,
  LIST_CPU,
  LIST_FULL,
  LIST_PARTIAL,
} from './slub.js';

describe('SLUB geometry', () => {
  it('picks the orders and objects per slab a 1-CPU x86 kernel shows in /proc/slabinfo', () => {
    const { slab } = machine();
    const geometry = (name: string) => {
      const s = slab.slab_caches.find((c) => c.name === name)!;
      return [s.size, s.objects, 1 << s.order];
    };
    expect(geometry('kmalloc-8')).toEqual([8, 512, 1]);
    expect(geometry('kmalloc-96')).toEqual([96, 42, 1]);
    expect(geometry('kmalloc-192')).toEqual([192, 21, 1]);
    expect(geometry('kmalloc-512')).toEqual([512, 8, 1]);
    expect(geometry('kmalloc-1k')).toEqual([1024, 8, 2]);
    expect(geometry('kmalloc-2k')).toEqual([2048, 8, 4]);
    expect(geometry('kmalloc-4k')).toEqual([4096, 8, 8]);
    expect(geometry('kmalloc-8k')).toEqual([8192, 4, 8]);
  });

  it('computes calculate_order and get_order like mm/slub.c', () => {
    expect(get_order(1)).toBe(0);
    expect(get_order(4096)).toBe(0);
    expect(get_order(4097)).toBe(1);
    expect(calculate_order(100)).toBe(0);
    expect(calculate_order(1200)).toBe(2);
    expect(calculate_order(3000)).toBe(3);
  });

  it('puts the free pointer in the middle of a plain object and after a constructed one', () => {
    expect(calculate_sizes(100, 4, 0, false)).toMatchObject({ size: 100, offset: 48, inuse: 100 });
    expect(calculate_sizes(100, 4, 0, true)).toMatchObject({ size: 104, offset: 100, inuse: 100 });
  });
});

describe('kmem_cache_create', () => {
  it('creates a cache and writes its struct kmem_cache into memory', () => {
    const { slab } = machine();
    const s = slab.kmem_cache_create('my_cache', 100, 0, 0, null)!;
    expect(s).toBeInstanceOf(KmemCache);
    expect(s.object_size).toBe(100);
    expect(s.size).toBe(100);
    expect(s.address).toBeGreaterThan(PAGE_OFFSET);
    expect(slab.virt_to_cache(s.address)!.name).toBe('kmem_cache');
  });

  it('aligns to cache lines with SLAB_HWCACHE_ALIGN', () => {
    const { slab } = machine();
    const s = slab.kmem_cache_create('aligned', 40, 0, SLAB_HWCACHE_ALIGN, null)!;
    expect(s.size).toBe(64);
    const small = slab.kmem_cache_create('small', 20, 0, SLAB_HWCACHE_ALIGN, null)!;
    expect(small.size).toBe(32);
    for (let i = 0; i < 10; i++) expect(slab.kmem_cache_alloc(s, GFP_KERNEL) % 64).toBe(0);
  });

  it('accepts SLAB_NO_REAP for compatibility', () => {
    const { slab } = machine();
    expect(slab.kmem_cache_create('noreap', 32, 0, SLAB_NO_REAP, null)).not.toBeNull();
  });

  it('refuses impossible arguments with typed errors naming the field', () => {
    const { slab } = machine();
    expect(() => slab.kmem_cache_create('' as string, 32, 0, 0, null)).toThrow(/name must be/);
    expect(() => slab.kmem_cache_create('x', -1, 0, 0, null)).toThrow(SlabError);
    expect(() => slab.kmem_cache_create('x', 32, 3, 0, null)).toThrow(
      /align must be zero or a power of two, got 3/,
    );
    expect(() => slab.kmem_cache_create('x', 32, 0, 0, 5 as never)).toThrow(/ctor/);
  });

  it('fails the kernel way on a bad size or unknown flag, and panics with SLAB_PANIC', () => {
    const { slab, printk } = machine();
    expect(slab.kmem_cache_create('huge', 8 << 20, 0, 0, null)).toBeNull();
    expect(printk.lines).toContain('kmem_cache_create(huge) integrity check failed');
    expect(printk.lines).toContain('kmem_cache_create(huge) failed with error -22');
    expect(slab.kmem_cache_create('badflag', 32, 0, 0x8000_0000, null)).toBeNull();
    expect(() => slab.kmem_cache_create('huge', 8 << 20, 0, SLAB_PANIC, null)).toThrow(KernelPanic);
    expect(printk.lines.at(-1)).toBe(
      "Kernel panic - not syncing: kmem_cache_create: Failed to create slab 'huge'. Error -22",
    );
  });
});

describe('allocation and free', () => {
  it('threads the freelist through the free objects in simulated memory', () => {
    const { slab, pages } = machine();
    const s = slab.kmem_cache_create('fp', 64, 0, 0, null)!;
    const a = slab.kmem_cache_alloc(s, GFP_KERNEL);
    const b = slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(b - a).toBe(64);
    // The next free object's address is stored inside b's successor, at s.offset.
    const next = pages.memory.read32(b + 64 - PAGE_OFFSET + s.offset);
    expect(next).toBe(b + 128);
    expect(s.cpu_freelist).toBe(b + 64);
    slab.kmem_cache_free(s, a);
    expect(s.cpu_freelist).toBe(a);
    expect(pages.memory.read32(a - PAGE_OFFSET + s.offset)).toBe(b + 64);
    expect(slab.kmem_cache_alloc(s, GFP_KERNEL)).toBe(a);
  });

  it('marks slab pages PG_slab and keeps a CPU slab, partial and full slabs', () => {
    const { slab, pages } = machine();
    const s = slab.kmem_cache_create('lists', 1024, 0, 0, null)!;
    expect(s.objects).toBe(8);
    const objs = Array.from({ length: 24 }, () => slab.kmem_cache_alloc(s, GFP_KERNEL));
    expect(s.nr_slabs).toBe(3);
    const slabs = [...new Set(objs.map((p) => slab.virt_to_slab(p)))];
    expect(slabs.every((pfn) => pages.PageSlab(pfn))).toBe(true);
    // Order-1 slabs are compound pages (__GFP_COMP), PG_slab on the head.
    expect(pages.PageHead(slabs[0])).toBe(true);
    expect(pages.compound_head(slabs[0] + 1)).toBe(slabs[0]);
    expect(slab.virt_to_slab(objs[7])).toBe(slabs[0]);
    expect(slab.slab_list[slabs[0]]).toBe(LIST_FULL);
    expect(slab.slab_list[slabs[2]]).toBe(LIST_CPU);
    slab.kmem_cache_free(s, objs[0]);
    expect(slab.slab_list[slabs[0]]).toBe(LIST_PARTIAL);
    expect(s.nr_partial).toBe(1);
    expect(s.nr_allocated).toBe(23);
  });

  it('runs the constructor on every object when a slab is populated, not on each allocation', () => {
    const { slab, pages } = machine();
    const seen: number[] = [];
    const s = slab.kmem_cache_create('ctor', 128, 0, 0, (p) => {
      seen.push(p);
      pages.memory.write32(p - PAGE_OFFSET, 0xfeedface);
    })!;
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(seen.length).toBe(s.objects);
    expect(pages.memory.read32(p - PAGE_OFFSET)).toBe(0xfeedface);
    slab.kmem_cache_free(s, p);
    slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(seen.length).toBe(s.objects);
  });

  it('zeroes with kmem_cache_zalloc', () => {
    const { slab, pages } = machine();
    const s = slab.kmem_cache_create('z', 200, 0, 0, null)!;
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    pages.memory.fill(p - PAGE_OFFSET, 200, 0xee);
    slab.kmem_cache_free(s, p);
    const q = slab.kmem_cache_zalloc(s, GFP_KERNEL);
    expect(q).toBe(p);
    expect([...pages.memory.readBytes(q - PAGE_OFFSET, 200)].every((b) => b === 0)).toBe(true);
  });

  it('takes SLAB_CACHE_DMA slabs from ZONE_DMA', () => {
    const { slab } = machine();
    const s = slab.kmem_cache_create('dma', 64, 0, SLAB_CACHE_DMA, null)!;
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(slab.virt_to_slab(p)).toBeLessThan(MAX_DMA_PFN);
  });

  it('reports a sleeping allocation in atomic context and still allocates', () => {
    let atomic = false;
    const { slab, printk } = machine({
      context: {
        in_atomic: () => atomic,
        irqs_disabled: () => false,
        current_comm: () => 'irq/1',
        current_pid: () => 7,
      },
    });
    const s = slab.kmem_cache_create('ctx', 64, 0, 0, null)!;
    atomic = true;
    expect(slab.kmem_cache_alloc(s, GFP_ATOMIC)).not.toBe(0);
    expect(printk.lines.some((l) => l.startsWith('BUG: sleeping function'))).toBe(false);
    expect(slab.kmem_cache_alloc(s, GFP_KERNEL)).not.toBe(0);
    expect(printk.lines.some((l) => l.startsWith('BUG: sleeping function called from invalid context'))).toBe(
      true,
    );
    expect(printk.lines).toContain('in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 7, name: irq/1');
  });

  it('does not grow a cache for __GFP_NO_GROW', () => {
    const { slab } = machine();
    const s = slab.kmem_cache_create('nogrow', 64, 0, 0, null)!;
    expect(slab.kmem_cache_alloc(s, GFP_KERNEL | __GFP_NO_GROW)).toBe(0);
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(slab.kmem_cache_alloc(s, GFP_KERNEL | __GFP_NO_GROW)).toBe(p + 64);
  });

  it('reports SLUB: Unable to allocate memory when the page allocator is out', () => {
    const { slab, printk, pages } = machine({ mem: 4 * 1024 * 1024 });
    const s = slab.kmem_cache_create('oom', 4000, 0, 0, null)!;
    let n = 0;
    while (slab.kmem_cache_alloc(s, GFP_ATOMIC) !== 0) n++;
    expect(n).toBeGreaterThan(100);
    expect(
      printk.lines.some((l) =>
        l.startsWith('SLUB: Unable to allocate memory on node -1, gfp=0x820(GFP_ATOMIC)'),
      ),
    ).toBe(true);
    expect(printk.lines).toContain(
      '  cache: oom, object size: 4000, buffer size: 4000, default order: 3, min order: 0',
    );
    expect(slab.kmem_cache_alloc(s, GFP_ATOMIC | __GFP_NOWARN)).toBe(0);
    expect(pages.nr_free_pages()).toBeLessThan(50);
  });
});

describe('shrink, shrinker and destroy', () => {
  it('gives every empty slab back to the buddy allocator on kmem_cache_shrink', () => {
    const { slab, pages } = machine();
    const s = slab.kmem_cache_create('shrinkme', 256, 0, 0, null)!;
    const before = pages.nr_free_pages();
    const objs = Array.from({ length: 1000 }, () => slab.kmem_cache_alloc(s, GFP_KERNEL));
    expect(pages.nr_free_pages()).toBeLessThan(before - 60);
    for (const p of objs) slab.kmem_cache_free(s, p);
    expect(s.nr_slabs).toBeGreaterThan(0);
    expect(slab.kmem_cache_shrink(s)).toBe(0);
    expect(s.nr_slabs).toBe(0);
    expect(pages.nr_free_pages()).toBe(before);
    expect(objs.some((p) => pages.PageSlab(pages.virt_to_page(p)))).toBe(false);
  });

  it('frees empty slabs through the shrinker under memory pressure', () => {
    const { slab, pages } = machine();
    const s = slab.kmem_cache_create('pressure', 512, 0, 0, null)!;
    const objs = Array.from({ length: 40 }, () => slab.kmem_cache_alloc(s, GFP_KERNEL));
    for (const p of objs) slab.kmem_cache_free(s, p);
    const held = s.nr_slabs;
    expect(held).toBeGreaterThan(0);
    const freed = pages.shrink_slab(GFP_KERNEL, 0);
    expect(freed).toBeGreaterThanOrEqual(held);
    expect(s.nr_slabs).toBe(0);
  });

  it('destroys an empty cache and frees its struct kmem_cache', () => {
    const { slab } = machine();
    const kc = slab.kmem_cache!;
    const s = slab.kmem_cache_create('gone', 64, 0, 0, null)!;
    const n = kc.nr_allocated;
    slab.kmem_cache_free(s, slab.kmem_cache_alloc(s, GFP_KERNEL));
    slab.kmem_cache_destroy(s);
    expect(kc.nr_allocated).toBe(n - 1);
    expect(slab.slab_caches.includes(s)).toBe(false);
    expect(() => slab.kmem_cache_alloc(s, GFP_KERNEL)).toThrow(/a live kmem_cache/);
    slab.kmem_cache_destroy(null);
  });

  it('refuses to destroy a cache with objects and lists them like __kmem_cache_shutdown', () => {
    const { slab, printk } = machine();
    const s = slab.kmem_cache_create('leaky', 64, 0, 0, null)!;
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    slab.kmem_cache_destroy(s);
    expect(printk.lines).toContain(
      'BUG leaky (Not tainted): Objects remaining in leaky on __kmem_cache_shutdown()',
    );
    expect(printk.lines).toContain(`Object 0x${p.toString(16)} @offset=0`);
    expect(
      printk.lines.some((l) =>
        l.startsWith('kmem_cache_destroy leaky: Slab cache still has objects when called from'),
      ),
    ).toBe(true);
    expect(slab.slab_caches.includes(s)).toBe(true);
    slab.kmem_cache_free(s, p);
    slab.kmem_cache_destroy(s);
    expect(slab.slab_caches.includes(s)).toBe(false);
  });
});
