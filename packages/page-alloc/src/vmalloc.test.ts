import { PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import { __GFP_MEMALLOC, __GFP_NOWARN, GFP_HIGHUSER, GFP_KERNEL } from './gfp.js';
import { FIXADDR_TOP, PAGE_OFFSET, PAGE_SIZE, PKMAP_BASE, VMALLOC_END } from './memlayout.js';
import { PageAllocator } from './page_alloc.js';
import { __PAGE_KERNEL, _KERNPG_TABLE, _PAGE_PSE, KERNEL_PGD_BOUNDARY } from './pgtable.js';
import { collectingPrintk } from './printk.js';

const MiB = 1024 * 1024;

function machine(size = 32 * MiB) {
  const printk = collectingPrintk();
  return { pa: new PageAllocator({ memory: new PhysicalMemory(size), printk }), printk };
}

describe('paging_init', () => {
  it('maps lowmem at PAGE_OFFSET in a real two-level page directory', () => {
    const { pa } = machine(64 * MiB);
    const free0 = pa.nr_free_pages();
    const managed0 = pa.totalram_pages();
    const pgd = pa.paging_init();
    expect(pgd % PAGE_SIZE).toBe(0);
    expect(pa.swapper_pg_dir).toBe(pgd);
    const mem = pa.memory;
    const pde = mem.read32(pgd + KERNEL_PGD_BOUNDARY * 4);
    expect(pde & 0xfff).toBe(_KERNPG_TABLE);
    const pte = mem.read32((pde & 0xfffff000) + 5 * 4);
    expect(pte).toBe((5 * PAGE_SIZE) | __PAGE_KERNEL);
    expect(pa.pgtables().translate(PAGE_OFFSET + 0x123456)).toBe(0x123456);
    expect(pa.pgtables().translate(PAGE_OFFSET + 64 * MiB)).toBe(-1);
    // user space is not mapped
    expect(mem.read32(pgd)).toBe(0);
    // 16 lowmem page tables + PKMAP + fixmap + the directory, all reserved
    expect(free0 - pa.nr_free_pages()).toBe(19);
    expect(managed0 - pa.totalram_pages()).toBe(19);
    expect(pa.paging_init()).toBe(pgd);
  });

  it('can use 4 MiB PSE pages', () => {
    const { pa } = machine(64 * MiB);
    const pgd = pa.paging_init({ pse: true });
    const pde = pa.memory.read32(pgd + (KERNEL_PGD_BOUNDARY + 3) * 4);
    expect(pde & _PAGE_PSE).toBeTruthy();
    expect(pa.pgtables().translate(PAGE_OFFSET + 12 * MiB + 0x10)).toBe(12 * MiB + 0x10);
  });

  it('copies kernel mappings into a new page directory', () => {
    const { pa } = machine();
    pa.paging_init();
    const pgd = pa.alloc_page(GFP_KERNEL)! * PAGE_SIZE;
    pa.pgtables().sync_kernel_mappings(pgd);
    expect(pa.pgtables().translate(PAGE_OFFSET + 0x5000, pgd)).toBe(0x5000);
  });
});

describe('vmalloc', () => {
  it('maps scattered pages contiguously, readable through the page tables', () => {
    const { pa } = machine();
    const a = pa.vmalloc(3 * PAGE_SIZE + 1);
    expect(a).toBeGreaterThanOrEqual(pa.VMALLOC_START);
    expect(a + 4 * PAGE_SIZE).toBeLessThanOrEqual(VMALLOC_END);
    expect(pa.VMALLOC_START).toBe(pa.high_memory + 8 * MiB);
    const pages = [0, 1, 2, 3].map((i) => pa.vmalloc_to_page(a + i * PAGE_SIZE));
    expect(pages.every((p) => p !== null)).toBe(true);
    // write through the physical pages, read through the virtual mapping
    const pt = pa.pgtables();
    pa.memory.write32(pages[2]! * PAGE_SIZE + 8, 0xdeadbeef);
    expect(pt.translate(a + 2 * PAGE_SIZE + 8)).toBe(pages[2]! * PAGE_SIZE + 8);
    expect(pa.memory.read32(pt.translate(a + 2 * PAGE_SIZE + 8))).toBe(0xdeadbeef);
    // the guard page after the area is not mapped
    expect(pt.translate(a + 4 * PAGE_SIZE)).toBe(-1);
    const b = pa.vmalloc(PAGE_SIZE, 'load_module+0x1f/0x40');
    expect(b).toBe(a + 5 * PAGE_SIZE);
    expect(pa.vmallocinfo()).toBe(
      `0x${hex(a)}-0x${hex(a + 5 * PAGE_SIZE)}   20480 vmalloc pages=4 vmalloc\n` +
        `0x${hex(b)}-0x${hex(b + 2 * PAGE_SIZE)}    8192 load_module+0x1f/0x40 pages=1 vmalloc\n`,
    );
    const free = pa.nr_free_pages();
    pa.vfree(a);
    expect(pa.nr_free_pages()).toBe(free + 4);
    expect(pt.translate(a)).toBe(-1);
    expect(pa.vmalloc(PAGE_SIZE)).toBe(a); // the hole is reused
  });

  it('prefers highmem pages and reports flushes', () => {
    const { pa } = machine(1024 * MiB);
    const flushed: [number, number][] = [];
    pa.flush_tlb_kernel_range = (s, e) => flushed.push([s, e]);
    const a = pa.vzalloc(2 * PAGE_SIZE);
    expect(pa.PageHighMem(pa.vmalloc_to_page(a)!)).toBe(true);
    pa.vfree(a);
    expect(flushed).toEqual([[a, a + 3 * PAGE_SIZE]]);
  });

  it('warns on vfree of an unknown address and fails huge requests', () => {
    const { pa, printk } = machine();
    pa.vfree(0);
    expect(printk.lines).toEqual([]);
    pa.vfree(pa.VMALLOC_START + PAGE_SIZE);
    expect(printk.lines).toContain(
      `Trying to vfree() nonexistent vm area (0x${hex(pa.VMALLOC_START + PAGE_SIZE)})`,
    );
    printk.lines.length = 0;
    expect(pa.vmalloc(64 * MiB)).toBe(0);
    expect(printk.lines[0]).toBe(
      'swapper/0: vmalloc error: size 67108864, exceeds total pages, mode:0xcc0(GFP_KERNEL), nodemask=(null)',
    );
    expect(pa.vmalloc(0)).toBe(0);
  });

  it('fails cleanly when pages run out', () => {
    const { pa, printk } = machine(8 * MiB);
    const free = pa.nr_free_pages();
    expect(pa.vmalloc((free - 8) * PAGE_SIZE)).toBe(0);
    expect(printk.lines[0]).toMatch(/vmalloc error: size \d+, page order 0, failed to allocate pages/);
    expect(pa.vmallocinfo()).toBe('');
    pa.drain_all_pages();
    expect(pa.nr_free_pages()).toBeGreaterThan(free - 32);
  });
});

describe('kmap', () => {
  it('returns page_address for lowmem pages', () => {
    const { pa } = machine();
    const page = pa.alloc_page(GFP_KERNEL)!;
    expect(pa.kmap(page)).toBe(pa.page_address(page));
    expect(pa.kmap_atomic(page)).toBe(pa.page_address(page));
    pa.kunmap_atomic(pa.page_address(page));
    pa.kunmap(page);
  });

  it('maps highmem pages in the PKMAP window', () => {
    const { pa } = machine(1024 * MiB);
    const page = pa.alloc_page(GFP_HIGHUSER)!;
    expect(pa.page_address(page)).toBe(0);
    const v = pa.kmap(page);
    expect(v).toBeGreaterThanOrEqual(PKMAP_BASE);
    expect(v).toBeLessThan(PKMAP_BASE + 4 * MiB);
    expect(pa.page_address(page)).toBe(v);
    expect(pa.pgtables().translate(v + 4)).toBe(page * PAGE_SIZE + 4);
    expect(pa.kmap(page)).toBe(v);
    pa.kunmap(page);
    pa.kunmap(page);
    expect(pa.highmem.pkmap_count[(v - PKMAP_BASE) / PAGE_SIZE]).toBe(1);
  });

  it('nests kmap_atomic slots in the fixmap', () => {
    const { pa, printk } = machine(1024 * MiB);
    const p1 = pa.alloc_page(GFP_HIGHUSER)!;
    const p2 = pa.alloc_page(GFP_HIGHUSER)!;
    const v1 = pa.kmap_atomic(p1);
    const v2 = pa.kmap_atomic(p2);
    expect(v1).toBeLessThanOrEqual(FIXADDR_TOP);
    expect(v2).toBe(v1 - PAGE_SIZE);
    expect(pa.pgtables().translate(v2)).toBe(p2 * PAGE_SIZE);
    pa.kunmap_atomic(v2);
    expect(pa.pgtables().translate(v2)).toBe(-1);
    pa.kunmap_atomic(v1);
    expect(pa.highmem.kmap_atomic_idx).toBe(0);
    expect(printk.lines).toEqual([]);
  });
});

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

describe('vmalloc over fragmented memory', () => {
  it('maps physically scattered pages into one contiguous range', () => {
    const { pa } = machine(16 * MiB);
    // take every page, then give back every other one: no two free pages are adjacent
    const taken: number[] = [];
    for (;;) {
      const p = pa.alloc_page(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN);
      if (p === null) break;
      taken.push(p);
    }
    taken.sort((a, b) => a - b);
    for (let i = 0; i < taken.length; i += 2) pa.__free_pages(taken[i], 0);
    pa.drain_all_pages();
    expect(pa.zones.every((z) => z.free_area.slice(1).every((a) => a.nr_free === 0))).toBe(true);
    const v = pa.vmalloc(8 * PAGE_SIZE);
    expect(v).not.toBe(0);
    const pages = Array.from({ length: 8 }, (_, i) => pa.vmalloc_to_page(v + i * PAGE_SIZE)!);
    for (let i = 1; i < 8; i++) expect(Math.abs(pages[i] - pages[i - 1])).toBeGreaterThan(1);
    for (let i = 0; i < 8; i++) pa.memory.write8(pages[i] * PAGE_SIZE + PAGE_SIZE - 1, i + 1);
    const pt = pa.pgtables();
    for (let i = 0; i < 8; i++)
      expect(pa.memory.read8(pt.translate(v + (i + 1) * PAGE_SIZE - 1))).toBe(i + 1);
  });
});

describe('kmap misuse', () => {
  it('reports kunmap of a page that is not kmapped and unbalanced kunmap_atomic', () => {
    const { pa, printk } = machine(1024 * MiB);
    const page = pa.alloc_page(GFP_HIGHUSER)!;
    pa.kunmap(page);
    expect(printk.lines).toEqual(['kernel BUG at mm/highmem.c:571!']);
    const v1 = pa.kmap_atomic(page);
    pa.kmap_atomic(page);
    pa.kunmap_atomic(v1); // not the most recent slot
    expect(printk.lines[1]).toMatch(/^WARNING: CPU: 0 PID: 0 at mm\/highmem\.c:\d+ kunmap_local_indexed$/);
  });

  it('reuses PKMAP slots after they wrap around', () => {
    const { pa } = machine(1024 * MiB);
    const pages = Array.from({ length: 1100 }, () => pa.alloc_page(GFP_HIGHUSER)!);
    for (const p of pages) {
      pa.kmap(p);
      pa.kunmap(p);
    }
    expect(pa.highmem.nr_pkmaps).toBeLessThanOrEqual(1024);
    const last = pages[1099];
    expect(pa.pgtables().translate(pa.page_address(last))).toBe(last * PAGE_SIZE);
  });
});
