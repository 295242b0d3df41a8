import { collectingPrintk, PageAllocator } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import { PhysicalMemory } from '../test/memory.js';
import { FreeBSDMallocError } from './errors.js';
import { FreeBSDMalloc } from './freebsdMalloc.js';
import { kmemzones_sizes } from './kern_malloc.js';
import { Panic } from './kern_shutdown.js';
import {
  KS_HANDLE,
  KS_MAGIC,
  KS_NEXT,
  KS_SHORTDESC,
  M_EXEC,
  M_MAGIC,
  M_NODUMP,
  M_NOWAIT,
  M_USE_RESERVE,
  M_WAITOK,
  M_ZERO,
  MTI_STATS,
  SIZEOF_MALLOC_TYPE_STATS,
} from './malloc.js';
import { UMA_ALIGN_PTR, UMA_ZONE_MALLOC } from './uma.js';
import { PG_EXEC, PG_NODUMP } from './vm_kern.js';

const PO = 0xc0000000;

describe('struct malloc_type and kmemstatistics', () => {
  it('lives in simulated memory with FreeBSD layout; the chain head is the last type initialised', () => {
    const { k, pages } = machine();
    const mem = pages.memory;
    for (const [mtp, desc] of [
      [k.M_CACHE, 'cache'],
      [k.M_DEVBUF, 'devbuf'],
      [k.M_TEMP, 'temp'],
    ] as const) {
      expect(mem.read32(mtp - PO + KS_MAGIC)).toBe(M_MAGIC);
      expect(k.kmem.shortdesc(mtp)).toBe(desc);
      expect(mem.read32(mtp - PO + KS_SHORTDESC)).toBeGreaterThan(PO);
      expect(mem.read32(mtp - PO + KS_HANDLE)).toBeGreaterThan(PO);
    }
    const head = mem.read32(k.MALLOC_DECLARE('kmemstatistics') - PO);
    expect(head).toBe(k.M_TEMP);
    expect(mem.read32(k.M_TEMP - PO + KS_NEXT)).toBe(k.M_DEVBUF);
    expect(mem.read32(k.M_DEVBUF - PO + KS_NEXT)).toBe(k.M_CACHE);
    expect(mem.read32(k.M_CACHE - PO + KS_NEXT)).toBe(0);
    expect(k.kmem.kmemcount).toBe(3);
    expect(k.kmem.malloc_desc2type('devbuf')).toBe(k.M_DEVBUF);
    expect(k.kmem.malloc_desc2type('nope')).toBe(0);
  });

  it('kmeminit creates mt_zone with UMA_ALIGN_PTR and UMA_ZONE_MALLOC, one record per type', () => {
    const { k } = machine({ ncpus: 2 });
    const mt = k.kmem.mt_zone!;
    expect([mt.name, mt.size, mt.keg.align, mt.flags]).toEqual([
      'mt_zone',
      16 + 2 * 64,
      UMA_ALIGN_PTR,
      UMA_ZONE_MALLOC,
    ]);
    expect(k.uma_zone_get_cur(mt)).toBe(3);
    expect(() => k.kmem.mallocinit()).toThrow('mallocinit: malloc(9) is already initialized');
    expect(k.kmem.kmemzones.map((z) => z.name)).toEqual(kmemzones_sizes.map((s) => `malloc-${s}`));
  });

  it('keeps per-CPU statistics in the mt_zone record', () => {
    let cpu = 0;
    const { k, pages } = machine({ ncpus: 2, curcpu: () => cpu });
    const a = k.malloc(100, k.M_DEVBUF, M_WAITOK);
    cpu = 1;
    const b = k.malloc(3000, k.M_DEVBUF, M_WAITOK);
    k.free(a, k.M_DEVBUF);
    const mtip = pages.memory.read32(k.M_DEVBUF - PO + KS_HANDLE);
    const st0 = mtip - PO + MTI_STATS;
    const st1 = st0 + SIZEOF_MALLOC_TYPE_STATS;
    expect(pages.memory.read32(st0)).toBe(128); // mts_memalloced on CPU 0
    expect(pages.memory.read32(st0 + 16)).toBe(1); // mts_numallocs
    expect(pages.memory.read32(st1)).toBe(4096);
    expect(pages.memory.read32(st1 + 8)).toBe(128); // freed on CPU 1
    expect(pages.memory.read32(st1 + 24)).toBe(1); // mts_numfrees
    expect(k.kmem.malloc_type_stats(k.M_DEVBUF)).toEqual({
      name: 'devbuf',
      numallocs: 2,
      numfrees: 1,
      memalloced: 128 + 4096,
      memfreed: 128,
      size: (1 << 3) | (1 << 8),
    });
    k.free(b, k.M_DEVBUF);
  });
});

