import { GFP_KERNEL, PAGE_OFFSET } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import { POISON_END, POISON_FREE, POISON_INUSE, SLUB_RED_ACTIVE, SLUB_RED_INACTIVE } from './poison.js';
import {
  DEBUG_DEFAULT_FLAGS,
  SLAB_CONSISTENCY_CHECKS,
  SLAB_POISON,
  SLAB_RED_ZONE,
  SLAB_STORE_USER,
  SLAB_TRACE,
} from './slab.js';
import { parse_slub_debug } from './slub_debug.js';

const hex = (p: number) => p.toString(16).padStart(8, '0');

function debugMachine(flags = SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER, size = 40) {
  let now = 100;
  const m = machine({ jiffies: () => now });
  const s = m.slab.kmem_cache_create('dbg', size, 0, flags, null)!;
  const bytes = (p: number, n: number) => [...m.pages.memory.readBytes(p - PAGE_OFFSET, n)];
  return { ...m, s, bytes, tick: (n: number) => (now += n) };
}

describe('slub_debug option', () => {
  it('parses like setup_slub_debug and applies per cache name', () => {
    const none = () => {};
    expect(parse_slub_debug(true, none)).toEqual({ global: DEBUG_DEFAULT_FLAGS, blocks: [] });
    expect(parse_slub_debug('slub_debug', none).global).toBe(DEBUG_DEFAULT_FLAGS);
    expect(parse_slub_debug('FZ', none).global).toBe(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
    expect(parse_slub_debug('P,kmalloc-64,scsi_*', none)).toEqual({
      global: 0,
      blocks: [{ flags: SLAB_POISON, slabs: ['kmalloc-64', 'scsi_*'] }],
    });
    const lines: string[] = [];
    parse_slub_debug('FQ', (m) => lines.push(m));
    expect(lines[0]).toContain("slub_debug option 'Q' unknown. skipped");
  });

  it('turns on debugging for the named caches only', () => {
    const { slab } = machine({ slub_debug: 'PU,kmalloc-64,scsi_*' });
    expect(slab.kmalloc_slab(64, 0)!.flags & SLAB_POISON).toBeTruthy();
    expect(slab.kmalloc_slab(128, 0)!.flags & SLAB_POISON).toBeFalsy();
    expect(slab.kmem_cache_create('scsi_cmd_cache', 100, 0, 0, null)!.debug).toBe(true);
    expect(slab.kmem_cache_create('other', 100, 0, 0, null)!.debug).toBe(false);
  });
});

describe('poisoning, red zones and tracking', () => {
  it('lays out poison 0x6b/0xa5, red zones 0xbb/0xcc and padding 0x5a in memory', () => {
    const { slab, s, bytes } = debugMachine();
    expect(s.red_left_pad).toBe(4);
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(bytes(p - 4, 4)).toEqual([SLUB_RED_ACTIVE, SLUB_RED_ACTIVE, SLUB_RED_ACTIVE, SLUB_RED_ACTIVE]);
    expect(bytes(p, 40)).toEqual([...Array(39).fill(POISON_FREE), POISON_END]);
    expect(bytes(p + 40, 4)).toEqual(Array(4).fill(SLUB_RED_ACTIVE));
    slab.kmem_cache_free(s, p);
    expect(bytes(p - 4, 4)).toEqual(Array(4).fill(SLUB_RED_INACTIVE));
    expect(bytes(p + 40, 4)).toEqual(Array(4).fill(SLUB_RED_INACTIVE));
    // A never-used object in a fresh slab: inactive red zones, poison, and 0x5a padding.
    const q = p + s.size;
    expect(bytes(q, 40)).toEqual([...Array(39).fill(POISON_FREE), POISON_END]);
    expect(bytes(q + s.size - s.red_left_pad - 4, 4)).toEqual(Array(4).fill(POISON_INUSE));
  });

  it('detects a double free with "Object already free" and refuses it', () => {
    const { slab, s, printk } = debugMachine();
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    const q = slab.kmem_cache_alloc(s, GFP_KERNEL);
    slab.kmem_cache_free(s, p);
    slab.kmem_cache_free(s, p);
    expect(printk.lines).toContain('BUG dbg (Not tainted): Object already free');
    expect(printk.lines).toContain(`FIX dbg: Object at 0x${hex(p)} not freed`);
    expect(printk.lines.some((l) => /^Allocated in .* age=0 cpu=0 pid=0$/.test(l))).toBe(true);
    expect(printk.lines.some((l) => l.startsWith('Freed in '))).toBe(true);
    expect(printk.lines.some((l) => l.startsWith(`Object   ${hex(p)}: 6b 6b 6b`))).toBe(true);
    // The allocator is intact: the object comes back once, the counters hold.
    expect(s.nr_allocated).toBe(1);
    expect(slab.kmem_cache_alloc(s, GFP_KERNEL)).toBe(p);
    expect(slab.kmem_cache_alloc(s, GFP_KERNEL)).not.toBe(p);
    slab.kmem_cache_free(s, q);
  });

  it('reports a right red zone overwrite on free and does not free the object', () => {
    const { slab, s, printk, pages } = debugMachine();
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    pages.memory.write8(p + 40 - PAGE_OFFSET, 0x00);
    slab.kmem_cache_free(s, p);
    expect(printk.lines).toContain('BUG dbg (Not tainted): Right Redzone overwritten');
    expect(printk.lines).toContain(
      `0x${hex(p + 40)}-0x${hex(p + 40)} @offset=${p + 40 - (PAGE_OFFSET + slab.virt_to_slab(p) * 4096)}. First byte 0x0 instead of 0xcc`,
    );
    expect(printk.lines).toContain(`FIX dbg: Restoring Right Redzone 0x${hex(p + 40)}-0x${hex(p + 40)}=0xcc`);
    expect(printk.lines).toContain(`FIX dbg: Object at 0x${hex(p)} not freed`);
    expect(s.nr_allocated).toBe(1);
  });

  it('catches a write after free through the poison when the object is handed out again', () => {
    const { slab, s, printk, pages } = debugMachine(SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER, 1000);
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    slab.kmem_cache_free(s, p);
    pages.memory.write32(p + 8 - PAGE_OFFSET, 0xdeadbeef);
    const q = slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(printk.lines).toContain('BUG dbg (Not tainted): Poison overwritten');
    expect(printk.lines).toContain(
      `0x${hex(p + 8)}-0x${hex(p + 11)} @offset=${p + 8 - (PAGE_OFFSET + slab.virt_to_slab(p) * 4096)}. First byte 0xef instead of 0x6b`,
    );
    expect(printk.lines).toContain('FIX dbg: Marking all objects used');
    expect(q).not.toBe(p);
    expect(q).not.toBe(0);
  });

  it('reports a pointer that is not the start of an object', () => {
    const { slab, s, printk } = debugMachine();
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    slab.kmem_cache_free(s, p + 4);
    expect(printk.lines).toContain(`BUG dbg (Not tainted): Invalid object pointer 0x${hex(p + 4)}`);
    expect(s.nr_allocated).toBe(1);
    slab.kmem_cache_free(s, p);
    expect(s.nr_allocated).toBe(0);
  });

  it('reports an object of another cache and refuses it', () => {
    const { slab, s, printk } = debugMachine();
    const other = slab.kmalloc(40, GFP_KERNEL);
    slab.kmem_cache_free(s, other);
    expect(printk.lines).toContain('cache_from_obj: Wrong slab cache. dbg but object is from kmalloc-64');
    expect(slab.virt_to_cache(other)!.nr_allocated).toBe(1);
    slab.kmem_cache_free(s, 0xc0000000 + 4096 * 3000);
    expect(printk.lines).toContain('virt_to_cache: Object is not a Slab page!');
  });

  it('also refuses double frees and bad pointers on caches without debugging', () => {
    const { slab, printk } = machine();
    const s = slab.kmem_cache_create('plain', 64, 0, 0, null)!;
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    slab.kmem_cache_free(s, p);
    slab.kmem_cache_free(s, p);
    expect(printk.lines).toContain('BUG plain (Not tainted): Object already free');
    slab.kmem_cache_free(s, p + 1);
    expect(
      printk.lines.some((l) => l.startsWith('BUG plain (Tainted: [B]=BAD_PAGE): Invalid object pointer')),
    ).toBe(true);
    const a = slab.kmem_cache_alloc(s, GFP_KERNEL);
    const b = slab.kmem_cache_alloc(s, GFP_KERNEL);
    expect(a).toBe(p);
    expect(b).not.toBe(p);
    // Past the last object, in the slab's leftover bytes.
    const big = slab.kmem_cache_create('big', 1200, 0, 0, null)!;
    const first = slab.kmem_cache_alloc(big, GFP_KERNEL);
    const beyond = first + big.objects * big.size;
    slab.kmem_cache_free(big, beyond);
    expect(printk.lines).toContain(`FIX big: Object at 0x${hex(beyond)} not freed`);
    expect(big.nr_allocated).toBe(1);
  });

  it('prints the whole SLUB report for a redzone overwrite', () => {
    const { slab, s, printk, pages } = debugMachine(SLAB_RED_ZONE | SLAB_STORE_USER, 16);
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    pages.memory.write8(p - 1 - PAGE_OFFSET, 0x41);
    slab.kmem_cache_free(s, p);
    const i = printk.lines.indexOf('BUG dbg (Not tainted): Left Redzone overwritten');
    expect(printk.lines[i - 1]).toBe(
      '=============================================================================',
    );
    expect(printk.lines[i + 1]).toBe(
      '-----------------------------------------------------------------------------',
    );
    expect(printk.lines.slice(i).some((l) => l.startsWith(`Redzone  ${hex(p - 4)}: cc cc cc 41`))).toBe(true);
    expect(printk.lines).toContain('Disabling lock debugging due to kernel taint');
  });

  it('debugs the kmalloc caches with a global slub_debug and catches a double kfree', () => {
    const { slab, printk, pages } = machine({ slub_debug: true });
    const p = slab.kmalloc(20, GFP_KERNEL);
    expect(slab.virt_to_cache(p)!.name).toBe('kmalloc-32');
    expect([...pages.memory.readBytes(p - PAGE_OFFSET, 32)]).toEqual([
      ...Array(31).fill(POISON_FREE),
      POISON_END,
    ]);
    expect(slab.ksize(p)).toBe(32);
    slab.kfree(p);
    slab.kfree(p);
    expect(printk.lines).toContain('BUG kmalloc-32 (Not tainted): Object already free');
    const big = slab.kmalloc(8000, GFP_KERNEL);
    expect(slab.virt_to_cache(big)!.name).toBe('kmalloc-8k');
    slab.kfree(big);
  });

  it('traces allocations and frees with SLAB_TRACE', () => {
    const { slab, printk } = machine();
    const s = slab.kmem_cache_create('traced', 16, 0, SLAB_TRACE, null)!;
    const p = slab.kmem_cache_alloc(s, GFP_KERNEL);
    slab.kmem_cache_free(s, p);
    expect(printk.lines.some((l) => l.startsWith(`TRACE traced alloc 0x${hex(p)} inuse=0 fp=0x`))).toBe(true);
    expect(printk.lines.some((l) => l.startsWith(`TRACE traced free 0x${hex(p)} inuse=1 fp=0x`))).toBe(true);
  });

  it('validates a cache like /sys/kernel/slab/<cache>/validate, finding a write after free', () => {
    const { slab, s, printk } = debugMachine();
    const objs = Array.from({ length: 10 }, () => slab.kmem_cache_alloc(s, GFP_KERNEL));
    for (const p of objs.slice(0, 5)) slab.kmem_cache_free(s, p);
    expect(slab.validate_slab_cache(s)).toBe(s.nr_slabs);
    expect(printk.lines.filter((l) => l.startsWith('BUG'))).toEqual([]);
    slab.vmem.write8(objs[2] + 5, 0x42);
    slab.validate_slab_cache(s);
    expect(printk.lines).toContain('BUG dbg (Not tainted): Poison overwritten');
    expect(printk.lines).toContain(
      `FIX dbg: Restoring Poison 0x${hex(objs[2] + 5)}-0x${hex(objs[2] + 5)}=0x6b`,
    );
  });
});
