import { __GFP_NOWARN, GFP_DMA, GFP_KERNEL, MAX_DMA_PFN, PAGE_OFFSET } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import { KMALLOC_MAX_SIZE, ZERO_SIZE_PTR } from './slab.js';
import { kmalloc_index, kmalloc_size_roundup } from './slab_common.js';

describe('kmalloc size classes', () => {
  it('maps request sizes to the kernel caches, with 96 and 192 in between', () => {
    const { slab } = machine();
    const cache = (n: number) => slab.virt_to_cache(slab.kmalloc(n, GFP_KERNEL))!.name;
    expect(cache(1)).toBe('kmalloc-8');
    expect(cache(8)).toBe('kmalloc-8');
    expect(cache(9)).toBe('kmalloc-16');
    expect(cache(24)).toBe('kmalloc-32');
    expect(cache(65)).toBe('kmalloc-96');
    expect(cache(96)).toBe('kmalloc-96');
    expect(cache(97)).toBe('kmalloc-128');
    expect(cache(129)).toBe('kmalloc-192');
    expect(cache(193)).toBe('kmalloc-256');
    expect(cache(1000)).toBe('kmalloc-1k');
    expect(cache(4096)).toBe('kmalloc-4k');
    expect(cache(8192)).toBe('kmalloc-8k');
    expect(kmalloc_index(200)).toBe(8);
  });

  it('rounds up like kmalloc_size_roundup', () => {
    expect(kmalloc_size_roundup(0)).toBe(0);
    expect(kmalloc_size_roundup(100)).toBe(128);
    expect(kmalloc_size_roundup(150)).toBe(192);
    expect(kmalloc_size_roundup(9000)).toBe(12288 + 4096);
    expect(kmalloc_size_roundup(KMALLOC_MAX_SIZE + 1)).toBe(KMALLOC_MAX_SIZE + 1);
  });

  it('returns ZERO_SIZE_PTR for kmalloc(0), and kfree ignores it and NULL', () => {
    const { slab, printk } = machine();
    expect(slab.kmalloc(0, GFP_KERNEL)).toBe(ZERO_SIZE_PTR);
    slab.kfree(ZERO_SIZE_PTR);
    slab.kfree(0);
    expect(printk.lines).toEqual([]);
  });

  it('uses the dma-kmalloc caches for GFP_DMA', () => {
    const { slab } = machine();
    const p = slab.kmalloc(100, GFP_KERNEL | GFP_DMA);
    expect(slab.virt_to_cache(p)!.name).toBe('dma-kmalloc-128');
    expect(slab.virt_to_slab(p)).toBeLessThan(MAX_DMA_PFN);
  });
});

describe('kmalloc_large', () => {
  it('takes compound pages above 8 KiB and kfree gives them back', () => {
    const { slab, pages } = machine();
    const before = pages.nr_free_pages();
    const p = slab.kmalloc(20000, GFP_KERNEL);
    expect(p % 4096).toBe(0);
    const pfn = (p - PAGE_OFFSET) / 4096;
    expect(pages.PageHead(pfn)).toBe(true);
    expect(pages.compound_order(pfn)).toBe(3);
    expect(slab.ksize(p)).toBe(32768);
    expect(pages.nr_free_pages()).toBe(before - 8);
    slab.kfree(p);
    expect(pages.nr_free_pages()).toBe(before);
  });

  it('fails above KMALLOC_MAX_SIZE with the page allocator warning', () => {
    const { slab, printk } = machine();
    expect(slab.kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL | __GFP_NOWARN)).not.toBe(0);
    expect(slab.kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL)).toBe(0);
    expect(
      printk.lines.some((l) => /^WARNING: CPU: 0 PID: 0 at mm\/page_alloc\.c:\d+ __alloc_pages/.test(l)),
    ).toBe(true);
  });

  it('refuses to kfree a pointer that kmalloc never returned', () => {
    const { slab, pages, printk } = machine();
    const p = slab.kmalloc(20000, GFP_KERNEL);
    const free = pages.nr_free_pages();
    slab.kfree(p + 4096);
    expect(printk.lines).toContain(`object pointer: 0x${(p + 4096).toString(16)}`);
    expect(pages.nr_free_pages()).toBe(free);
    expect(() => slab.kfree(Number.NaN)).toThrow(/kfree: objp must be a pointer/);
  });
});