describe('64-bit statistics', () => {
  it('carry into the high word, on the frame fast path and through plain memory calls', () => {
    const ram = new PhysicalMemory(256 * 1024 * 1024);
    // A memory that offers only the PhysicalMemoryLike calls (no host frames).
    const plain = {
      size: ram.size,
      read8: (a: number) => ram.read8(a),
      read16: (a: number) => ram.read16(a),
      read32: (a: number) => ram.read32(a),
      write8: (a: number, v: number) => ram.write8(a, v),
      write16: (a: number, v: number) => ram.write16(a, v),
      write32: (a: number, v: number) => ram.write32(a, v),
      readBytes: (a: number, n: number) => ram.readBytes(a, n),
      writeBytes: (a: number, b: Uint8Array) => ram.writeBytes(a, b),
      fill: (a: number, n: number, v?: number) => ram.fill(a, n, v),
      copy: (d: number, s: number, n: number) => ram.copy(d, s, n),
    };
    for (const memory of [new PhysicalMemory(256 * 1024 * 1024), plain]) {
      const pages = new PageAllocator({ memory: memory as PhysicalMemory, printk: collectingPrintk() });
      const k = new FreeBSDMalloc(pages);
      k.mi_startup();
      const mtip = pages.memory.read32(k.M_DEVBUF - PO + KS_HANDLE);
      pages.memory.write32(mtip - PO + MTI_STATS, 0xfffffff0); // mts_memalloced, low word
      pages.memory.write32(mtip - PO + MTI_STATS + 8, 0xffffffff); // mts_memfreed, low word
      const p = k.malloc(32, k.M_DEVBUF, M_WAITOK);
      k.free(p, k.M_DEVBUF);
      expect(k.kmem.malloc_type_stats(k.M_DEVBUF)).toMatchObject({
        memalloced: 0x100000010,
        memfreed: 0x10000001f,
        numallocs: 1,
        numfrees: 1,
        size: 1 << 1,
      });
    }
  });
});

