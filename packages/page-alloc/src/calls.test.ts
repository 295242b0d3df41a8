// One test per call and flag not covered elsewhere.

import { PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import {
  E820_TYPE_RAM,
  E820_TYPE_RESERVED,
  type E820Entry,
  e820_default_map,
  e820_print_table,
} from './e820.js';
import {
  __GFP_COLD,
  __GFP_HIGH,
  __GFP_MEMALLOC,
  __GFP_NOFAIL,
  __GFP_NORETRY,
  __GFP_NOWARN,
  GFP_ATOMIC,
  GFP_KERNEL,
  GFP_NOFS,
  GFP_NOIO,
  GFP_NOWAIT,
  ZONE_DMA,
  ZONE_NORMAL,
} from './gfp.js';
import { Memblock } from './memblock.js';
import { __pa, __va, PAGE_OFFSET, PAGE_SIZE, phys_to_virt, virt_to_phys } from './memlayout.js';
import { PageAllocator } from './page_alloc.js';
import { collectingPrintk } from './printk.js';
import type { Shrinker } from './shrinker.js';

const MiB = 1024 * 1024;

function machine(size = 16 * MiB, e820?: E820Entry[]) {
  const printk = collectingPrintk();
  return { pa: new PageAllocator({ memory: new PhysicalMemory(size), printk, e820 }), printk };
}

/** Takes pages with `gfp` until it fails; returns them. */
function exhaust(pa: PageAllocator, gfp: number): number[] {
  const got: number[] = [];
  for (;;) {
    const p = pa.alloc_page(gfp | __GFP_NOWARN);
    if (p === null) return got;
    got.push(p);
  }
}

describe('e820 and memblock', () => {
  it('builds the standard PC map', () => {
    expect(e820_default_map(64 * MiB)).toEqual([
      { addr: 0, size: 0x9fc00, type: E820_TYPE_RAM },
      { addr: 0x9fc00, size: 0x400, type: E820_TYPE_RESERVED },
      { addr: 0xf0000, size: 0x10000, type: E820_TYPE_RESERVED },
      { addr: 0x100000, size: 63 * MiB, type: E820_TYPE_RAM },
    ]);
    const big = e820_default_map(4096 * MiB);
    expect(big[3]).toEqual({ addr: 0x100000, size: 0xc0000000 - 0x100000, type: E820_TYPE_RAM });
    expect(big[4]).toEqual({ addr: 0xfec00000, size: 0x1400000, type: E820_TYPE_RESERVED });
    expect(() => e820_default_map(1000)).toThrow(/ramSize/);
    expect(e820_print_table(e820_default_map(64 * MiB))[0]).toBe(
      'BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
    );
  });

  it('takes a given e820 map with holes', () => {
    const { pa } = machine(64 * MiB, [
      { addr: 0, size: 0x9fc00, type: E820_TYPE_RAM },
      { addr: 0x100000, size: 31 * MiB, type: E820_TYPE_RAM },
      { addr: 40 * MiB, size: 24 * MiB, type: E820_TYPE_RAM },
    ]);
    const normal = pa.zones[ZONE_NORMAL];
    expect(normal.spanned_pages).toBe((48 * MiB) / PAGE_SIZE);
    expect(normal.present_pages).toBe((40 * MiB) / PAGE_SIZE);
    expect(pa.PageReserved((33 * MiB) / PAGE_SIZE)).toBe(true);
    expect(() => machine(16 * MiB, [{ addr: 0, size: -1, type: 1 }])).toThrow(/e820\[0\]\.size/);
  });

  it('merges and subtracts memblock regions', () => {
    const mb = new Memblock();
    mb.memblock_add(0x1000, 0x3000);
    mb.memblock_add(0x4000, 0x1000);
    expect(mb.memory.regions).toEqual([{ base: 0x1000, size: 0x4000 }]);
    mb.memblock_reserve(0x2800, 0x100);
    expect(mb.free_pfn_ranges()).toEqual([
      [1, 2],
      [3, 5],
    ]);
    mb.memblock_remove(0x1000, 0x1000);
    expect(mb.mem_pfn_ranges()).toEqual([[2, 5]]);
  });
});

describe('address helpers', () => {
  it('converts between struct page, pfn, physical and virtual addresses', () => {
    const { pa } = machine();
    expect(__pa(PAGE_OFFSET + 0x1234)).toBe(0x1234);
    expect(__va(0x1234)).toBe(PAGE_OFFSET + 0x1234);
    expect(virt_to_phys(0xc0100000)).toBe(0x100000);
    expect(phys_to_virt(0x100000)).toBe(0xc0100000);
    expect(pa.pfn_to_page(42)).toBe(42);
    expect(pa.page_to_pfn(42)).toBe(42);
    expect(pa.virt_to_page(0xc0123456)).toBe(0x123);
    expect(pa.page_address(0x123)).toBe(0xc0123000);
    expect(pa.virt_addr_valid(0xc0123456)).toBe(true);
    expect(pa.virt_addr_valid(0x123456)).toBe(false);
  });
});

describe('allocation calls', () => {
  it('__get_free_page / free_page / get_page / put_page / split_page', () => {
    const { pa, printk } = machine();
    const free0 = pa.nr_free_pages();
    const addr = pa.__get_free_page(GFP_KERNEL);
    const page = pa.virt_to_page(addr);
    pa.get_page(page);
    pa.free_page(addr); // drops one of two references
    expect(pa.page_count(page)).toBe(1);
    pa.put_page(page);
    expect(pa.nr_free_pages()).toBe(free0);
    const big = pa.alloc_pages(GFP_KERNEL, 2)!;
    pa.split_page(big, 2);
    for (let i = 3; i >= 0; i--) pa.__free_page(big + i);
    expect(pa.nr_free_pages()).toBe(free0);
    pa.free_pages(0, 0);
    pa.free_pages(0x1000, 0);
    expect(printk.lines[0]).toMatch(/^kernel BUG at mm\/page_alloc\.c:\d+!$/);
  });

  it('__GFP_COLD takes the cold end of the per-cpu list', () => {
    const { pa } = machine();
    const a = pa.alloc_page(GFP_KERNEL)!;
    const b = pa.alloc_page(GFP_KERNEL)!;
    pa.__free_page(a);
    pa.__free_page(b);
    expect(pa.alloc_page(GFP_KERNEL)).toBe(b); // hot: the last freed
    const zone = pa.page_zone(a);
    const coldest = zone.pcp.lists[0][0];
    expect(pa.alloc_page(GFP_KERNEL | __GFP_COLD)).toBe(coldest);
  });

  it('watermarks: GFP_KERNEL stops at min, __GFP_HIGH and GFP_ATOMIC go lower, __GFP_MEMALLOC to zero', () => {
    const { pa } = machine();
    exhaust(pa, GFP_KERNEL | __GFP_NORETRY);
    const dma = pa.zones[ZONE_DMA];
    const min = dma.min_wmark_pages();
    expect(dma.nr_free_pages).toBeLessThanOrEqual(min + 1);
    expect(dma.nr_free_pages).toBeGreaterThan(min - 1);
    exhaust(pa, GFP_NOWAIT);
    expect(dma.nr_free_pages).toBeGreaterThan(min - 1);
    exhaust(pa, GFP_KERNEL | __GFP_HIGH | __GFP_NORETRY);
    expect(dma.nr_free_pages).toBeLessThanOrEqual(min - (min >> 1) + 1);
    exhaust(pa, GFP_ATOMIC);
    const high = min - (min >> 1);
    expect(dma.nr_free_pages).toBeLessThanOrEqual(high - (high >> 2) + 1);
    expect(dma.nr_free_pages).toBeGreaterThan(0);
    exhaust(pa, GFP_ATOMIC | __GFP_MEMALLOC);
    expect(pa.nr_free_pages()).toBe(0);
  });

  it('__GFP_NOFAIL dips into the reserves instead of failing', () => {
    const { pa, printk } = machine();
    exhaust(pa, GFP_KERNEL);
    expect(pa.alloc_page(GFP_KERNEL | __GFP_NOFAIL)).not.toBeNull();
    expect(printk.lines).toEqual([]);
  });

  it('GFP_NOIO and GFP_NOFS may reclaim; __GFP_NORETRY gives up after one round', () => {
    const { pa } = machine();
    exhaust(pa, GFP_KERNEL);
    let calls = 0;
    const s: Shrinker = {
      name: 'empty',
      count_objects: () => 1,
      scan_objects: () => {
        calls++;
        return 0;
      },
    };
    pa.register_shrinker(s);
    expect(pa.register_shrinker(s)).toBe(0); // registering twice is harmless
    expect(pa.alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)).toBeNull();
    expect(calls).toBe(1);
    calls = 0;
    expect(pa.alloc_page(GFP_NOIO | __GFP_NOWARN)).toBeNull();
    expect(calls).toBeGreaterThan(10);
    calls = 0;
    expect(pa.alloc_page(GFP_NOFS | __GFP_NOWARN)).toBeNull();
    expect(calls).toBeGreaterThan(10);
    pa.unregister_shrinker(s);
    calls = 0;
    pa.alloc_page(GFP_NOIO | __GFP_NOWARN);
    expect(calls).toBe(0);
  });

  it('computes watermarks as __setup_per_zone_wmarks does', () => {
    const { pa } = machine(1024 * MiB);
    const lowmem = pa.zones[0].managed_pages + pa.zones[1].managed_pages;
    expect(pa.min_free_kbytes).toBe(Math.floor(Math.sqrt(lowmem * 4 * 16)));
    const pages_min = pa.min_free_kbytes >> 2;
    const normal = pa.zones[1];
    const tmp = Math.floor((pages_min * normal.managed_pages) / lowmem);
    expect(normal.min_wmark_pages()).toBe(tmp);
    const step = Math.max(tmp >> 2, Math.floor((normal.managed_pages * 10) / 10000));
    expect(normal.low_wmark_pages()).toBe(tmp + step);
    expect(normal.high_wmark_pages()).toBe(tmp + 2 * step);
    const high = pa.zones[2];
    expect(high.min_wmark_pages()).toBe(32);
  });
});