describe('kmalloc family', () => {
  it('zeroes with kzalloc and kcalloc; kcalloc overflow returns NULL', () => {
    const { slab, pages } = machine();
    const p = slab.kmalloc(64, GFP_KERNEL);
    pages.memory.fill(p - PAGE_OFFSET, 64, 0xff);
    slab.kfree(p);
    const z = slab.kzalloc(64, GFP_KERNEL);
    expect([...pages.memory.readBytes(z - PAGE_OFFSET, 64)].every((b) => b === 0)).toBe(true);
    const c = slab.kcalloc(10, 6, GFP_KERNEL);
    expect(slab.ksize(c)).toBe(64);
    expect(slab.kcalloc(0x10000, 0x10001, GFP_KERNEL)).toBe(0);
    expect(slab.kmalloc_array(0x10000, 0x10001, GFP_KERNEL)).toBe(0);
    expect(slab.kmalloc_array(4, 8, GFP_KERNEL)).not.toBe(0);
  });

  it('traces kmalloc and kfree like include/trace/events/kmem.h', () => {
    const { slab } = machine();
    const events: unknown[] = [];
    slab.trace = (e) => events.push(e);
    const p = slab.kmalloc(100, GFP_KERNEL);
    slab.kfree(p);
    expect(events).toEqual([
      { event: 'kmalloc', ptr: p, bytes_req: 100, bytes_alloc: 128, gfp_flags: GFP_KERNEL },
      { event: 'kfree', ptr: p },
    ]);
  });

  it('reports ksize of the slot', () => {
    const { slab } = machine();
    expect(slab.ksize(slab.kmalloc(70, GFP_KERNEL))).toBe(96);
    expect(slab.ksize(0)).toBe(0);
    expect(slab.ksize(ZERO_SIZE_PTR)).toBe(0);
  });

  it('handles krealloc: NULL, in-place growth and shrink, moves, size 0', () => {
    const { slab, pages } = machine();
    const a = slab.krealloc(0, 20, GFP_KERNEL);
    expect(slab.ksize(a)).toBe(32);
    pages.memory.writeBytes(
      a - PAGE_OFFSET,
      Uint8Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(slab.krealloc(a, 32, GFP_KERNEL)).toBe(a);
    expect(slab.krealloc(a, 4, GFP_KERNEL)).toBe(a);
    const b = slab.krealloc(a, 500, GFP_KERNEL);
    expect(b).not.toBe(a);
    expect([...pages.memory.readBytes(b - PAGE_OFFSET, 20)]).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(slab.virt_to_cache(a)!.nr_allocated).toBe(0);
    expect(slab.krealloc(b, 0, GFP_KERNEL)).toBe(ZERO_SIZE_PTR);
    expect(slab.virt_to_cache(b)!.nr_allocated).toBe(0);
    expect(slab.ksize(slab.krealloc(ZERO_SIZE_PTR, 8, GFP_KERNEL))).toBe(8);
    const big = slab.krealloc(slab.kmalloc(100, GFP_KERNEL), 50000, GFP_KERNEL);
    expect(slab.ksize(big)).toBe(65536);
  });

  it('copies with kmemdup and kstrdup', () => {
    const { slab, pages } = machine();
    const s = slab.kstrdup('scsi_cmd_cache', GFP_KERNEL);
    expect(slab.strget(s)).toBe('scsi_cmd_cache');
    const t = slab.kstrdup(s, GFP_KERNEL);
    expect(t).not.toBe(s);
    expect(slab.strget(t)).toBe('scsi_cmd_cache');
    expect(slab.kstrdup(0, GFP_KERNEL)).toBe(0);
    const m = slab.kmemdup(s, 4, GFP_KERNEL);
    expect([...pages.memory.readBytes(m - PAGE_OFFSET, 4)]).toEqual([...'scsi'].map((c) => c.charCodeAt(0)));
  });

  it('emits the kmem tracepoints when traced', () => {
    const { slab } = machine();
    const events: unknown[] = [];
    slab.trace = (e) => events.push(e);
    const p = slab.kmalloc(100, GFP_KERNEL);
    slab.kfree(p);
    const s = slab.kmem_cache_create('traced', 24, 0, 0, null)!;
    events.length = 0;
    const q = slab.kmem_cache_alloc(s, GFP_KERNEL);
    slab.kmem_cache_free(s, q);
    slab.trace = null;
    slab.kfree(slab.kmalloc(8, GFP_KERNEL));
    expect(events).toEqual([
      {
        event: 'kmem_cache_alloc',
        ptr: q,
        bytes_req: 24,
        bytes_alloc: 24,
        gfp_flags: GFP_KERNEL,
        name: 'traced',
      },
      { event: 'kmem_cache_free', ptr: q, name: 'traced' },
    ]);
  });
});