describe('malloc(9)', () => {
  it('rounds small requests to the kmemzones buckets', () => {
    const { k } = machine();
    const cases: [number, number][] = [
      [1, 16],
      [16, 16],
      [17, 32],
      [100, 128],
      [257, 512],
      [4096, 4096],
      [4097, 8192],
      [65536, 65536],
    ];
    for (const [size, usable] of cases) {
      const p = k.malloc(size, k.M_TEMP, M_WAITOK);
      expect(k.malloc_usable_size(p), `size ${size}`).toBe(usable);
      expect(k.ksize(p)).toBe(usable);
      expect(k.uma.vtozone(p)?.name).toBe(`malloc-${usable}`);
      k.free(p, k.M_TEMP);
    }
  });

  it('malloc(0) returns a distinct minimum-size allocation; free(NULL) does nothing', () => {
    const { k } = machine();
    const a = k.malloc(0, k.M_TEMP, M_WAITOK);
    const b = k.malloc(0, k.M_TEMP, M_WAITOK);
    expect(a).not.toBe(0);
    expect(b).not.toBe(a);
    expect(k.malloc_usable_size(a)).toBe(16);
    const before = k.kmem.malloc_type_stats(k.M_TEMP);
    k.free(0, k.M_TEMP);
    expect(k.kmem.malloc_type_stats(k.M_TEMP)).toEqual(before);
    expect(before.numallocs).toBe(2);
    expect(k.malloc_usable_size(0)).toBe(0);
  });

  it('large requests take whole pages and give them back', () => {
    const { k, pages } = machine();
    const free0 = pages.nr_free_pages();
    const p = k.malloc(65537, k.M_TEMP, M_WAITOK);
    expect(p % 4096).toBe(0);
    expect(k.malloc_usable_size(p)).toBe(17 * 4096);
    expect(k.uma.vtozone(p)).toBeNull();
    expect(pages.nr_free_pages()).toBeLessThan(free0);
    expect(k.kmem.malloc_type_stats(k.M_TEMP)).toMatchObject({ memalloced: 17 * 4096, size: 0 });
    k.free(p, k.M_TEMP);
    expect(pages.nr_free_pages()).toBe(free0);
    expect(k.kmem.malloc_type_stats(k.M_TEMP)).toMatchObject({
      numallocs: 1,
      numfrees: 1,
      memfreed: 17 * 4096,
    });
  });

  it('uses UMA only up to PAGE_SIZE on machines of 128 MiB or less (kmeminit)', () => {
    const { k } = machine({ mib: 64 });
    expect(k.kmem.kmem_zmax).toBe(4096);
    const p = k.malloc(5000, k.M_TEMP, M_WAITOK);
    expect(k.malloc_usable_size(p)).toBe(8192);
    expect(k.uma.vtozone(p)).toBeNull();
    k.free(p, k.M_TEMP);
  });

  it('M_ZERO zeroes; without it old contents come back (no INVARIANTS)', () => {
    const { k, pages } = machine({ invariants: false });
    const mem = pages.memory;
    const dirty = Array.from({ length: 600 }, () => k.malloc(64, k.M_TEMP, M_WAITOK));
    for (const p of dirty) mem.fill(p - PO, 64, 0xaa);
    for (const p of dirty) k.free(p, k.M_TEMP);
    const plain = Array.from({ length: 600 }, () => k.malloc(64, k.M_TEMP, M_WAITOK));
    expect(plain.some((p) => mem.read8(p - PO) === 0xaa)).toBe(true);
    for (const p of plain) k.free(p, k.M_TEMP);
    const zeroed = Array.from({ length: 600 }, () => k.malloc(64, k.M_TEMP, M_WAITOK | M_ZERO));
    expect(zeroed.every((p) => mem.readBytes(p - PO, 64).every((x) => x === 0))).toBe(true);
    const big = k.malloc(100000, k.M_TEMP, M_NOWAIT | M_ZERO);
    expect(mem.readBytes(big - PO, 100000).every((x) => x === 0)).toBe(true);
  });

  it('free() trashes the item and records the freeing type in its last word (INVARIANTS)', () => {
    const { k, pages, log } = machine();
    const mem = pages.memory;
    const a = k.malloc(32, k.M_DEVBUF, M_WAITOK);
    mem.fill(a - PO, 32, 0x55);
    k.free(a, k.M_DEVBUF);
    for (let o = 0; o < 28; o += 4) expect(mem.read32(a - PO + o)).toBe(0xdeadc0de);
    expect(mem.read32(a - PO + 28)).toBe(k.M_DEVBUF);
    // A write after free is caught when the item is handed out again.
    mem.write32(a - PO + 8, 0x12345678);
    const again: number[] = [];
    while (!again.includes(a)) again.push(k.malloc(32, k.M_TEMP, M_WAITOK));
    expect(log.slice(-2)).toEqual([
      `Memory modified after free 0x${a.toString(16)}(28) val=12345678 @ 0x${(a + 8).toString(16)}`,
      'Most recently used by devbuf',
    ]);
    const strict = machine({ invariants: 'panic' });
    const b = strict.k.malloc(64, strict.k.M_TEMP, M_WAITOK);
    strict.k.free(b, strict.k.M_TEMP);
    strict.pages.memory.write8(b - PO, 1);
    expect(() => {
      for (;;) strict.k.malloc(64, strict.k.M_TEMP, M_WAITOK);
    }).toThrow('panic: Most recently used by temp');
  });

  it('zfree() zeroes the whole allocation before freeing it', () => {
    const { k, pages } = machine({ invariants: false });
    const b = k.malloc(32, k.M_DEVBUF, M_WAITOK);
    pages.memory.fill(b - PO, 32, 0x55);
    k.zfree(b, k.M_DEVBUF);
    expect([...pages.memory.readBytes(b - PO, 32)].every((x) => x === 0)).toBe(true);
    const big = k.malloc(70000, k.M_DEVBUF, M_WAITOK);
    pages.memory.fill(big - PO, 70000, 0x55);
    k.zfree(big, k.M_DEVBUF);
    expect(pages.memory.read8(big - PO + 69999)).toBe(0);
  });

  it('realloc and reallocf', () => {
    const { k, pages } = machine();
    const mem = pages.memory;
    const a = k.realloc(0, 100, k.M_TEMP, M_WAITOK); // realloc(NULL) is malloc
    expect(k.malloc_usable_size(a)).toBe(128);
    mem.writeBytes(
      a - PO,
      Uint8Array.from({ length: 100 }, (_, i) => i),
    );
    expect(k.realloc(a, 120, k.M_TEMP, M_WAITOK)).toBe(a); // fits, more than half
    expect(k.realloc(a, 65, k.M_TEMP, M_WAITOK)).toBe(a);
    const b = k.realloc(a, 1000, k.M_TEMP, M_WAITOK); // grows: copy of the old 128 bytes
    expect(b).not.toBe(a);
    expect([...mem.readBytes(b - PO, 100)]).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const c = k.realloc(b, 10, k.M_TEMP, M_WAITOK); // shrinks below half: new block
    expect(k.malloc_usable_size(c)).toBe(16);
    expect([...mem.readBytes(c - PO, 10)]).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const d = k.malloc(16, k.M_TEMP, M_WAITOK);
    expect(k.realloc(d, 3, k.M_TEMP, M_WAITOK)).toBe(d); // MINALLOCSIZE is kept
    expect(k.kmem.malloc_type_stats(k.M_TEMP)).toMatchObject({ numallocs: 4, numfrees: 2 });
    // A failing realloc keeps the block; reallocf frees it.
    const huge = 0xfffff000;
    expect(k.realloc(c, huge, k.M_TEMP, M_NOWAIT)).toBe(0);
    expect(k.malloc_usable_size(c)).toBe(16);
    expect(k.reallocf(c, huge, k.M_TEMP, M_NOWAIT)).toBe(0);
    expect(k.kmem.malloc_type_stats(k.M_TEMP)).toMatchObject({ numallocs: 4, numfrees: 3 });
  });

  it('mallocarray panics on overflow', () => {
    const { k, log } = machine();
    const p = k.mallocarray(10, 10, k.M_TEMP, M_WAITOK);
    expect(k.malloc_usable_size(p)).toBe(128);
    expect(() => k.mallocarray(65536, 65537, k.M_TEMP, M_WAITOK)).toThrow(Panic);
    expect(log.at(-1)).toBe('panic: mallocarray: 65536 * 65537 overflowed');
  });

  it('M_EXEC and malloc_exec take executable whole pages; M_NODUMP marks pages', () => {
    const { k } = machine();
    const a = k.malloc(100, k.M_TEMP, M_WAITOK | M_EXEC);
    expect(a % 4096).toBe(0);
    expect(k.malloc_usable_size(a)).toBe(4096);
    expect(k.uma.page_flags(a)).toBe(PG_EXEC);
    const b = k.malloc_exec(5000, k.M_TEMP, M_WAITOK);
    expect(k.malloc_usable_size(b)).toBe(8192);
    expect(k.uma.page_flags(b + 4096)).toBe(PG_EXEC);
    const c = k.malloc(200000, k.M_TEMP, M_WAITOK | M_NODUMP);
    expect(k.uma.page_flags(c)).toBe(PG_NODUMP);
    k.free(a, k.M_TEMP);
    k.free(b, k.M_TEMP);
    k.free(c, k.M_TEMP);
    expect(k.uma.page_flags(c)).toBe(0);
  });

  it('M_NOWAIT may fail, M_USE_RESERVE dips into the reserve, M_WAITOK panics rather than return NULL', () => {
    const { k, log } = machine({ mib: 16 });
    const held: number[] = [];
    for (const size of [64 * 1024, 4096]) {
      for (;;) {
        const p = k.malloc(size, k.M_TEMP, M_NOWAIT);
        if (p === 0) break;
        held.push(p);
      }
    }
    const st = k.kmem.malloc_type_stats(k.M_TEMP);
    expect(st.numallocs).toBe(held.length); // failures are not charged
    expect(k.malloc(4096, k.M_TEMP, M_NOWAIT)).toBe(0);
    expect(k.uma.vtozone(held.at(-1)!)?.name).toBe('malloc-4096');
    expect(k.malloc(4096, k.M_TEMP, M_NOWAIT | M_USE_RESERVE)).not.toBe(0);
    let thrown: unknown;
    try {
      for (;;) expect(k.malloc(64 * 1024, k.M_TEMP, M_WAITOK)).not.toBe(0);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Panic);
    expect(log.at(-1)).toBe('panic: out of swap space');
  });

  it('reports bad flags once, as FreeBSD does, and treats the first as M_WAITOK', () => {
    const { k, log } = machine();
    const a = k.malloc(10, k.M_TEMP, 0);
    expect(a).not.toBe(0);
    expect(log).toContain('Bad malloc flags: 0');
    const b = k.malloc(10, k.M_TEMP, M_WAITOK | M_NOWAIT);
    expect(b).not.toBe(0);
    expect(log.filter((l) => l.startsWith('Bad malloc flags'))).toHaveLength(1);
  });

  it('M_WAITOK where sleeping is prohibited panics', () => {
    let atomic = false;
    const context = {
      in_atomic: () => atomic,
      irqs_disabled: () => false,
      current_comm: () => 'intr',
      current_pid: () => 12,
    };
    const { k, log } = machine({ context });
    atomic = true;
    expect(k.malloc(10, k.M_TEMP, M_NOWAIT)).not.toBe(0);
    expect(() => k.malloc(10, k.M_TEMP, M_WAITOK)).toThrow(
      'panic: malloc(M_WAITOK) with sleeping prohibited',
    );
    expect(log.at(-1)).toBe('panic: malloc(M_WAITOK) with sleeping prohibited');
  });

  it('panics on a bad type magic, with FreeBSD messages', () => {
    const { k, pages, log } = machine();
    const bogus = k.kernel.static_alloc(16);
    pages.memory.write32(bogus - PO + KS_MAGIC, 0xdeadbeef);
    expect(() => k.malloc(8, bogus, M_WAITOK)).toThrow(Panic);
    expect(log.at(-1)).toBe('panic: malloc: bad malloc type magic');
    const p = k.malloc(8, k.M_TEMP, M_WAITOK);
    expect(() => k.free(p, bogus)).toThrow('panic: free: bad malloc type magic');
    expect(() => k.realloc(p, 100, bogus, M_WAITOK)).toThrow('panic: realloc: bad malloc type magic');
    expect(() => k.kmem.malloc_init(bogus)).toThrow('panic: malloc_init: bad malloc type magic');
    expect(() => k.kmem.malloc_uninit(bogus)).toThrow('panic: malloc_uninit: bad malloc type magic');
  });

  it('free of an address malloc never returned panics; a duplicate small free is refused', () => {
    const { k, log } = machine();
    expect(() => k.free(0xc1234567, k.M_TEMP)).toThrow(Panic);
    expect(log.at(-1)).toBe('panic: free: address 0xc1234567(0xc1234000) has not been allocated.');
    const big = k.malloc(100000, k.M_TEMP, M_WAITOK);
    expect(() => k.free(big + 8, k.M_TEMP)).toThrow('has not been allocated.');
    k.free(big, k.M_TEMP);
    expect(() => k.free(big, k.M_TEMP)).toThrow(`panic: free: address 0x${big.toString(16)}`);
    const p = k.malloc(40, k.M_TEMP, M_WAITOK);
    k.free(p, k.M_TEMP);
    const before = k.kmem.malloc_type_stats(k.M_TEMP);
    k.free(p, k.M_TEMP);
    expect(log.at(-1)).toMatch(
      new RegExp(
        `^Duplicate free of 0x${p.toString(16)} from zone 0x[0-9a-f]+\\(malloc-64\\) slab 0x[0-9a-f]+\\(\\d+\\)$`,
      ),
    );
    expect(k.kmem.malloc_type_stats(k.M_TEMP)).toEqual(before);
    expect(() => k.malloc_usable_size(0xc0001000)).toThrow(
      'panic: malloc_usable_size: address 0xc0001000(0xc0001000) is not allocated.',
    );
    expect(() => k.realloc(0xc0001000, 5, k.M_TEMP, M_WAITOK)).toThrow(
      'panic: realloc: address 0xc0001000 out of range',
    );
  });

  it('throws typed errors for impossible arguments', () => {
    const { k } = machine();
    expect(() => k.malloc(-1, k.M_TEMP, M_WAITOK)).toThrow(FreeBSDMallocError);
    expect(() => k.malloc(1.5, k.M_TEMP, M_WAITOK)).toThrow('malloc: size must be a size_t, got 1.5');
    expect(() => k.realloc(0, -3, k.M_TEMP, M_WAITOK)).toThrow('realloc: size must be a size_t, got -3');
    expect(() => k.mallocarray(-1, 3, k.M_TEMP, M_WAITOK)).toThrow(
      'mallocarray: nmemb must be a size_t, got -1',
    );
  });

  it('reads printk and the execution context live from the page allocator', () => {
    const { k, pages } = machine();
    const later: string[] = [];
    pages.printk = (m) => {
      later.push(m);
    };
    k.malloc(10, k.M_TEMP, 0);
    expect(later.join('')).toContain('Bad malloc flags: 0');
    pages.context = {
      in_atomic: () => true,
      irqs_disabled: () => false,
      current_comm: () => 'irq',
      current_pid: () => 0,
    };
    expect(() => k.malloc(10, k.M_TEMP, M_WAITOK)).toThrow(
      'panic: malloc(M_WAITOK) with sleeping prohibited',
    );
  });

  it('a type used before malloc_init panics', () => {
    const { k, log } = machine({ boot: false });
    expect(() => k.malloc(8, k.M_TEMP, M_WAITOK)).toThrow(Panic);
    expect(log.at(-1)).toMatch(
      /^panic: malloc: malloc type 0x[0-9a-f]+ is not initialized \(ks_handle NULL\)$/,
    );
  });
});
