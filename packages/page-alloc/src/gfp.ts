// GFP ("get free pages") flags: the bit mask every allocation call takes, as in
// include/linux/gfp_types.h, with the zone selection of include/linux/gfp.h (gfp_zone) and the
// %pGg text of lib/vsprintf.c + include/trace/events/mmflags.h (format_gfp).

import { PageAllocError } from './errors.js';

// Zone modifiers (the low four bits, GFP_ZONEMASK).
export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
// Page mobility and placement hints.
export const __GFP_RECLAIMABLE = 0x10;
// Watermark modifiers: __GFP_HIGH may dip below the min watermark ("high priority").
export const __GFP_HIGH = 0x20;
// Reclaim modifiers.
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
/**
 * Cache-cold page wanted (2.6 .. 4.14, ___GFP_COLD 0x100 then). Linux removed it in 4.15; bit 9 is
 * unused in today's layout (it was ___GFP_ATOMIC until 6.3), so the old flag lives there. What it
 * does here: an order-0 page is taken from the cold end (tail) of the per-cpu list instead of the
 * hot end, and a freed order-0 page goes to the cold end (as free_cold_page() did).
 */
export const __GFP_COLD = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_WRITE = 0x1000;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_MEMALLOC = 0x20000;
export const __GFP_COMP = 0x40000;
export const __GFP_NOMEMALLOC = 0x80000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;
export const __GFP_ACCOUNT = 0x400000;
export const __GFP_ZEROTAGS = 0x800000;
/**
 * Slab-internal "do not grow the cache" (2.6: ___GFP_NO_GROW 0x2000, removed in 2.6.33; that
 * value is __GFP_NOWARN today). It lives in an otherwise unused high bit (bit 28). The page
 * allocator ignores it, as it always did; the slab layer reads it: a cache must not take new
 * pages for an allocation carrying it.
 */
export const __GFP_NO_GROW = 0x10000000;

/** __GFP_WAIT (up to 4.3) is today's __GFP_DIRECT_RECLAIM: the caller may sleep and reclaim. */
export const __GFP_WAIT = __GFP_DIRECT_RECLAIM;
/** __GFP_REPEAT (up to 4.12) became __GFP_RETRY_MAYFAIL: try hard, but fail in the end. */
export const __GFP_REPEAT = __GFP_RETRY_MAYFAIL;
export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

export const GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;
export const GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;

