import { describe, expect, it } from 'vitest';
import {
  __GFP_COLD,
  __GFP_COMP,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_FS,
  __GFP_HARDWALL,
  __GFP_HIGH,
  __GFP_HIGHMEM,
  __GFP_IO,
  __GFP_KSWAPD_RECLAIM,
  __GFP_MOVABLE,
  __GFP_NO_GROW,
  __GFP_NOWARN,
  __GFP_RECLAIM,
  __GFP_REPEAT,
  __GFP_RETRY_MAYFAIL,
  __GFP_WAIT,
  __GFP_ZERO,
  format_gfp,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_HIGHUSER,
  GFP_KERNEL,
  GFP_NOFS,
  GFP_NOIO,
  GFP_NOWAIT,
  GFP_USER,
  gfp_zone,
  gfpflags_allow_blocking,
  ZONE_DMA,
  ZONE_HIGHMEM,
  ZONE_MOVABLE,
  ZONE_NORMAL,
} from './gfp.js';

describe('GFP flags', () => {
  it('has the bit values of gfp_types.h', () => {
    expect([__GFP_DMA, __GFP_HIGHMEM, __GFP_DMA32, __GFP_MOVABLE]).toEqual([1, 2, 4, 8]);
    expect([__GFP_HIGH, __GFP_IO, __GFP_FS, __GFP_ZERO]).toEqual([0x20, 0x40, 0x80, 0x100]);
    expect([__GFP_DIRECT_RECLAIM, __GFP_KSWAPD_RECLAIM, __GFP_NOWARN]).toEqual([0x400, 0x800, 0x2000]);
    expect([__GFP_RETRY_MAYFAIL, __GFP_COMP]).toEqual([0x4000, 0x40000]);
    expect(__GFP_WAIT).toBe(__GFP_DIRECT_RECLAIM);
    expect(__GFP_REPEAT).toBe(__GFP_RETRY_MAYFAIL);
    expect(__GFP_COLD & (GFP_KERNEL | GFP_ATOMIC | __GFP_ZERO | __GFP_COMP)).toBe(0);
    expect(__GFP_NO_GROW & 0x0fffffff).toBe(0);
  });

  it('composes the type flags like the kernel', () => {
    expect(GFP_KERNEL).toBe(0xcc0);
    expect(GFP_ATOMIC).toBe(0x820);
    expect(GFP_NOWAIT).toBe(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN);
    expect(GFP_NOIO).toBe(__GFP_RECLAIM);
    expect(GFP_NOFS).toBe(__GFP_RECLAIM | __GFP_IO);
    expect(GFP_USER).toBe(GFP_KERNEL | __GFP_HARDWALL);
    expect(GFP_HIGHUSER).toBe(GFP_USER | __GFP_HIGHMEM);
    expect(GFP_DMA).toBe(__GFP_DMA);
    expect(GFP_KERNEL & (__GFP_IO | __GFP_FS)).toBe(__GFP_IO | __GFP_FS);
  });

  it('knows who may sleep', () => {
    expect(gfpflags_allow_blocking(GFP_KERNEL)).toBe(true);
    expect(gfpflags_allow_blocking(GFP_NOIO)).toBe(true);
    expect(gfpflags_allow_blocking(GFP_ATOMIC)).toBe(false);
    expect(gfpflags_allow_blocking(GFP_NOWAIT)).toBe(false);
  });

  it('maps zone modifiers to the highest usable zone', () => {
    expect(gfp_zone(GFP_KERNEL)).toBe(ZONE_NORMAL);
    expect(gfp_zone(GFP_KERNEL | __GFP_DMA)).toBe(ZONE_DMA);
    expect(gfp_zone(GFP_HIGHUSER)).toBe(ZONE_HIGHMEM);
    expect(gfp_zone(GFP_KERNEL | __GFP_DMA32)).toBe(ZONE_NORMAL);
    expect(gfp_zone(GFP_HIGHUSER | __GFP_MOVABLE)).toBe(ZONE_MOVABLE);
    expect(() => gfp_zone(__GFP_DMA | __GFP_HIGHMEM)).toThrow(/gfp_mask 0x3/);
  });

  it('prints %pGg like the kernel', () => {
    expect(format_gfp(GFP_KERNEL)).toBe('GFP_KERNEL');
    expect(format_gfp(GFP_KERNEL | __GFP_ZERO | __GFP_COMP)).toBe('GFP_KERNEL|__GFP_ZERO|__GFP_COMP');
    expect(format_gfp(GFP_ATOMIC | __GFP_NOWARN)).toBe('GFP_ATOMIC|__GFP_NOWARN');
    expect(format_gfp(GFP_HIGHUSER)).toBe('GFP_HIGHUSER');
    expect(format_gfp(__GFP_HIGH)).toBe('__GFP_HIGH');
    expect(format_gfp(GFP_NOWAIT)).toBe('GFP_NOWAIT');
    expect(format_gfp(GFP_DMA | GFP_KERNEL)).toBe('GFP_KERNEL|GFP_DMA');
    expect(format_gfp(0)).toBe('');
    expect(format_gfp(0x40000000)).toBe('0x40000000');
    expect(format_gfp(__GFP_COLD | __GFP_NO_GROW)).toBe('__GFP_COLD|__GFP_NO_GROW');
  });
});
