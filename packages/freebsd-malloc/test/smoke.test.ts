import { describe, expect, it } from 'vitest';
import { M_WAITOK, M_ZERO } from '../src/malloc.js';
import { machine } from './machine.js';

describe('smoke', () => {
  it('boots and mallocs', () => {
    const { k, log, pages } = machine();
    const free0 = pages.nr_free_pages();
    const a = k.malloc(100, k.M_TEMP, M_WAITOK | M_ZERO);
    expect(a).toBeGreaterThan(0xc0000000);
    expect(k.malloc_usable_size(a)).toBe(128);
    k.free(a, k.M_TEMP);
    console.log(k.vmstat_m());
    console.log(k.vmstat_z());
    console.log(k.kldstat());
    console.log(log, free0);
  });
});
