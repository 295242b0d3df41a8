import { GFP_KERNEL } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import { FreeBSDMallocError } from './errors.js';
import { Panic } from './kern_shutdown.js';
import { M_EXEC, M_NOWAIT, M_WAITOK, M_ZERO } from './malloc.js';
import {
  UMA_ALIGN_CACHE,
  UMA_ALIGN_CHAR,
  UMA_ALIGN_PTR,
  UMA_RECLAIM_DRAIN,
  UMA_RECLAIM_DRAIN_CPU,
  UMA_ZONE_NOBUCKET,
  UMA_ZONE_NOFREE,
  UMA_ZONE_OFFPAGE,
  UMA_ZONE_PCPU,
  UMA_ZONE_ZINIT,
} from './uma.js';
import { bucket_select } from './uma_int.js';

const PO = 0xc0000000;

function counters() {
  const c = { ctor: 0, dtor: 0, init: 0, fini: 0, udata: [] as number[] };
  return {
    c,
    ctor: (_mem: number, _size: number, arg: number) => {
      c.ctor++;
      c.udata.push(arg);
      return 0;
    },
    dtor: (_mem: number, _size: number, arg: number) => {
      c.dtor++;
      c.udata.push(arg);
    },
    init: () => {
      c.init++;
      return 0;
    },
    fini: () => {
      c.fini++;
    },
  };
}

describe('uma_zcreate', () => {
  it('lays kegs out like keg_small_init/keg_large_init', () => {
    const { k } = machine();
    const layout = (name: string) => {
      const keg = k.uma.zones.find((z) => z.name === name)!.keg;
      return [keg.rsize, keg.ipers, keg.offpage, keg.ppera];
    };
    expect(layout('malloc-16')).toEqual([16, 251, false, 1]);
    expect(layout('malloc-256')).toEqual([256, 15, false, 1]);
    expect(layout('malloc-512')).toEqual([512, 8, true, 1]);
    expect(layout('malloc-2048')).toEqual([2048, 2, true, 1]);
    expect(layout('malloc-4096')).toEqual([4096, 1, true, 1]);
    expect(layout('malloc-65536')).toEqual([65536, 1, true, 16]);
    const odd = k.uma_zcreate('odd', 5000, null, null, null, null, UMA_ALIGN_PTR, 0);
    expect([odd.keg.rsize, odd.keg.ipers, odd.keg.ppera]).toEqual([5000, 1, 2]);
    const cache = k.uma_zcreate('cache', 70, null, null, null, null, UMA_ALIGN_CACHE, 0);
    expect(cache.keg.rsize).toBe(128);
    const forced = k.uma_zcreate('forced', 256, null, null, null, null, UMA_ALIGN_PTR, UMA_ZONE_OFFPAGE);
    expect([forced.keg.ipers, forced.keg.offpage]).toEqual([16, true]);
    const tiny = k.uma_zcreate('tiny', 1, null, null, null, null, UMA_ALIGN_CHAR, 0);
    expect(tiny.keg.rsize).toBe(16);
    expect(bucket_select(16)).toBe(253);
    expect(bucket_select(4096)).toBe(1);
    expect(bucket_select(100)).toBe(125);
  });

  it('keeps slab headers on the page or in "UMA Slabs"', () => {
    const { k, pages } = machine();
    const z = k.uma_zcreate('onpage', 200, null, null, null, null, UMA_ALIGN_PTR, UMA_ZONE_NOBUCKET);
    const item = k.uma_zalloc(z, M_WAITOK);
    const slab = k.uma.vtoslab(item);
    const page = (item & ~0xfff) >>> 0;
    expect((slab & ~0xfff) >>> 0).toBe(page); // header at the end of the item's page
    expect(slab).toBe(page + z.keg.pgoff);
    expect(pages.memory.read16(slab - PO + 8)).toBe(z.keg.ipers - 1); // us_freecount
    expect(pages.memory.read32(slab - PO + 12)).toBe(page); // us_data
    const off = k.uma_zcreate('offpage', 1024, null, null, null, null, UMA_ALIGN_PTR, 0);
    const it2 = k.uma_zalloc(off, M_WAITOK);
    expect(k.uma.vtozone(k.uma.vtoslab(it2))?.name).toBe('UMA Slabs');
  });

  it('aligns items to the requested mask', () => {
    const { k } = machine();
    const z = k.uma_zcreate('aligned', 40, null, null, null, null, UMA_ALIGN_CACHE, 0);
    for (let i = 0; i < 100; i++) expect(k.uma_zalloc(z, M_WAITOK) % 64).toBe(0);
  });

  it('rejects impossible arguments with typed errors', () => {
    const { k } = machine();
    expect(() => k.uma_zcreate('', 8, null, null, null, null, 3, 0)).toThrow(
      'uma_zcreate: name must be a non-empty string, got ""',
    );
    expect(() => k.uma_zcreate('x', 0, null, null, null, null, 3, 0)).toThrow(FreeBSDMallocError);
    expect(() => k.uma_zcreate('x', 8, null, null, null, null, 5, 0)).toThrow('uma_zcreate: align must be');
    expect(() => k.uma_zcreate('x', 8, null, null, null, null, 3, UMA_ZONE_PCPU)).toThrow('UMA_ZONE_PCPU');
    expect(() => k.uma_zcreate('x', 8, 42 as never, null, null, null, 3, 0)).toThrow(
      'uma_zcreate: ctor must be',
    );
    const z = k.uma_zcreate('x', 8, null, null, null, null, 3, 0);
    expect(() => k.uma_zone_set_max(z, -1)).toThrow(
      'uma_zone_set_max: nitems must be a non-negative integer, got -1',
    );
    expect(() => k.uma_reclaim(9)).toThrow('uma_reclaim: req must be');
    k.uma_zdestroy(z);
    expect(() => k.uma_zdestroy(z)).toThrow('uma_zdestroy: zone must be a live zone, got "x"');
  });
});

