import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import type { FreeBSDMalloc } from './freebsdMalloc.js';
import type { KernelModule, linker_file } from './kern_linker.js';
import { EBUSY, EEXIST, ENOENT, MOD_LOAD, MOD_QUIESCE, MOD_UNLOAD, type module } from './kern_module.js';
import { Panic } from './kern_shutdown.js';
import {
  SI_ORDER_ANY,
  SI_ORDER_FIRST,
  SI_ORDER_MIDDLE,
  SI_SUB_DRIVERS,
  SI_SUB_KLD,
  SI_SUB_KMEM,
} from './kernel.js';
import { KS_MAGIC, M_NOWAIT, M_WAITOK } from './malloc.js';
import { UMA_RECLAIM_DRAIN_CPU } from './uma.js';

const PO = 0xc0000000;

/**
 * The seed's example: a module that defines M_LUKE ("Luke Memory") and, on MOD_LOAD, allocates
 * `n` buffers; on MOD_UNLOAD it frees `freeing` of them (so a leak is left when freeing < n).
 */
function luke(
  k: FreeBSDMalloc,
  opts: { n?: number; freeing?: number } = {},
): KernelModule & { bufs: number[] } {
  const bufs: number[] = [];
  return {
    name: 'luke.ko',
    bufs,
    link(lf: linker_file) {
      const M_LUKE = lf.MALLOC_DEFINE('M_LUKE', 'Luke Memory', 'Memory for the Luke subsystem');
      lf.DECLARE_MODULE(
        'luke',
        {
          name: 'luke',
          evhand: (_mod: module, what: number) => {
            if (what === MOD_LOAD)
              for (let i = 0; i < (opts.n ?? 3); i++) bufs.push(k.malloc(100, M_LUKE, M_WAITOK));
            if (what === MOD_UNLOAD)
              for (const b of bufs.splice(0, opts.freeing ?? bufs.length)) k.free(b, M_LUKE);
            return 0;
          },
        },
        SI_SUB_DRIVERS,
        SI_ORDER_MIDDLE,
      );
    },
  };
}

describe('M_LUKE, end to end', () => {
  it('loads, shows "Luke Memory" in vmstat -m, and unloads cleanly', () => {
    const { k, log, pages } = machine();
    k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
    const free0 = pages.nr_free_pages();
    const mod = luke(k);
    const id = k.kldload(mod);
    expect(id).toBe(2);
    const M_LUKE = k.MALLOC_DECLARE('M_LUKE');
    expect(k.kmem.shortdesc(M_LUKE)).toBe('Luke Memory');
    expect(pages.memory.read32(k.MALLOC_DECLARE('kmemstatistics') - PO)).toBe(M_LUKE); // newest first
    expect(k.vmstat_m()).toContain('  Luke Memory     3     1K        3  128\n');
    expect(k.kldstat()).toMatch(/^ 2 {4}1 0x[0-9a-f]{8} +[0-9a-f]+ luke\.ko$/m);
    expect(k.kldunload(id)).toBe(0);
    expect(log.filter((l) => l.startsWith('Warning'))).toEqual([]);
    expect(k.vmstat_m()).not.toContain('Luke Memory');
    expect(() => k.MALLOC_DECLARE('M_LUKE')).toThrow('link_elf: symbol M_LUKE undefined');
    k.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
    expect(pages.nr_free_pages()).toBe(free0);
  });

  it('warns when the module leaks, in FreeBSD words', () => {
    const { k, log } = machine();
    k.kldload(luke(k, { n: 3, freeing: 1 }));
    expect(k.rmmod('luke')).toBe(0);
    expect(log.at(-1)).toBe(
      'Warning: memory type Luke Memory leaked memory on destroy (2 allocations, 256 bytes leaked).',
    );
  });

  it('insmod/rmmod are kldload/kldunload under Linux names', () => {
    const { k } = machine();
    expect(k.insmod(luke(k))).toBe(0);
    expect(k.insmod(luke(k))).toBe(-EEXIST);
    expect(k.kldfind('luke')).toBe(2);
    expect(k.rmmod('luke.ko')).toBe(0);
    expect(k.rmmod('luke')).toBe(-ENOENT);
    expect(k.kldunload(42)).toBe(-ENOENT);
    expect(k.kldunload(1)).toBe(-EBUSY);
  });
});

