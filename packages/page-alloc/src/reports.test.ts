import { PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import type { ExecutionContext } from './context.js';
import { __GFP_NOWARN, GFP_ATOMIC, GFP_KERNEL } from './gfp.js';
import { PAGE_SIZE } from './memlayout.js';
import { PageAllocator } from './page_alloc.js';
import { collectingPrintk } from './printk.js';
import { SHRINK_STOP, type Shrinker } from './shrinker.js';

const MiB = 1024 * 1024;

function machine(size = 16 * MiB, context?: ExecutionContext) {
  const printk = collectingPrintk();
  const pa = new PageAllocator({ memory: new PhysicalMemory(size), printk, context });
  return { pa, printk };
}

function snapshot(pa: PageAllocator) {
  return {
    free: pa.nr_free_pages(),
    flags: Array.from(pa.page_flags),
    refcount: Array.from(pa._refcount),
    lists: pa.zones.map((z) => z.free_area.map((a) => [a.free_list, a.nr_free])),
  };
}

describe('Bad page state', () => {
  it('reports a double free and changes nothing', () => {
    const { pa, printk } = machine();
    const page = pa.alloc_page(GFP_KERNEL)!;
    pa.__free_pages(page, 0);
    const before = snapshot(pa);
    pa.__free_pages(page, 0);
    expect(printk.lines[0]).toBe(
      `BUG: Bad page state in process swapper/0  pfn:${page.toString(16).padStart(5, '0')}`,
    );
    expect(printk.lines).toContain('page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)');
    expect(printk.lines).toContain('Disabling lock debugging due to kernel taint');
    expect(snapshot(pa)).toEqual(before);
    expect(pa.tainted).toBe('B');
  });

  it('reports a double free of a block sitting in the buddy lists', () => {
    const { pa, printk } = machine();
    const page = pa.alloc_pages(GFP_KERNEL, 4)!;
    pa.__free_pages(page, 4);
    const before = snapshot(pa);
    pa.__free_pages(page, 4);
    expect(printk.lines[0]).toMatch(/^BUG: Bad page state in process swapper\/0 {2}pfn:/);
    expect(snapshot(pa)).toEqual(before);
  });

  it('reports freeing with the wrong order', () => {
    const { pa, printk } = machine();
    const page = pa.alloc_pages(GFP_KERNEL, 2)!;
    const before = snapshot(pa);
    pa.__free_pages(page, 1);
    expect(printk.lines).toContain(
      'page dumped because: VM_BUG_ON_PAGE(compound && compound_order(page) != order)',
    );
    expect(snapshot(pa)).toEqual(before);
    pa.__free_pages(page, 2);
    expect(pa.nr_bad_pages).toBe(1);
  });

  it('reports freeing a reserved page', () => {
    const { pa, printk } = machine();
    const before = snapshot(pa);
    pa.__free_pages(0x9f, 0);
    expect(printk.lines[0]).toBe('BUG: Bad page state in process swapper/0  pfn:0009f');
    expect(printk.lines).toContain('flags: 0x100(reserved|zone=0)');
    expect(printk.lines).toContain('page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
    expect(snapshot(pa)).toEqual(before);
    expect(pa.PageReserved(0x9f)).toBe(true);
  });

  it('reports a page freed with PG_slab still set', () => {
    const { pa, printk } = machine();
    const page = pa.alloc_page(GFP_KERNEL)!;
    pa.__SetPageSlab(page);
    pa.__free_pages(page, 0);
    expect(printk.lines).toContain('page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
    expect(pa.page_count(page)).toBe(1);
  });
});

describe('allocation failure and reclaim', () => {
  it('prints the page allocation failure warning with the mode', () => {
    const { pa, printk } = machine();
    while (pa.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 10) !== null) {}
    expect(printk.lines).toEqual([]);
    expect(pa.alloc_pages(GFP_KERNEL, 10)).toBeNull();
    expect(printk.lines[0]).toBe(
      'swapper/0: page allocation failure: order:10, mode:0xcc0(GFP_KERNEL), nodemask=(null)',
    );
    expect(printk.lines).toContain('Mem-Info:');
    expect(printk.lines.some((l) => /^DMA: (\d+\*\d+kB (\([UMEHI]+\) )?){11}= \d+kB$/.test(l))).toBe(true);
  });

  it('stays quiet with __GFP_NOWARN', () => {
    const { pa, printk } = machine();
    while (pa.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 10) !== null) {}
    expect(pa.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 10)).toBeNull();
    expect(printk.lines).toEqual([]);
  });

  it('calls shrinkers before a sleeping allocation fails, not for atomic ones', () => {
    const { pa } = machine();
    const hoard: number[] = [];
    for (;;) {
      const p = pa.alloc_page(GFP_ATOMIC | __GFP_NOWARN);
      if (p === null) break;
      hoard.push(p);
    }
    let scans = 0;
    const shrinker: Shrinker = {
      name: 'hoard',
      count_objects: () => hoard.length,
      scan_objects: (sc) => {
        scans++;
        let n = 0;
        while (n < sc.nr_to_scan && hoard.length) {
          pa.__free_pages(hoard.pop()!, 0);
          n++;
        }
        return n || SHRINK_STOP;
      },
    };
    pa.register_shrinker(shrinker);
    expect(pa.alloc_page(GFP_ATOMIC | __GFP_NOWARN)).toBeNull();
    expect(scans).toBe(0);
    expect(pa.alloc_page(GFP_KERNEL)).not.toBeNull();
    expect(scans).toBeGreaterThan(0);
    pa.unregister_shrinker(shrinker);
  });
});