describe('boot messages and tracepoints', () => {
  it('mem_init prints the zone ranges and the Memory: line', () => {
    const { pa, printk } = machine(1024 * MiB);
    pa.mem_init();
    expect(printk.lines.slice(0, 4)).toEqual([
      'Zone ranges:',
      '  DMA      [mem 0x0000000000001000-0x0000000000ffffff]',
      '  Normal   [mem 0x0000000001000000-0x0000000037ffffff]',
      '  HighMem  [mem 0x0000000038000000-0x000000003fffffff]',
    ]);
    expect(printk.lines).toContain('  node   0: [mem 0x0000000000100000-0x000000003fffffff]');
    expect(printk.lines.at(-1)).toMatch(/^Memory: \d+K\/\d+K available \(.*, 131072K highmem\)$/);
    const { pa: small, printk: p2 } = machine(16 * MiB);
    small.mem_init();
    expect(p2.lines).toContain('  HighMem  empty');
  });

  it('emits mm_page_alloc and mm_page_free when traced', () => {
    const { pa } = machine();
    const events: unknown[] = [];
    pa.trace = (e) => events.push(e);
    const page = pa.alloc_pages(GFP_KERNEL, 1)!;
    pa.__free_pages(page, 1);
    pa.trace = null;
    expect(events).toEqual([
      { event: 'mm_page_alloc', pfn: page, order: 1, gfp_flags: GFP_KERNEL, migratetype: 0 },
      { event: 'mm_page_free', pfn: page, order: 1 },
    ]);
  });
});

