import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import { kmemzones_sizes } from './kern_malloc.js';
import { M_WAITOK } from './malloc.js';
import { vmstat_m, vmstat_z } from './vmstat.js';

describe('vmstat -m', () => {
  it('prints domemstat_malloc columns, oldest type first, skipping unused types', () => {
    const text = vmstat_m(
      [
        {
          name: 'newest',
          numallocs: 12345678,
          numfrees: 2,
          memalloced: 5 * 1024 * 1024,
          memfreed: 1,
          size: 0b1_0000_0001,
        },
        { name: 'unused', numallocs: 0, numfrees: 0, memalloced: 0, memfreed: 0, size: 0 },
        { name: 'oldest', numallocs: 1, numfrees: 0, memalloced: 8192, memfreed: 0, size: 0 },
      ],
      kmemzones_sizes,
    );
    expect(text).toBe(
      [
        '         Type InUse MemUse Requests  Size(s)',
        '       oldest     1     8K        1  ',
        '       newest 12345676  5120K 12345678  16,4096',
        '',
      ].join('\n'),
    );
  });

  it('reflects malloc and free', () => {
    const { k } = machine();
    const a = k.malloc(10, k.M_DEVBUF, M_WAITOK);
    const b = k.malloc(2000, k.M_DEVBUF, M_WAITOK);
    k.malloc(100000, k.M_DEVBUF, M_WAITOK);
    k.free(a, k.M_DEVBUF);
    expect(k.vmstat_m()).toBe(
      [
        '         Type InUse MemUse Requests  Size(s)',
        '       devbuf     2   102K        3  16,2048',
        '',
      ].join('\n'),
    );
    k.free(b, k.M_DEVBUF);
  });
});

describe('vmstat -z', () => {
  it('prints domemstat_zone columns', () => {
    expect(
      vmstat_z([
        {
          name: 'malloc-16',
          size: 16,
          limit: 0,
          used: 1234,
          free: 5,
          requests: 99999999,
          fail: 0,
          sleep: 0,
          xdomain: 0,
        },
        {
          name: 'a very long zone name',
          size: 123456,
          limit: 100,
          used: 1,
          free: 2,
          requests: 3,
          fail: 4,
          sleep: 5,
          xdomain: 0,
        },
      ]),
    ).toBe(
      [
        'ITEM                   SIZE  LIMIT     USED     FREE      REQ     FAIL SLEEP XDOMAIN',
        'malloc-16:               16,      0,    1234,       5,99999999,   0,   0,   0',
        'a very long zone name: 123456,    100,       1,       2,       3,   4,   5,   0',
        '',
      ].join('\n'),
    );
  });

  it("lists UMA zones in creation order, starting with UMA's own", () => {
    const { k } = machine();
    const names = k
      .vmstat_z()
      .split('\n')
      .slice(1, -1)
      .map((l) => l.split(':')[0]);
    expect(names.slice(0, 4)).toEqual(['UMA Kegs', 'UMA Zones', 'UMA Slabs', '4 Bucket']);
    expect(names).toContain('mt_zone');
    expect(names.at(-1)).toBe('malloc-65536');
  });
});