describe('might_alloc', () => {
  it('reports a sleeping allocation in atomic context', () => {
    const atomic: ExecutionContext = {
      in_atomic: () => true,
      irqs_disabled: () => false,
      current_comm: () => 'kworker/0:1',
      current_pid: () => 7,
    };
    const { pa, printk } = machine(16 * MiB, atomic);
    expect(pa.alloc_page(GFP_KERNEL)).not.toBeNull();
    expect(printk.lines[0]).toBe(
      'BUG: sleeping function called from invalid context at include/linux/sched/mm.h:321',
    );
    expect(printk.lines[1]).toBe(
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 7, name: kworker/0:1',
    );
    printk.lines.length = 0;
    pa.alloc_page(GFP_ATOMIC);
    expect(printk.lines).toEqual([]);
  });

  it('uses the installed context', () => {
    const { pa, printk } = machine();
    pa.context = { ...pa.context, irqs_disabled: () => true };
    pa.might_alloc(GFP_KERNEL);
    expect(printk.lines[1]).toMatch(/irqs_disabled\(\): 1/);
  });
});

describe('free_initmem', () => {
  it('frees the __init section and says how much', () => {
    const printk = collectingPrintk();
    const pa = new PageAllocator({
      memory: new PhysicalMemory(16 * MiB),
      printk,
      reserved: [{ start: 0x100000, end: 0x200000 }],
      initmem: { start: 0x180000, end: 0x1a0000 },
    });
    const before = pa.nr_free_pages();
    expect(pa.free_initmem()).toBe(32);
    expect(printk.lines).toEqual(['Freeing unused kernel image (initmem) memory: 128K']);
    expect(pa.nr_free_pages()).toBe(before + 32);
    expect(pa.PageReserved(0x180)).toBe(false);
    expect(pa.memory.read8(0x180000 + 5)).toBe(0xcc);
    expect(pa.PageReserved(0x17f)).toBe(true);
    expect(pa.free_initmem()).toBe(0);
    void PAGE_SIZE;
  });
});

describe('free_initmem with an explicit range', () => {
  it('frees the given reserved range', () => {
    const printk = collectingPrintk();
    const pa = new PageAllocator({
      memory: new PhysicalMemory(16 * MiB),
      printk,
      reserved: [{ start: 0x100000, end: 0x200000 }],
    });
    expect(pa.free_initmem()).toBe(0);
    expect(pa.free_initmem({ start: 0x1c0000, end: 0x200000 })).toBe(64);
    expect(printk.lines).toEqual(['Freeing unused kernel image (initmem) memory: 256K']);
  });
});
