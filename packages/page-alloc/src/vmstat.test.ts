import { PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import { __GFP_RECLAIMABLE, GFP_HIGHUSER_MOVABLE, GFP_KERNEL } from './gfp.js';
import { PageAllocator } from './page_alloc.js';

const MiB = 1024 * 1024;

function machine(size: number) {
  return new PageAllocator({ memory: new PhysicalMemory(size) });
}

describe('/proc text producers', () => {
  it('buddyinfo lists free blocks per order for populated zones', () => {
    const pa = machine(1024 * MiB);
    const lines = pa.buddyinfo().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^Node 0, zone {6}DMA( +\d+){11} $/);
    expect(lines[1]).toMatch(/^Node 0, zone {3}Normal( +\d+){11} $/);
    expect(lines[2]).toMatch(/^Node 0, zone {2}HighMem( +\d+){11} $/);
    expect(lines[1].endsWith('   220 ')).toBe(true); // 896 MiB - 16 MiB = 220 blocks of 4 MiB
    expect(lines[3]).toBe('');
    const total = pa.zones.reduce((n, z) => n + z.free_area.reduce((m, a, o) => m + (a.nr_free << o), 0), 0);
    expect(total).toBe(pa.nr_free_pages());
  });

  it('zoneinfo shows free, watermarks, spans and protection', () => {
    const pa = machine(64 * MiB);
    const text = pa.zoneinfo();
    expect(text.startsWith('Node 0, zone      DMA\n  per-node stats\n')).toBe(true);
    const normal = text.slice(text.indexOf('Node 0, zone   Normal'));
    const z = pa.zones[1];
    expect(normal).toContain(
      `\n  pages free     ${z.nr_free_pages}\n        boost    0\n        min      ${z._watermark[0]}\n`,
    );
    expect(normal).toContain(
      `\n        spanned  12288\n        present  12288\n        managed  ${z.managed_pages}\n`,
    );
    expect(normal).toContain('\n        protection: (0, 0, 0, 0)\n');
    expect(normal).toContain('\n  start_pfn:           4096\n');
    expect(text).toContain('Node 0, zone  HighMem\n  pages free     0\n');
    expect(text.endsWith('        protection: (0, 0, 0, 0)\n')).toBe(true);
    expect(pa.zones[0].lowmem_reserve[1]).toBe(Math.floor(pa.zones[1].managed_pages / 256));
  });

  it('meminfo uses the kernel column layout', () => {
    const pa = machine(1024 * MiB);
    const text = pa.meminfo();
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^[A-Za-z()_]+: +\d+ kB$/);
    expect(lines[0]).toBe(`MemTotal:       ${String(pa.totalram_pages() * 4).padStart(8)} kB`);
    expect(text).toContain(`\nMemFree:        ${String(pa.nr_free_pages() * 4).padStart(8)} kB\n`);
    expect(text).toContain(`\nHighTotal:        ${131072} kB\n`);
    expect(text).toMatch(/\nVmallocTotal: +\d+ kB\nVmallocUsed: +0 kB\nVmallocChunk: +0 kB\n$/);
  });

  it('meminfo follows allocations', () => {
    const pa = machine(64 * MiB);
    const before = pa.meminfo();
    const page = pa.alloc_pages(GFP_KERNEL, 4)!;
    const after = pa.meminfo();
    const free = (t: string) => Number(/MemFree: +(\d+)/.exec(t)![1]);
    expect(free(before) - free(after)).toBe(64);
    pa.__free_pages(page, 4);
    expect(free(pa.meminfo())).toBe(free(before));
  });

  it('pagetypeinfo starts with the pageblock header', () => {
    const pa = machine(64 * MiB);
    const lines = pa.pagetypeinfo().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Page block order: 10',
      'Pages per block:  1024',
      '',
      'Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 ',
    ]);
    expect(lines[4]).toMatch(/^Node {4}0, zone {6}DMA, type {4}Unmovable( +0){11} $/);
    expect(lines).toContain(
      'Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate ',
    );
    expect(lines).toContain(
      'Node 0, zone   Normal            0           12            0            0            0 ',
    );
  });
});

describe('grouping by mobility', () => {
  it('claims a movable pageblock for unmovable allocations and reports it in pagetypeinfo', () => {
    const pa = machine(64 * MiB);
    const blockCounts = () =>
      pa
        .pagetypeinfo()
        .split('\n')
        .find((l) => l.startsWith('Node 0, zone   Normal '))!
        .trim()
        .split(/ +/)
        .slice(4)
        .map(Number);
    expect(blockCounts()).toEqual([0, 12, 0, 0, 0]);
    const page = pa.alloc_page(GFP_KERNEL)!;
    expect(pa.get_pageblock_migratetype(page)).toBe(0); // MIGRATE_UNMOVABLE
    expect(blockCounts()).toEqual([1, 11, 0, 0, 0]);
    const movable = pa.alloc_pages(GFP_HIGHUSER_MOVABLE, 3)!;
    expect(pa.get_pageblock_migratetype(movable)).toBe(1);
    const reclaimable = pa.alloc_page(GFP_KERNEL | __GFP_RECLAIMABLE)!;
    expect(pa.get_pageblock_migratetype(reclaimable)).toBe(2);
    const lines = pa.pagetypeinfo().split('\n');
    const unmovable = lines.find((l) => l.startsWith('Node    0, zone   Normal, type    Unmovable'))!;
    expect(
      unmovable
        .trim()
        .split(/ +/)
        .slice(6)
        .map(Number)
        .some((n) => n > 0),
    ).toBe(true);
  });
});