describe('exact allocations, vmap and si_meminfo', () => {
  it('alloc_pages_exact returns the unused tail to the allocator', () => {
    const { pa } = machine();
    const free0 = pa.nr_free_pages();
    const addr = pa.alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL);
    expect(addr % (8 * PAGE_SIZE)).toBe(0);
    expect(free0 - pa.nr_free_pages()).toBe(5);
    pa.free_pages_exact(addr, 5 * PAGE_SIZE);
    expect(pa.nr_free_pages()).toBe(free0);
  });

  it('vmap maps pages the caller owns, vunmap leaves them allocated', () => {
    const { pa } = machine();
    const pages = [pa.alloc_page(GFP_KERNEL)!, pa.alloc_page(GFP_KERNEL)!];
    const v = pa.vmap(pages, 'test_vmap');
    expect(pa.vmalloc_to_page(v + PAGE_SIZE)).toBe(pages[1]);
    expect(pa.vmallocinfo()).toMatch(/ 12288 test_vmap vmap\n$/);
    pa.vunmap(v);
    expect(pa.vmalloc_to_page(v)).toBeNull();
    expect(pa.page_count(pages[0])).toBe(1);
  });

  it('si_meminfo reports pages and the unit', () => {
    const { pa } = machine();
    const info = pa.si_meminfo();
    expect(info.totalram).toBe(pa.totalram_pages());
    expect(info.freeram).toBe(pa.nr_free_pages());
    expect(info.mem_unit).toBe(PAGE_SIZE);
    expect(info.totalhigh).toBe(0);
  });
});