describe('uma_zalloc / uma_zfree', () => {
  it('runs ctor/dtor on every alloc/free and init/fini only when items enter/leave the keg', () => {
    const { k } = machine();
    const { c, ctor, dtor, init, fini } = counters();
    const z = k.uma_zcreate('counted', 100, ctor, dtor, init, fini, UMA_ALIGN_PTR, 0);
    const a = k.uma_zalloc_arg(z, 77, M_WAITOK);
    const ipers = z.keg.ipers;
    expect(c.init % ipers).toBe(0); // whole slabs were initialised
    expect(c.init).toBeGreaterThan(0);
    expect([c.ctor, c.dtor, c.fini]).toEqual([1, 0, 0]);
    k.uma_zfree_arg(z, a, 78);
    expect([c.ctor, c.dtor, c.fini]).toEqual([1, 1, 0]);
    expect(c.udata).toEqual([77, 78]);
    const b = k.uma_zalloc(z, M_WAITOK);
    k.uma_zfree(z, b);
    expect([c.ctor, c.dtor]).toEqual([2, 2]);
    const inits = c.init;
    expect(k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU)).toBeGreaterThan(0);
    expect(c.fini).toBe(inits);
    expect(z.keg.pages).toBe(0);
    k.uma_zfree(z, 0); // uma_zfree(zone, NULL) does nothing
    expect(c.dtor).toBe(2);
  });

  it('fails the allocation when init or ctor fails', () => {
    const { k } = machine();
    let initOk = false;
    const z = k.uma_zcreate('badinit', 64, null, null, () => (initOk ? 0 : 12), null, UMA_ALIGN_PTR, 0);
    expect(k.uma_zalloc(z, M_NOWAIT)).toBe(0);
    expect(z.keg.pages).toBe(0);
    initOk = true;
    expect(k.uma_zalloc(z, M_NOWAIT)).not.toBe(0);
    const y = k.uma_zcreate('badctor', 64, () => 12, null, null, null, UMA_ALIGN_PTR, 0);
    expect(k.uma_zalloc(y, M_WAITOK)).toBe(0);
    expect(k.zone_stats().find((s) => s.name === 'badctor')).toMatchObject({ used: 0, requests: 0, fail: 1 });
  });

  it('M_ZERO zeroes after the ctor; UMA_ZONE_ZINIT zeroes new slabs', () => {
    const { k, pages } = machine();
    const z = k.uma_zcreate(
      'ctorfill',
      32,
      (mem) => {
        pages.memory.fill(mem - PO, 32, 0x77);
        return 0;
      },
      null,
      null,
      null,
      UMA_ALIGN_PTR,
      0,
    );
    const a = k.uma_zalloc(z, M_WAITOK);
    expect(pages.memory.read8(a - PO + 31)).toBe(0x77);
    const b = k.uma_zalloc(z, M_WAITOK | M_ZERO);
    expect(pages.memory.readBytes(b - PO, 32).every((x) => x === 0)).toBe(true);
    const zi = k.uma_zcreate('zinit', 48, null, null, null, null, UMA_ALIGN_PTR, UMA_ZONE_ZINIT);
    const c = k.uma_zalloc(zi, M_WAITOK);
    expect(pages.memory.readBytes(c - PO, 48).every((x) => x === 0)).toBe(true);
  });

  it('caches per CPU: a free on CPU 1 is reused by the next allocation on CPU 1', () => {
    let cpu = 0;
    const { k } = machine({ ncpus: 2, curcpu: () => cpu });
    const z = k.uma_zcreate('percpu', 64, null, null, null, null, UMA_ALIGN_PTR, 0);
    const a = k.uma_zalloc(z, M_WAITOK);
    expect(z.allocbucket[0]).not.toBe(0);
    expect(z.allocbucket[1]).toBe(0);
    cpu = 1;
    k.uma_zfree(z, a);
    expect(z.freebucket[1]).not.toBe(0);
    expect(k.uma_zalloc(z, M_WAITOK)).toBe(a);
    expect(z.allocs[0]).toBe(1);
    expect(z.allocs[1]).toBe(1);
    expect(z.frees[1]).toBe(1);
  });

  it('moves full free buckets to the zone bucket cache and back', () => {
    const { k } = machine();
    const z = k.uma_zcreate('bkt', 512, null, null, null, null, UMA_ALIGN_PTR, 0);
    const n = z.bucket_entries * 3;
    const items = Array.from({ length: n }, () => k.uma_zalloc(z, M_WAITOK));
    expect(new Set(items).size).toBe(n);
    for (const it of items) k.uma_zfree(z, it);
    expect(z.bkt_count).toBeGreaterThanOrEqual(1);
    const stats = k.zone_stats().find((s) => s.name === 'bkt')!;
    expect(stats).toMatchObject({ used: 0, requests: n });
    expect(stats.free).toBe(z.keg.pages * z.keg.ipers);
    const again = Array.from({ length: n }, () => k.uma_zalloc(z, M_WAITOK));
    expect(new Set(again)).toEqual(new Set(items));
    expect(z.bkt_count).toBe(0);
  });

  it('enforces uma_zone_set_max: M_NOWAIT fails (counted), M_WAITOK would sleep forever', () => {
    const { k, log } = machine();
    const z = k.uma_zcreate('limited', 64, null, null, null, null, UMA_ALIGN_PTR, 0);
    expect(k.uma_zone_set_max(z, 5)).toBe(5);
    expect(k.uma_zone_get_max(z)).toBe(5);
    k.uma_zone_set_warning(z, 'kern.limited limit reached');
    const got = Array.from({ length: 5 }, () => k.uma_zalloc(z, M_NOWAIT));
    expect(got.every((p) => p !== 0)).toBe(true);
    expect(k.uma_zone_get_cur(z)).toBe(5);
    expect(k.uma_zalloc(z, M_NOWAIT)).toBe(0);
    expect(k.uma_zalloc(z, M_NOWAIT)).toBe(0);
    expect(log.filter((l) => l === '[zone: limited] kern.limited limit reached')).toHaveLength(1);
    const free = z.keg.free;
    expect(k.vmstat_z()).toContain(
      `limited:                 64,      5,       5,${String(free).padStart(8)},       5,   2,   0,   0`,
    );
    k.uma_zfree(z, got[0]);
    expect(k.uma_zalloc(z, M_WAITOK)).toBe(got[0]);
    expect(() => k.uma_zalloc(z, M_WAITOK)).toThrow(Panic);
    expect(log.at(-1)).toContain('panic: uma_zalloc_arg: zone "limited" at limit 5');
    expect(k.zone_stats().find((s) => s.name === 'limited')).toMatchObject({ sleep: 1, fail: 3 });
  });

  it('M_WAITOK at the limit sleeps while cached items are drained back to the keg', () => {
    let cpu = 0;
    const { k } = machine({ ncpus: 2, curcpu: () => cpu });
    const z = k.uma_zcreate('drainable', 64, null, null, null, null, UMA_ALIGN_PTR, 0);
    k.uma_zone_set_max(z, 4);
    const a = k.uma_zalloc(z, M_WAITOK); // CPU 0's bucket takes all 4 items
    expect(z.items).toBe(4);
    cpu = 1;
    expect(k.uma_zalloc(z, M_NOWAIT)).toBe(0);
    const b = k.uma_zalloc(z, M_WAITOK); // sleeps once; CPU 0's cached items are reclaimed
    expect(b).not.toBe(0);
    expect(b).not.toBe(a);
    expect(z.sleeps).toBe(1);
  });

  it('reports duplicate, foreign and unaligned frees with FreeBSD wording and refuses them', () => {
    const { k, log } = machine();
    const z = k.uma_zcreate('victim', 48, null, null, null, null, UMA_ALIGN_PTR, 0);
    const other = k.uma_zcreate('other', 48, null, null, null, null, UMA_ALIGN_PTR, 0);
    const a = k.uma_zalloc(z, M_WAITOK);
    const b = k.uma_zalloc(z, M_WAITOK);
    k.uma_zfree(z, a);
    k.uma_zfree(z, a);
    const hex = (n: number) => `0x${n.toString(16)}`;
    const slab = k.uma.vtoslab(a);
    const idx = (a - k.uma.pages.memory.read32(slab - PO + 12)) / 48;
    expect(log.at(-1)).toBe(
      `Duplicate free of ${hex(a)} from zone ${hex(z.address)}(victim) slab ${hex(slab)}(${idx})`,
    );
    k.uma_zfree(other, b);
    expect(log.at(-1)).toBe(`uma: Freed item ${hex(b)} did not belong to zone other`);
    k.uma_zfree(z, b + 4);
    expect(log.at(-1)).toMatch(
      /^Unaligned free of 0x[0-9a-f]+ from zone 0x[0-9a-f]+\(victim\) slab 0x[0-9a-f]+\(\d+\)$/,
    );
    expect(k.uma_zone_get_cur(z)).toBe(1);
    expect(k.uma.violations).toBe(3);
    k.uma_zfree(z, b);
    expect(k.uma_zone_get_cur(z)).toBe(0);
  });

  it("panics on INVARIANTS violations with invariants: 'panic'", () => {
    const { k, log } = machine({ invariants: 'panic' });
    const z = k.uma_zcreate('strict', 48, null, null, null, null, UMA_ALIGN_PTR, 0);
    const a = k.uma_zalloc(z, M_WAITOK);
    k.uma_zfree(z, a);
    expect(() => k.uma_zfree(z, a)).toThrow(Panic);
    expect(log.at(-1)).toMatch(/^panic: Duplicate free of /);
    expect(() => k.uma_zalloc(z, M_WAITOK | M_EXEC)).toThrow('panic: uma_zalloc_arg: called with M_EXEC');
  });

  it('uma_zdestroy frees everything, or loses the pages of a non-empty keg with FreeBSD message', () => {
    const { k, log, pages } = machine();
    k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
    const free0 = pages.nr_free_pages();
    const z = k.uma_zcreate('tmpzone', 300, null, null, null, null, UMA_ALIGN_PTR, 0);
    const items = Array.from({ length: 50 }, () => k.uma_zalloc(z, M_WAITOK));
    for (const it of items) k.uma_zfree(z, it);
    k.uma_zdestroy(z);
    expect(k.vmstat_z()).not.toContain('tmpzone');
    k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
    expect(pages.nr_free_pages()).toBe(free0);
    const leaky = k.uma_zcreate('leaky', 1000, null, null, null, null, UMA_ALIGN_PTR, 0);
    k.uma_zalloc(leaky, M_WAITOK);
    k.uma_zdestroy(leaky);
    expect(log.at(-1)).toBe('Freed UMA keg (leaky) was not empty (1 items).  Lost 1 pages of memory.');
    const lost = k.uma.zones.find((z) => z.name === 'leaky')!;
    expect(lost.dead).toBe(true);
  });

  it('gives memory back under pressure through the page allocator shrinker', () => {
    const { k, pages } = machine({ mib: 32 });
    const z = k.uma_zcreate('hog', 256, null, null, null, null, UMA_ALIGN_PTR, 0);
    const items: number[] = [];
    for (;;) {
      const p = k.uma_zalloc(z, M_NOWAIT);
      if (p === 0) break;
      items.push(p);
    }
    for (const it of items) k.uma_zfree(z, it);
    const held = z.keg.pages;
    expect(held).toBeGreaterThan(1000);
    // Someone else now needs the memory: GFP_KERNEL may reclaim, which calls UMA's shrinker.
    let got = 0;
    while (pages.alloc_pages(GFP_KERNEL, 0) !== null) got++;
    expect(got).toBeGreaterThan(held / 2);
    expect(z.keg.pages).toBe(0);
  });

  it('UMA_ZONE_NOFREE slabs are never reclaimed; UMA_RECLAIM_DRAIN keeps per-CPU buckets', () => {
    const { k } = machine();
    const nf = k.uma_zcreate('nofree', 64, null, null, null, null, UMA_ALIGN_PTR, UMA_ZONE_NOFREE);
    k.uma_zfree(nf, k.uma_zalloc(nf, M_WAITOK));
    const nfpages = nf.keg.pages;
    k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
    expect(nf.keg.pages).toBe(nfpages);
    const z = k.uma_zcreate('cpukept', 64, null, null, null, null, UMA_ALIGN_PTR, 0);
    k.uma_zfree(z, k.uma_zalloc(z, M_WAITOK));
    const zpages = z.keg.pages;
    k.uma_reclaim(UMA_RECLAIM_DRAIN);
    expect(z.keg.pages).toBe(zpages);
    expect(z.allocbucket[0]).not.toBe(0);
    k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
    expect(z.keg.pages).toBe(0);
  });

  it('M_WAITOK out of memory sleeps, reclaims, retries, then panics; M_NOWAIT just fails', () => {
    const { k, log } = machine({ mib: 16 });
    const z = k.uma_zcreate('oom', 2000, null, null, null, null, UMA_ALIGN_PTR, 0);
    while (k.uma_zalloc(z, M_NOWAIT) !== 0);
    const failsBefore = z.fails;
    expect(failsBefore).toBeGreaterThan(0);
    expect(() => {
      for (;;) k.uma_zalloc(z, M_WAITOK);
    }).toThrow(Panic);
    expect(log.at(-1)).toBe('panic: out of swap space');
    expect(z.sleeps).toBeGreaterThan(0);
  });

  it('panics on M_WAITOK with a spinlock or critical section held', () => {
    let atomic = false;
    const context = {
      in_atomic: () => atomic,
      irqs_disabled: () => false,
      current_comm: () => 'x',
      current_pid: () => 1,
    };
    const { k } = machine({ context });
    const z = k.uma_zcreate('ctx', 64, null, null, null, null, UMA_ALIGN_PTR, 0);
    atomic = true;
    expect(k.uma_zalloc(z, M_NOWAIT)).not.toBe(0);
    expect(() => k.uma_zalloc(z, M_WAITOK)).toThrow(
      'panic: uma_zalloc_arg: called with spinlock or critical section held',
    );
  });
});