describe('SYSINIT ordering in modules', () => {
  it('runs SYSINITs ascending on load, SYSUNINITs descending on unload', () => {
    const { k } = machine();
    const order: string[] = [];
    const image: KernelModule = {
      name: 'order.ko',
      link(lf) {
        lf.SYSINIT('late', SI_SUB_DRIVERS, SI_ORDER_ANY, () => order.push('init late'));
        lf.SYSINIT('early', SI_SUB_KLD, SI_ORDER_FIRST, () => order.push('init early'));
        lf.SYSINIT('mid', SI_SUB_DRIVERS, SI_ORDER_FIRST, () => order.push('init mid'));
        const M_ORDER = lf.MALLOC_DEFINE('M_ORDER', 'order', 'ordering test');
        lf.SYSINIT('uses_malloc', SI_SUB_KMEM, SI_ORDER_ANY, () => {
          order.push('malloc works');
          k.free(k.malloc(8, M_ORDER, M_WAITOK), M_ORDER);
        });
        lf.SYSUNINIT('late', SI_SUB_DRIVERS, SI_ORDER_ANY, () => order.push('uninit late'));
        lf.SYSUNINIT('early', SI_SUB_KLD, SI_ORDER_FIRST, () => order.push('uninit early'));
      },
    };
    const id = k.kldload(image);
    k.kldunload(id);
    expect(order).toEqual([
      'malloc works',
      'init early',
      'init mid',
      'init late',
      'uninit late',
      'uninit early',
    ]);
  });

  it('a preloaded module joins the boot SYSINITs', () => {
    const { k } = machine({ boot: false });
    const seen: string[] = [];
    k.kldload({
      name: 'pre.ko',
      link(lf) {
        const M_PRE = lf.MALLOC_DEFINE('M_PRE', 'preloaded', 'preloaded module memory');
        lf.SYSINIT('pre', SI_SUB_DRIVERS, SI_ORDER_FIRST, () => {
          seen.push(k.kmem.shortdesc(M_PRE));
          k.malloc(10, M_PRE, M_WAITOK);
        });
      },
    });
    expect(seen).toEqual([]);
    const trace: string[] = [];
    k.mi_startup((si) => trace.push(si.name));
    expect(seen).toEqual(['preloaded']);
    expect(trace).toEqual([
      'vm_mem_sys_init',
      'kmem_sys_init',
      'M_CACHE_init_sys_init',
      'M_DEVBUF_init_sys_init',
      'M_TEMP_init_sys_init',
      'M_PRE_init_sys_init',
      'pre_sys_init',
    ]);
    expect(k.vmstat_m()).toContain('    preloaded     1     1K        1  16\n');
    expect(() => k.mi_startup()).toThrow('mi_startup: the kernel has already booted');
  });
});

describe('module events', () => {
  it('a MOD_LOAD error fails the load with FreeBSD message; the file is unloaded again', () => {
    const { k, log } = machine();
    const events: number[] = [];
    const id = k.kldload({
      name: 'bad.ko',
      link(lf) {
        lf.MALLOC_DEFINE('M_BAD', 'bad', 'bad module');
        lf.DECLARE_MODULE(
          'bad',
          {
            name: 'bad',
            evhand: (_m, what) => {
              events.push(what);
              return what === MOD_LOAD ? 6 : 0;
            },
          },
          SI_SUB_DRIVERS,
          SI_ORDER_MIDDLE,
        );
      },
    });
    expect(id).toBe(-6);
    expect(events).toEqual([MOD_LOAD, MOD_UNLOAD]);
    expect(log).toContain('module_register_init: MOD_LOAD (bad, evhand, 0) error 6');
    expect(k.kldfind('bad.ko')).toBe(-ENOENT);
    expect(k.kmem.malloc_desc2type('bad')).toBe(0);
  });

  it('MOD_QUIESCE or MOD_UNLOAD can veto the unload (EBUSY)', () => {
    const { k } = machine();
    let busy = true;
    const events: number[] = [];
    const id = k.kldload({
      name: 'sticky.ko',
      link(lf) {
        lf.DECLARE_MODULE(
          'sticky',
          {
            name: 'sticky',
            evhand: (_m, what) => {
              events.push(what);
              return what === MOD_QUIESCE && busy ? EBUSY : 0;
            },
          },
          SI_SUB_DRIVERS,
          SI_ORDER_MIDDLE,
        );
      },
    });
    expect(k.kldunload(id)).toBe(-EBUSY);
    expect(k.kldfind('sticky')).toBe(id);
    busy = false;
    expect(k.kldunload(id)).toBe(0);
    expect(events).toEqual([MOD_LOAD, MOD_QUIESCE, MOD_QUIESCE, MOD_UNLOAD]);
  });

  it('refuses a second module of the same name from another file', () => {
    const { k, log } = machine();
    const decl = (file: string): KernelModule => ({
      name: file,
      link: (lf) => lf.DECLARE_MODULE('dup', { name: 'dup' }, SI_SUB_DRIVERS, SI_ORDER_MIDDLE),
    });
    expect(k.kldload(decl('one.ko'))).toBeGreaterThan(0);
    expect(k.kldload(decl('two.ko'))).toBe(-EEXIST);
    expect(log.at(-1)).toBe('module_register: cannot register dup from two.ko; already loaded from one.ko');
  });

  it('malloc_init panics on a corrupted type magic; link errors are typed', () => {
    const { k, log, pages } = machine();
    expect(() =>
      k.kldload({
        name: 'corrupt.ko',
        link(lf) {
          const t = lf.MALLOC_DEFINE('M_CORRUPT', 'corrupt', 'x');
          pages.memory.write32(t - PO + KS_MAGIC, 0);
        },
      }),
    ).toThrow(Panic);
    expect(log.at(-1)).toBe('panic: malloc_init: bad malloc type magic');
    expect(() => k.kldload({ name: 'e.ko', link: (lf) => void lf.MALLOC_DEFINE('9bad', 'x', 'y') })).toThrow(
      'MALLOC_DEFINE: type must be a C identifier, got "9bad"',
    );
    expect(() => k.kldload({ name: '', link: () => {} })).toThrow(
      'kldload: image.name must be a non-empty file name',
    );
    expect(k.kldfind('e.ko')).toBe(-ENOENT);
  });

  it('a module can MALLOC_DECLARE a kernel type and allocate with M_NOWAIT', () => {
    const { k } = machine();
    let p = 0;
    k.kldload({
      name: 'user.ko',
      link(lf) {
        const M_DEVBUF = lf.MALLOC_DECLARE('M_DEVBUF');
        lf.SYSINIT('user', SI_SUB_DRIVERS, SI_ORDER_MIDDLE, () => {
          p = k.malloc(300, M_DEVBUF, M_NOWAIT);
        });
      },
    });
    expect(p).not.toBe(0);
    expect(k.vmstat_m()).toContain('       devbuf     1     1K        1  512\n');
  });
});
