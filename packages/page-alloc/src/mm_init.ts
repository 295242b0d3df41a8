// Zone setup at boot (mm/page_alloc.c __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
// zone_batchsize()/zone_highsize()): watermarks from min_free_kbytes, the reserve each zone keeps
// from allocations that could have used a higher zone, and the per-cpu list sizes.

import { MAX_NR_ZONES, ZONE_HIGHMEM, ZONE_MOVABLE } from './gfp.js';
import { PAGE_SHIFT, PAGE_SIZE } from './memlayout.js';
import { MIGRATE_PCPTYPES, WMARK_HIGH, WMARK_LOW, WMARK_MIN, WMARK_PROMO, type Zone } from './mmzone.js';

/** sysctl_lowmem_reserve_ratio[] for DMA, Normal, HighMem, Movable. */
export const sysctl_lowmem_reserve_ratio = [256, 32, 0, 0];
/** vm.watermark_scale_factor default (fractions of 10,000). */
export const watermark_scale_factor = 10;

/** __setup_per_zone_wmarks(); returns min_free_kbytes (init_per_zone_wmark_min()). */
export function setup_per_zone_wmarks(zones: readonly Zone[]): number {
  let lowmem_pages = 0;
  for (const z of zones) if (z.idx < ZONE_HIGHMEM) lowmem_pages += z.managed_pages;
  // init_per_zone_wmark_min(): int_sqrt(lowmem_kbytes * 16) clamped to [128, 262144].
  const lowmem_kbytes = lowmem_pages * (PAGE_SIZE >> 10);
  const min_free_kbytes = Math.min(Math.max(Math.floor(Math.sqrt(lowmem_kbytes * 16)), 128), 262144);
  const pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);
  for (const z of zones) {
    let tmp = lowmem_pages ? Math.floor((pages_min * z.managed_pages) / lowmem_pages) : 0;
    if (z.idx === ZONE_HIGHMEM || z.idx === ZONE_MOVABLE) {
      z._watermark[WMARK_MIN] = Math.min(Math.max(Math.floor(z.managed_pages / 1024), 32), 128);
    } else {
      z._watermark[WMARK_MIN] = tmp;
    }
    tmp = Math.max(tmp >> 2, Math.floor((z.managed_pages * watermark_scale_factor) / 10000));
    z._watermark[WMARK_LOW] = z._watermark[WMARK_MIN] + tmp;
    z._watermark[WMARK_HIGH] = z._watermark[WMARK_LOW] + tmp;
    z._watermark[WMARK_PROMO] = z._watermark[WMARK_HIGH] + tmp;
  }
  return min_free_kbytes;
}

/** setup_per_zone_lowmem_reserve(). */
export function setup_per_zone_lowmem_reserve(zones: readonly Zone[]): void {
  for (let i = 0; i < MAX_NR_ZONES; i++) {
    const zone = zones[i];
    const ratio = sysctl_lowmem_reserve_ratio[i];
    const clear = !ratio || !zone.managed_pages;
    let managed = 0;
    for (let j = i + 1; j < MAX_NR_ZONES; j++) {
      managed += zones[j].managed_pages;
      zone.lowmem_reserve[j] = clear ? 0 : Math.floor(managed / ratio);
    }
  }
}

/** zone_batchsize() and zone_highsize(): the per-cpu lists' batch and high mark. */
export function zone_set_pageset_high_and_batch(zone: Zone): void {
  let batch = Math.min(zone.managed_pages >> 10, (1024 * 1024) / PAGE_SIZE);
  batch = Math.max(Math.floor(batch / 4), 1);
  batch = rounddown_pow_of_two(batch + (batch >> 1)) - 1;
  const pcp = zone.pcp;
  pcp.batch = Math.max(batch, 1);
  pcp.high = zone.managed_pages ? Math.max(zone.low_wmark_pages(), batch << 2) : 0;
  pcp.lists = Array.from({ length: MIGRATE_PCPTYPES }, () => new Int32Array(pcp.high + pcp.batch + 1));
}

function rounddown_pow_of_two(n: number): number {
  return n <= 0 ? 0 : 2 ** Math.floor(Math.log2(n));
}
