import { PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import {
  __GFP_COMP,
  __GFP_DMA,
  __GFP_HIGHMEM,
  __GFP_NOWARN,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_HIGHUSER,
  GFP_KERNEL,
  GFP_NOWAIT,
  ZONE_DMA,
  ZONE_HIGHMEM,
  ZONE_NORMAL,
} from './gfp.js';
import { MAX_PAGE_ORDER, PAGE_OFFSET, PAGE_SIZE } from './memlayout.js';
import { PageAllocator } from './page_alloc.js';
import { collectingPrintk } from './printk.js';

const MiB = 1024 * 1024;

function machine(size = 64 * MiB, extra: Partial<ConstructorParameters<typeof PageAllocator>[0]> = {}) {
  const printk = collectingPrintk();
  const pa = new PageAllocator({ memory: new PhysicalMemory(size), printk, ...extra });
  return { pa, printk };
}

describe('zones from e820', () => {
  it('builds DMA and Normal zones on a 64 MiB PC', () => {
    const { pa } = machine();
    expect(pa.max_pfn).toBe((64 * MiB) / PAGE_SIZE);
    const dma = pa.zones[ZONE_DMA];
    expect(dma.zone_start_pfn).toBe(1);
    expect(dma.spanned_pages).toBe(4095);
    // pfns 1..0x9e are RAM below the EBDA, 0x100.. from 1 MiB.
    expect(dma.present_pages).toBe(0x9f - 1 + (4096 - 256));
    expect(dma.managed_pages).toBe(dma.present_pages);
    const normal = pa.zones[ZONE_NORMAL];
    expect(normal.zone_start_pfn).toBe(4096);
    expect(normal.spanned_pages).toBe(16384 - 4096);
    expect(pa.zones[ZONE_HIGHMEM].present_pages).toBe(0);
    expect(pa.nr_free_pages()).toBe(dma.managed_pages + normal.managed_pages);
    expect(pa.PageReserved(0)).toBe(true);
    expect(pa.PageReserved(0xa0)).toBe(true);
    expect(pa.PageReserved(0x100)).toBe(false);
  });

  it('puts memory above 896 MiB in ZONE_HIGHMEM', () => {
    const { pa } = machine(1024 * MiB);
    expect(pa.max_low_pfn).toBe((896 * MiB) / PAGE_SIZE);
    const high = pa.zones[ZONE_HIGHMEM];
    expect(high.zone_start_pfn).toBe(pa.max_low_pfn);
    expect(high.present_pages).toBe((128 * MiB) / PAGE_SIZE);
    expect(pa.PageHighMem(pa.max_low_pfn)).toBe(true);
    expect(pa.PageHighMem(pa.max_low_pfn - 1)).toBe(false);
  });

  it('keeps reserved ranges (the kernel image) out of the allocator', () => {
    const { pa } = machine(32 * MiB, { reserved: [{ start: 0x100000, end: 0x300000 }] });
    expect(pa.PageReserved(0x100)).toBe(true);
    expect(pa.PageReserved(0x2ff)).toBe(true);
    expect(pa.PageReserved(0x300)).toBe(false);
  });
});

describe('buddy allocator', () => {
  it('allocates, splits and coalesces', () => {
    const { pa } = machine();
    const free0 = pa.nr_free_pages();
    const page = pa.alloc_pages(GFP_KERNEL, 3)!;
    expect(page).not.toBeNull();
    expect(page % 8).toBe(0);
    expect(pa.page_count(page)).toBe(1);
    expect(pa.nr_free_pages()).toBe(free0 - 8);
    pa.__free_pages(page, 3);
    expect(pa.nr_free_pages()).toBe(free0);
    expect(pa.PageBuddy(page) || pa.PageBuddy(page & ~1023)).toBe(true);
  });

  it('hands out kernel virtual addresses with __get_free_pages and frees them', () => {
    const { pa } = machine();
    const addr = pa.__get_free_pages(GFP_KERNEL, 1);
    expect(addr).toBeGreaterThanOrEqual(PAGE_OFFSET);
    expect(addr % (2 * PAGE_SIZE)).toBe(0);
    const page = pa.virt_to_page(addr);
    expect(pa.page_address(page)).toBe(addr);
    pa.free_pages(addr, 1);
    expect(pa.page_count(page)).toBe(0);
  });

  it('zeroes with __GFP_ZERO / get_zeroed_page', () => {
    const { pa } = machine();
    const page = pa.alloc_page(GFP_KERNEL)!;
    pa.memory.fill(page * PAGE_SIZE, PAGE_SIZE, 0xaa);
    pa.__free_pages(page, 0);
    const addr = pa.get_zeroed_page(GFP_KERNEL);
    expect(pa.virt_to_page(addr)).toBe(page); // hot page reused from the per-cpu list
    expect(pa.memory.read32(page * PAGE_SIZE + 8)).toBe(0);
  });

  it('serves GFP_DMA from ZONE_DMA and GFP_HIGHUSER from highmem, falling back downwards', () => {
    const { pa } = machine(1024 * MiB);
    const dma = pa.alloc_pages(GFP_DMA | GFP_KERNEL, 2)!;
    expect(pa.page_zonenum(dma)).toBe(ZONE_DMA);
    const high = pa.alloc_page(GFP_HIGHUSER)!;
    expect(pa.page_zonenum(high)).toBe(ZONE_HIGHMEM);
    expect(pa.page_address(high)).toBe(0);
    const normal = pa.alloc_page(GFP_KERNEL)!;
    expect(pa.page_zonenum(normal)).toBe(ZONE_NORMAL);
    const { pa: small } = machine(8 * MiB);
    expect(small.page_zonenum(small.alloc_page(GFP_KERNEL)!)).toBe(ZONE_DMA);
  });

  it('refuses __get_free_pages(__GFP_HIGHMEM) like VM_BUG_ON', () => {
    const { pa, printk } = machine(1024 * MiB);
    const free0 = pa.nr_free_pages();
    expect(pa.__get_free_pages(GFP_KERNEL | __GFP_HIGHMEM, 0)).toBe(0);
    expect(printk.lines[0]).toMatch(/^kernel BUG at mm\/page_alloc\.c:\d+!$/);
    expect(pa.nr_free_pages()).toBe(free0);
  });

  it('builds compound pages with __GFP_COMP', () => {
    const { pa } = machine();
    const head = pa.alloc_pages(GFP_KERNEL | __GFP_COMP, 2)!;
    expect(pa.PageHead(head)).toBe(true);
    expect(pa.PageCompound(head + 3)).toBe(true);
    expect(pa.compound_head(head + 3)).toBe(head);
    expect(pa.compound_order(head)).toBe(2);
    pa.get_page(head + 1);
    expect(pa.page_count(head + 2)).toBe(2);
    pa.put_page(head + 1);
    pa.put_page(head);
    expect(pa.PageCompound(head + 1)).toBe(false);
    expect(pa.page_count(head)).toBe(0);
  });

  it('tracks PG_slab and page->private', () => {
    const { pa, printk } = machine();
    const page = pa.alloc_page(GFP_KERNEL)!;
    pa.__SetPageSlab(page);
    expect(pa.PageSlab(page)).toBe(true);
    pa.set_page_private(page, 0xc1234560);
    expect(pa.page_private(page)).toBe(0xc1234560);
    pa.__ClearPageSlab(page);
    pa.__free_pages(page, 0);
    expect(printk.lines).toEqual([]);
  });

  it('returns null for orders above MAX_PAGE_ORDER and throws on nonsense', () => {
    const { pa } = machine();
    expect(pa.alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1)).toBeNull();
    expect(() => pa.alloc_pages(GFP_KERNEL, -1)).toThrow(/order/);
    expect(() => pa.__free_pages(1 << 30, 0)).toThrow(/page/);
  });

  it('allows atomic allocations below the min watermark, but not GFP_NOWAIT', () => {
    const { pa } = machine(16 * MiB);
    const got: number[] = [];
    for (;;) {
      const p = pa.alloc_page(GFP_NOWAIT);
      if (p === null) break;
      got.push(p);
    }
    const zone = pa.zones[ZONE_DMA];
    expect(zone.nr_free_pages).toBeLessThanOrEqual(zone.min_wmark_pages() + 1);
    const atomic = pa.alloc_page(GFP_ATOMIC);
    expect(atomic).not.toBeNull();
    expect(zone.nr_free_pages).toBeGreaterThan(0);
  });

  it('leaves the rest of the DMA zone for DMA: lowmem_reserve', () => {
    const { pa } = machine(1024 * MiB);
    expect(pa.zones[ZONE_DMA].lowmem_reserve[ZONE_NORMAL]).toBeGreaterThan(0);
    expect(pa.alloc_page(__GFP_DMA)).not.toBeNull();
  });
});

