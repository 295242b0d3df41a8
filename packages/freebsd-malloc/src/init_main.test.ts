import { describe, expect, it } from 'vitest';
import { mi_startup, sysinit_sort, sysuninit_sort } from './init_main.js';
import {
  SI_ORDER_ANY,
  SI_ORDER_FIRST,
  SI_ORDER_SECOND,
  SI_ORDER_THIRD,
  SI_SUB_DONE,
  SI_SUB_DRIVERS,
  SI_SUB_DUMMY,
  SI_SUB_KLD,
  SI_SUB_KMEM,
  SI_SUB_VM,
  SYSINIT,
  type sysinit,
} from './kernel.js';

describe('sys/kernel.h values', () => {
  it('match FreeBSD', () => {
    expect([SI_SUB_VM, SI_SUB_KMEM, SI_SUB_KLD, SI_SUB_DRIVERS]).toEqual([
      0x1000000, 0x1800000, 0x2000000, 0x3100000,
    ]);
    expect([SI_ORDER_FIRST, SI_ORDER_SECOND, SI_ORDER_THIRD, SI_ORDER_ANY]).toEqual([0, 1, 2, 0xfffffff]);
  });
});

describe('mi_startup', () => {
  it('runs by subsystem, then order, stably, and marks each SI_SUB_DONE', () => {
    const ran: string[] = [];
    const si = (name: string, sub: number, order: number) => SYSINIT(name, sub, order, () => ran.push(name));
    const set: sysinit[] = [
      si('drv', SI_SUB_DRIVERS, SI_ORDER_FIRST),
      si('kmem-any', SI_SUB_KMEM, SI_ORDER_ANY),
      si('kmem-2', SI_SUB_KMEM, SI_ORDER_SECOND),
      si('kmem-2b', SI_SUB_KMEM, SI_ORDER_SECOND),
      si('vm', SI_SUB_VM, SI_ORDER_FIRST),
      si('dummy', SI_SUB_DUMMY, SI_ORDER_FIRST),
    ];
    mi_startup(set);
    expect(ran).toEqual(['vm', 'kmem-2', 'kmem-2b', 'kmem-any', 'drv']);
    expect(set.filter((s) => s.subsystem === SI_SUB_DONE)).toHaveLength(5);
    mi_startup(set);
    expect(ran).toHaveLength(5);
  });

  it('restarts over the re-sorted list when a SYSINIT adds entries (newsysinit)', () => {
    const ran: string[] = [];
    const set: sysinit[] = [];
    set.push(
      SYSINIT('kld', SI_SUB_KLD, SI_ORDER_FIRST, () => {
        ran.push('kld');
        set.push(SYSINIT('added-early', SI_SUB_KMEM, SI_ORDER_FIRST, () => ran.push('added-early')));
        set.push(SYSINIT('added-late', SI_SUB_DRIVERS, SI_ORDER_FIRST, () => ran.push('added-late')));
      }),
      SYSINIT('drv', SI_SUB_DRIVERS, SI_ORDER_SECOND, () => ran.push('drv')),
    );
    mi_startup(set);
    expect(ran).toEqual(['kld', 'added-early', 'added-late', 'drv']);
  });

  it('sysuninit_sort is the reverse order', () => {
    const a = SYSINIT('a', SI_SUB_KMEM, SI_ORDER_ANY, () => {});
    const b = SYSINIT('b', SI_SUB_DRIVERS, SI_ORDER_FIRST, () => {});
    const c = SYSINIT('c', SI_SUB_KMEM, SI_ORDER_FIRST, () => {});
    expect(sysinit_sort([a, b, c]).map((s) => s.name)).toEqual(['c_sys_init', 'a_sys_init', 'b_sys_init']);
    expect(sysuninit_sort([a, b, c]).map((s) => s.name)).toEqual(['b_sys_init', 'a_sys_init', 'c_sys_init']);
  });
});