// Useful GFP flag combinations, composed exactly as in gfp_types.h.
export const GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN;
export const GFP_NOIO = __GFP_RECLAIM;
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
export const GFP_TRANSHUGE_LIGHT =
  (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
export const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

// enum zone_type (include/linux/mmzone.h) for 32-bit x86 with CONFIG_HIGHMEM: no ZONE_DMA32.
export const ZONE_DMA = 0;
export const ZONE_NORMAL = 1;
export const ZONE_HIGHMEM = 2;
export const ZONE_MOVABLE = 3;
export const MAX_NR_ZONES = 4;

/** gfpflags_allow_blocking(): may this allocation sleep (direct reclaim)? */
export function gfpflags_allow_blocking(gfp: number): boolean {
  return (gfp & __GFP_DIRECT_RECLAIM) !== 0;
}

/**
 * gfp_zone(): the highest zone an allocation may use; the allocator then falls back downwards
 * (HighMem → Normal → DMA). __GFP_DMA32 means ZONE_NORMAL on 32-bit x86 (there is no ZONE_DMA32);
 * __GFP_MOVABLE|__GFP_HIGHMEM means ZONE_MOVABLE. Combinations the kernel's GFP_ZONE_BAD table
 * rejects (two zone modifiers at once) throw, where the kernel hits VM_BUG_ON.
 */
export function gfp_zone(gfp: number): number {
  const bits = gfp & GFP_ZONEMASK;
  const zone = GFP_ZONE_TABLE[bits];
  if (zone < 0) {
    throw new PageAllocError(
      `gfp_zone: gfp_mask 0x${(gfp >>> 0).toString(16)} combines incompatible zone modifiers`,
    );
  }
  return zone;
}

// GFP_ZONE_TABLE (gfp.h), indexed by the four zone bits; -1 marks GFP_ZONE_BAD.
const GFP_ZONE_TABLE = Int8Array.from([
  ZONE_NORMAL, // 0
  ZONE_DMA, // __GFP_DMA
  ZONE_HIGHMEM, // __GFP_HIGHMEM
  -1, // DMA|HIGHMEM
  ZONE_NORMAL, // __GFP_DMA32 (ZONE_DMA32 does not exist on x86-32)
  -1, // DMA|DMA32
  -1, // HIGHMEM|DMA32
  -1, // DMA|HIGHMEM|DMA32
  ZONE_NORMAL, // __GFP_MOVABLE
  ZONE_DMA, // MOVABLE|DMA
  ZONE_MOVABLE, // MOVABLE|HIGHMEM
  -1, // MOVABLE|DMA|HIGHMEM
  ZONE_NORMAL, // MOVABLE|DMA32
  -1,
  -1,
  -1,
]);

/** gfp_migratetype() (enum migratetype order): Unmovable 0, Movable 1, Reclaimable 2. */
export function gfp_migratetype(gfp: number): number {
  if (gfp & __GFP_MOVABLE) return 1;
  if (gfp & __GFP_RECLAIMABLE) return 2;
  return 0;
}

// __def_gfpflag_names: composite masks first ("most bits set go first"), then single bits in bit
// order. The two historical flags are appended so they print by name too.
const GFP_NAMES: readonly [number, string][] = [
  [GFP_TRANSHUGE, 'GFP_TRANSHUGE'],
  [GFP_TRANSHUGE_LIGHT, 'GFP_TRANSHUGE_LIGHT'],
  [GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
  [GFP_HIGHUSER, 'GFP_HIGHUSER'],
  [GFP_USER, 'GFP_USER'],
  [GFP_KERNEL_ACCOUNT, 'GFP_KERNEL_ACCOUNT'],
  [GFP_KERNEL, 'GFP_KERNEL'],
  [GFP_NOFS, 'GFP_NOFS'],
  [GFP_ATOMIC, 'GFP_ATOMIC'],
  [GFP_NOIO, 'GFP_NOIO'],
  [GFP_NOWAIT, 'GFP_NOWAIT'],
  [GFP_DMA, 'GFP_DMA'],
  [GFP_DMA32, 'GFP_DMA32'],
  [__GFP_RECLAIM, '__GFP_RECLAIM'],
  [__GFP_DMA, '__GFP_DMA'],
  [__GFP_HIGHMEM, '__GFP_HIGHMEM'],
  [__GFP_DMA32, '__GFP_DMA32'],
  [__GFP_MOVABLE, '__GFP_MOVABLE'],
  [__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
  [__GFP_HIGH, '__GFP_HIGH'],
  [__GFP_IO, '__GFP_IO'],
  [__GFP_FS, '__GFP_FS'],
  [__GFP_ZERO, '__GFP_ZERO'],
  [__GFP_DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'],
  [__GFP_KSWAPD_RECLAIM, '__GFP_KSWAPD_RECLAIM'],
  [__GFP_WRITE, '__GFP_WRITE'],
  [__GFP_NOWARN, '__GFP_NOWARN'],
  [__GFP_RETRY_MAYFAIL, '__GFP_RETRY_MAYFAIL'],
  [__GFP_NOFAIL, '__GFP_NOFAIL'],
  [__GFP_NORETRY, '__GFP_NORETRY'],
  [__GFP_MEMALLOC, '__GFP_MEMALLOC'],
  [__GFP_COMP, '__GFP_COMP'],
  [__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [__GFP_HARDWALL, '__GFP_HARDWALL'],
  [__GFP_THISNODE, '__GFP_THISNODE'],
  [__GFP_ACCOUNT, '__GFP_ACCOUNT'],
  [__GFP_ZEROTAGS, '__GFP_ZEROTAGS'],
  [__GFP_COLD, '__GFP_COLD'],
  [__GFP_NO_GROW, '__GFP_NO_GROW'],
];

/**
 * The `%pGg` text of a gfp mask, as format_flags() prints it: matching names joined with '|',
 * leftover bits as a hex number, and the empty string for 0 (warn_alloc prints "mode:0x0()").
 */
export function format_gfp(gfp: number): string {
  let flags = gfp >>> 0;
  let out = '';
  for (let i = 0; i < GFP_NAMES.length && flags !== 0; i++) {
    const [mask, name] = GFP_NAMES[i];
    if ((flags & mask) >>> 0 !== mask) continue;
    out += name;
    flags = (flags & ~mask) >>> 0;
    if (flags !== 0) out += '|';
  }
  if (flags !== 0) out += `0x${flags.toString(16)}`;
  return out;
}