describe('large machines', () => {
  it('builds a 4 GiB machine: highmem up to the PCI hole at 3 GiB', () => {
    const { pa } = machine(4096 * MiB);
    expect(pa.max_pfn).toBe(0xc0000);
    const high = pa.zones[ZONE_HIGHMEM];
    expect(high.zone_start_pfn).toBe(0x38000);
    expect(high.present_pages).toBe(0xc0000 - 0x38000);
    expect(pa.totalhigh_pages()).toBe(high.managed_pages);
    const page = pa.alloc_pages(GFP_HIGHUSER, 10)!;
    expect(page).toBeGreaterThanOrEqual(0x38000);
    pa.__free_pages(page, 10);
  });
});

describe('save and restore', () => {
  it('restores the allocator to a saved state', () => {
    const memory = new PhysicalMemory(1024 * MiB);
    const pa = new PageAllocator({ memory });
    const a = pa.alloc_pages(GFP_KERNEL, 3)!;
    const v = pa.vmalloc(3 * PAGE_SIZE);
    const high = pa.alloc_page(GFP_HIGHUSER)!;
    const k = pa.kmap(high);
    const state = pa.save();
    const text = pa.buddyinfo() + pa.vmallocinfo();
    pa.__free_pages(a, 3);
    pa.vfree(v);
    pa.kunmap(high);
    pa.alloc_pages(GFP_KERNEL, 5);
    pa.restore(state);
    expect(pa.buddyinfo() + pa.vmallocinfo()).toBe(text);
    expect(pa.page_count(a)).toBe(1);
    expect(pa.page_address(high)).toBe(k);
    const other = new PageAllocator({ memory });
    other.restore(state);
    expect(other.nr_free_pages()).toBe(pa.nr_free_pages());
    expect(other.swapper_pg_dir).toBe(pa.swapper_pg_dir);
    expect(other.vmalloc_to_page(v + PAGE_SIZE)).toBe(pa.vmalloc_to_page(v + PAGE_SIZE));
    expect(() => new PageAllocator({ memory: new PhysicalMemory(16 * MiB) }).restore(state)).toThrow(
      /max_pfn/,
    );
  });
});
