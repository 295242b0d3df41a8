// sys/vm/uma_core.c: the UMA zone allocator on the Linux-style page allocator.
//
//   zone  (uma_zone_t)  what callers allocate from: ctor/dtor, per-CPU bucket caches
//                       (uc_allocbucket, uc_freebucket), the zone's cache of full buckets,
//                       limits and statistics.
//   keg   (uma_keg_t)   the backing store of one zone: item layout, init/fini, slabs on three
//                       lists (partial, free, full).
//   slab                one buddy block (1 << order pages) cut into uk_ipers items; its header,
//                       with the free-item bitset, lives on the page or in a "UMA Slabs" item.
//   bucket              an item of a "N Bucket" zone: an array of free item pointers.
//
// Items, slab headers and buckets live in simulated memory. The zone and keg headers are host
// objects (uma_zone_t is a handle); each still owns a real item of "UMA Zones"/"UMA Kegs" whose
// address is the zone pointer printed in messages. vtoslab() is a typed array indexed by pfn.

import { KERN_ERR, type Printk, processContext, SHRINK_STOP, type ShrinkControl } from '@k/page-alloc';
import { badArgument } from './errors.js';
import { panic } from './kern_shutdown.js';
import { M_EXEC, M_NOWAIT, M_USE_RESERVE, M_WAITOK, M_ZERO } from './malloc.js';
import {
  UMA_ALIGN_CACHE,
  UMA_RECLAIM_DRAIN,
  UMA_RECLAIM_DRAIN_CPU,
  UMA_RECLAIM_TRIM,
  UMA_SMALLEST_UNIT,
  UMA_ZONE_MAXBUCKET,
  UMA_ZONE_NOBUCKET,
  UMA_ZONE_NODUMP,
  UMA_ZONE_NOFREE,
  UMA_ZONE_OFFPAGE,
  UMA_ZONE_PCPU,
  UMA_ZONE_SECONDARY,
  UMA_ZONE_ZINIT,
  uma_align_cache,
  type uma_ctor,
  type uma_dtor,
  type uma_fini,
  type uma_init,
} from './uma.js';
import {
  msg_duplicate_alloc,
  msg_duplicate_free,
  msg_invalid_free,
  msg_not_in_zone,
  msg_unaligned_free,
} from './uma_dbg.js';
import {
  bucket_select,
  bucket_zone_lookup,
  bucket_zones,
  SLAB_SETSIZE,
  SLABZONE_SIZE,
  slab_bitset_words,
  slab_sizeof,
  UB_BUCKET,
  UB_CNT,
  UB_ENTRIES,
  UB_NEXT,
  UB_PREV,
  UMA_MAX_WASTE,
  UMA_SLAB_OFFP,
  US_DATA,
  US_DOMAIN,
  US_FLAGS,
  US_FREE,
  US_FREECOUNT,
  US_NEXT,
  US_PREV,
} from './uma_int.js';
import {
  __GFP_COMP,
  __GFP_ZERO,
  malloc2gfp,
  malloc2pgflags,
  order_for_pages,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
  PG_NODUMP,
  type VmPageAllocator,
} from './vm_kern.js';

/** Slab list indices of a keg. */
const PARTIAL = 0;
const FREE = 1;
const FULL = 2;

/** Largest item: one buddy block of order 10 (4 MiB). */
const UMA_MAX_ITEM = PAGE_SIZE << 10;

/** How INVARIANTS violations (duplicate free, wrong zone...) are handled. */
export type InvariantsMode = boolean | 'panic';

/** struct uma_keg, host side. */
export class uma_keg {
  /** Slab list heads: partial, free, full (slab header addresses, 0 for empty). */
  readonly lists = [0, 0, 0];
  /** uk_pages: pages held by this keg's slabs. */
  pages = 0;
  /** uk_free: free items in this keg's slabs. */
  free = 0;
  /** Address of this keg's "UMA Kegs" item. */
  address = 0;

  constructor(
    readonly name: string,
    /** uk_size: the requested item size. */
    readonly size: number,
    /** uk_rsize: the real, aligned item size. */
    readonly rsize: number,
    /** uk_align: alignment mask. */
    readonly align: number,
    readonly flags: number,
    /** Buddy order of one slab (uk_ppera = 1 << order pages). */
    readonly order: number,
    /** uk_ipers: items per slab. */
    readonly ipers: number,
    /** Header off-page (in "UMA Slabs")? */
    readonly offpage: boolean,
    /** uk_pgoff: on-page header offset within the slab. */
    readonly pgoff: number,
    readonly init: uma_init | null,
    readonly fini: uma_fini | null,
  ) {}

  /** uk_ppera */
  get ppera(): number {
    return 1 << this.order;
  }
  /** Words of each slab bitset. */
  get words(): number {
    return slab_bitset_words(this.ipers);
  }
}

/** struct uma_zone, host side. `uma_zone_t` in the API. */
export class uma_zone {
  /**
   * Per-CPU cache (struct uma_cache): uc_allocbucket and uc_freebucket are struct
   * uma_cache_bucket { ucb_bucket, ucb_cnt } as in FreeBSD 13: while a bucket sits in a CPU cache
   * its item count lives here (ucb_cnt) and is written back to ub_cnt when the bucket leaves the
   * cache (cache_bucket_unload), so a cached alloc or free touches only the item pointer in memory.
   */
  readonly allocbucket: Uint32Array;
  readonly alloccnt: Int32Array;
  readonly freebucket: Uint32Array;
  readonly freecnt: Int32Array;
  readonly allocs: Float64Array;
  readonly frees: Float64Array;
  /** The zone's cache of full buckets (uzd_buckets), linked through ub_link; LIFO. */
  bucketcache = 0;
  /** Buckets and items in the bucket cache. */
  bkt_count = 0;
  bkt_items = 0;
  /** uz_items: items taken out of the keg (in use or cached), what uz_max_items limits. */
  items = 0;
  /** uz_max_items (0 = unlimited). */
  max_items = 0;
  /** uz_fails, uz_sleeps. */
  fails = 0;
  sleeps = 0;
  /** uz_warning, printed when the limit is hit. */
  warning: string | null = null;
  warned = false;
  /** Address of this zone's "UMA Zones" item: the uma_zone_t printed as %p. */
  address = 0;
  /** Destroyed by uma_zdestroy(). */
  dead = false;
  /** Internal zone (UMA's own: kegs, zones, slabs, buckets). */
  internal = false;

  constructor(
    /** Index in Uma.zones and in the per-page zone table. */
    readonly id: number,
    readonly name: string,
    /** uz_size */
    readonly size: number,
    readonly ctor: uma_ctor | null,
    readonly dtor: uma_dtor | null,
    readonly keg: uma_keg,
    readonly flags: number,
    /** uz_count: items per bucket fill (0: no buckets). */
    readonly bucket_size: number,
    /** Bucket zone index (into bucket_zones) and its capacity. */
    readonly bucket_zone: number,
    readonly bucket_entries: number,
    ncpus: number,
  ) {
    this.allocbucket = new Uint32Array(ncpus);
    this.alloccnt = new Int32Array(ncpus);
    this.freebucket = new Uint32Array(ncpus);
    this.freecnt = new Int32Array(ncpus);
    this.allocs = new Float64Array(ncpus);
    this.frees = new Float64Array(ncpus);
  }
}

/** One row of `vmstat -z` (what libmemstat reads from vm.zone_stats). */
export interface uma_zone_stats {
  name: string;
  size: number;
  limit: number;
  used: number;
  free: number;
  requests: number;
  fail: number;
  sleep: number;
  xdomain: number;
}

export interface UmaOptions {
  /** Kernel log sink (FreeBSD's printf and panic). Defaults to the page allocator's. */
  printk?: Printk;
  /** mp_ncpus: number of per-CPU caches (default 1). */
  ncpus?: number;
  /** curcpu: which CPU is running (default: CPU 0). */
  curcpu?: () => number;
  /** INVARIANTS checks: true (default) reports and refuses, 'panic' panics like FreeBSD, false skips. */
  invariants?: InvariantsMode;
  /** May the caller sleep? Defaults to the page allocator's context. */
  context?: { in_atomic(): boolean; irqs_disabled(): boolean };
}

/** The UMA allocator (uma_startup() state): every zone, every keg, the per-page slab table. */
export class Uma {
  readonly pages: VmPageAllocator;
  readonly printk: Printk;
  readonly ncpus: number;
  readonly invariants: InvariantsMode;
  /** vtoslab(): slab header address per pfn; for malloc_large pages (size << 1) | 1. */
  readonly pfn_slab: Uint32Array;
  /** vtozone(): zone id per pfn, -1 for none. */
  readonly pfn_zone: Int32Array;
  /** Per-page flags (PG_NODUMP, PG_EXEC). */
  readonly pfn_flags: Uint8Array;
  /** Every zone ever created, by id (destroyed ones stay, marked dead). */
  readonly zones: uma_zone[] = [];
  /** Pages UMA has freed back to the page allocator since creation. */
  pages_freed = 0;
  /** INVARIANTS violations reported (and refused). */
  violations = 0;

  private readonly mem: VmPageAllocator['memory'];
  /** curcpu(): the running CPU's index. */
  readonly curcpu: () => number;
  private readonly ctx: { in_atomic(): boolean; irqs_disabled(): boolean };
  readonly kegs_zone: uma_zone;
  readonly zones_zone: uma_zone;
  readonly slabzone: uma_zone;
  readonly bucket_zone_list: uma_zone[] = [];

  constructor(pages: VmPageAllocator, options: UmaOptions = {}) {
    const ncpus = options.ncpus ?? 1;
    if (!Number.isInteger(ncpus) || ncpus < 1 || ncpus > 32)
      badArgument('uma_startup', 'ncpus', 'an integer 1..32', ncpus);
    this.pages = pages;
    this.mem = pages.memory;
    // The kernel core may install its printk and context on the page allocator later: read them live.
    this.printk = options.printk ?? ((m: string) => pages.printk(m));
    this.ncpus = ncpus;
    this.curcpu = options.curcpu ?? (() => 0);
    this.invariants = options.invariants ?? true;
    this.ctx = options.context ?? {
      in_atomic: () => (pages.context ?? processContext).in_atomic(),
      irqs_disabled: () => (pages.context ?? processContext).irqs_disabled(),
    };
    const npfn = pages.max_pfn;
    this.pfn_slab = new Uint32Array(npfn);
    this.pfn_zone = new Int32Array(npfn).fill(-1);
    this.pfn_flags = new Uint8Array(npfn);

    // uma_startup(): the zones UMA needs for itself, in FreeBSD's order.
    this.kegs_zone = this.zcreate_internal('UMA Kegs', 128);
    this.zones_zone = this.zcreate_internal('UMA Zones', 256);
    this.slabzone = this.zcreate_internal('UMA Slabs', SLABZONE_SIZE);
    for (const bz of bucket_zones) {
      this.bucket_zone_list.push(this.zcreate_internal(bz.name, 4 * (bz.entries + 3)));
    }
    for (const z of this.zones) this.zone_header(z);

    pages.register_shrinker({
      name: 'uma',
      count_objects: () => this.reclaimable(),
      scan_objects: (sc: ShrinkControl) => {
        const freed = this.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
        sc.nr_scanned = sc.nr_to_scan;
        return freed > 0 ? freed : SHRINK_STOP;
      },
    });
  }

  /** The running CPU (0 on a uniprocessor). */
  cpu(): number {
    return this.ncpus === 1 ? 0 : this.curcpu();
  }

  /* ---------------------------------------------------------------- zone creation */

  /**
   * uma_zcreate(name, size, ctor, dtor, init, fini, align, flags): a zone with its own keg.
   * `align` is a mask (UMA_ALIGN_PTR ...) or UMA_ALIGN_CACHE.
   */
  uma_zcreate(
    name: string,
    size: number,
    ctor: uma_ctor | null,
    dtor: uma_dtor | null,
    init: uma_init | null,
    fini: uma_fini | null,
    align: number,
    flags: number,
  ): uma_zone {
    if (typeof name !== 'string' || name.length === 0)
      badArgument('uma_zcreate', 'name', 'a non-empty string', name);
    if (!Number.isInteger(size) || size < 1 || size > UMA_MAX_ITEM) {
      badArgument('uma_zcreate', 'size', `an integer 1..${UMA_MAX_ITEM}`, size);
    }
    if (
      !Number.isInteger(align) ||
      (align !== UMA_ALIGN_CACHE && (align < 0 || align >= PAGE_SIZE || (align & (align + 1)) !== 0))
    ) {
      badArgument('uma_zcreate', 'align', 'a mask 2^n-1 below PAGE_SIZE or UMA_ALIGN_CACHE', align);
    }
    if (!Number.isInteger(flags) || flags < 0)
      badArgument('uma_zcreate', 'flags', 'a non-negative integer', flags);
    if (flags & (UMA_ZONE_PCPU | UMA_ZONE_SECONDARY)) {
      badArgument(
        'uma_zcreate',
        'flags',
        'without UMA_ZONE_PCPU/UMA_ZONE_SECONDARY (not supported)',
        `0x${flags.toString(16)}`,
      );
    }
    for (const [cb, field] of [
      [ctor, 'ctor'],
      [dtor, 'dtor'],
      [init, 'init'],
      [fini, 'fini'],
    ] as const) {
      if (cb !== null && typeof cb !== 'function')
        badArgument('uma_zcreate', field, 'a function or null', cb);
    }
    const zone = this.zone_ctor(name, size, ctor, dtor, init, fini, align, flags);
    this.zone_header(zone);
    return zone;
  }

  private zcreate_internal(name: string, size: number): uma_zone {
    const z = this.zone_ctor(name, size, null, null, null, null, 3, UMA_ZONE_NOBUCKET);
    z.internal = true;
    return z;
  }

  /** keg_ctor() + zone_ctor(): item layout and bucket sizing. */
  private zone_ctor(
    name: string,
    size: number,
    ctor: uma_ctor | null,
    dtor: uma_dtor | null,
    init: uma_init | null,
    fini: uma_fini | null,
    align: number,
    flags: number,
  ): uma_zone {
    const mask = align === UMA_ALIGN_CACHE ? uma_align_cache : align;
    let rsize = Math.max(size, UMA_SMALLEST_UNIT);
    if (rsize & mask) rsize = (rsize & ~mask) + mask + 1;
    let order = 0;
    let ipers: number;
    let offpage: boolean;
    let pgoff = 0;
    if (rsize > PAGE_SIZE - slab_sizeof(1)) {
      // keg_large_init(): whole pages per item, header off-page.
      order = order_for_pages(Math.ceil(rsize / PAGE_SIZE));
      ipers = Math.min(SLAB_SETSIZE, Math.floor((PAGE_SIZE << order) / rsize));
      offpage = true;
    } else {
      // keg_small_init(): as many items as fit with the header on the page; go off-page when
      // that wastes more than UMA_MAX_WASTE and an off-page header would fit more items.
      let on = Math.min(SLAB_SETSIZE, Math.floor(PAGE_SIZE / rsize));
      while (on > 0 && on * rsize + slab_sizeof(on) > PAGE_SIZE) on--;
      const off = Math.min(SLAB_SETSIZE, Math.floor(PAGE_SIZE / rsize));
      const waste = PAGE_SIZE - on * rsize - slab_sizeof(on);
      offpage = (flags & UMA_ZONE_OFFPAGE) !== 0 || (waste >= UMA_MAX_WASTE && off > on);
      ipers = offpage ? off : on;
      if (!offpage) pgoff = PAGE_SIZE - slab_sizeof(on);
    }
    const keg = new uma_keg(name, size, rsize, mask, flags, order, ipers, offpage, pgoff, init, fini);
    let bucket_size = 0;
    if ((flags & UMA_ZONE_NOBUCKET) === 0) {
      bucket_size =
        flags & UMA_ZONE_MAXBUCKET ? bucket_zones[bucket_zones.length - 1].entries : bucket_select(rsize);
    }
    const bz = bucket_zone_lookup(Math.max(bucket_size, 1));
    const zone = new uma_zone(
      this.zones.length,
      name,
      size,
      ctor,
      dtor,
      keg,
      flags,
      bucket_size,
      bz,
      bucket_zones[bz].entries,
      this.ncpus,
    );
    this.zones.push(zone);
    return zone;
  }

  /** Gives a zone and its keg their "UMA Zones"/"UMA Kegs" items (the uma_zone_t address). */
  private zone_header(zone: uma_zone): void {
    zone.address = this.internal_alloc(this.zones_zone, M_WAITOK);
    zone.keg.address = this.internal_alloc(this.kegs_zone, M_WAITOK);
  }

  /**
   * uma_zdestroy(zone): drains the caches and frees the keg's slabs. A keg that still has items
   * allocated loses its pages, with FreeBSD's message.
   */
  uma_zdestroy(zone: uma_zone): void {
    this.check_zone('uma_zdestroy', zone);
    this.zone_drain(zone, true);
    const keg = zone.keg;
    if (keg.pages !== 0) {
      const items = (keg.pages / keg.ppera) * keg.ipers - keg.free;
      this.printk(
        `Freed UMA keg (${keg.name}) was not empty (${items} items).  Lost ${keg.pages} pages of memory.\n`,
      );
    }
    zone.dead = true;
    this.internal_free(this.zones_zone, zone.address);
    this.internal_free(this.kegs_zone, keg.address);
  }

  /* ---------------------------------------------------------------- allocation */

  /** uma_zalloc(zone, flags) */
  uma_zalloc(zone: uma_zone, flags: number): number {
    return this.uma_zalloc_arg(zone, 0, flags);
  }

  /** uma_zalloc_arg(zone, udata, flags): an item, or 0 (NULL) for M_NOWAIT failures. */
  uma_zalloc_arg(zone: uma_zone, udata: number, flags: number): number {
    if (this.invariants !== false && (flags & (M_EXEC | M_WAITOK)) !== 0) this.zalloc_checks(zone, flags);
    const cpu = this.ncpus === 1 ? 0 : this.curcpu();
    const mem = this.mem;
    let item = 0;
    const cnt = zone.alloccnt[cpu];
    if (cnt > 0) {
      zone.alloccnt[cpu] = cnt - 1;
      item = mem.read32(zone.allocbucket[cpu] - PAGE_OFFSET + UB_BUCKET + 4 * (cnt - 1));
    }
    if (item === 0) {
      item = this.zalloc_slow(zone, cpu, flags);
      if (item === 0) item = this.zalloc_wait(zone, flags);
      if (item === 0) return 0;
    }
    if (this.invariants !== false) this.dbg_alloc(zone, item);
    if (zone.ctor !== null && zone.ctor(item, zone.size, udata, flags) !== 0) {
      zone.fails++;
      if (this.invariants !== false) this.dbg_clear(zone, item);
      this.zone_free_item(zone, item);
      return 0;
    }
    zone.allocs[cpu]++;
    if (flags & M_ZERO) mem.fill(item - PAGE_OFFSET, zone.size, 0);
    return item;
  }

  private zalloc_checks(zone: uma_zone, flags: number): void {
    if (flags & M_EXEC && this.invariants !== false) panic(this.printk, 'uma_zalloc_arg: called with M_EXEC');
    if (flags & M_WAITOK && (this.ctx.in_atomic() || this.ctx.irqs_disabled())) {
      panic(this.printk, 'uma_zalloc_arg: called with spinlock or critical section held');
    }
    if (zone.dead) panic(this.printk, `uma_zalloc_arg: zone "${zone.name}" was destroyed`);
  }

  /** cache_alloc(): refill the CPU's alloc bucket, or fall back to a single item from the keg. */
  private zalloc_slow(zone: uma_zone, cpu: number, flags: number): number {
    if (zone.bucket_size === 0) return this.zone_alloc_item(zone, flags);
    // Swap in the free bucket if it has items.
    if (zone.freecnt[cpu] > 0) {
      this.cache_bucket_swap(zone, cpu);
      return this.cache_bucket_pop(zone, cpu);
    }
    // Discard the empty alloc bucket.
    const ab = this.cache_bucket_unload(zone, cpu, false);
    if (ab !== 0) this.bucket_free(zone, ab);
    // A full bucket from the zone's bucket cache...
    let b = this.zone_fetch_bucket(zone);
    // ...or a new one filled from the keg.
    if (b === 0) b = this.zone_alloc_bucket(zone, flags);
    if (b === 0) return this.zone_alloc_item(zone, flags);
    if (zone.allocbucket[cpu] === 0) this.cache_bucket_load(zone, cpu, false, b);
    else this.zone_put_bucket(zone, b);
    return this.cache_bucket_pop(zone, cpu);
  }

  /** cache_bucket_load(): attach bucket `b` to a CPU cache; its ub_cnt becomes ucb_cnt. */
  private cache_bucket_load(zone: uma_zone, cpu: number, free: boolean, b: number): void {
    const cnt = this.mem.read16(b - PAGE_OFFSET + UB_CNT);
    if (free) {
      zone.freebucket[cpu] = b;
      zone.freecnt[cpu] = cnt;
    } else {
      zone.allocbucket[cpu] = b;
      zone.alloccnt[cpu] = cnt;
    }
  }

  /** cache_bucket_unload(): detach a CPU cache bucket, writing ucb_cnt back to ub_cnt. */
  private cache_bucket_unload(zone: uma_zone, cpu: number, free: boolean): number {
    const b = free ? zone.freebucket[cpu] : zone.allocbucket[cpu];
    if (b === 0) return 0;
    this.mem.write16(b - PAGE_OFFSET + UB_CNT, free ? zone.freecnt[cpu] : zone.alloccnt[cpu]);
    if (free) {
      zone.freebucket[cpu] = 0;
      zone.freecnt[cpu] = 0;
    } else {
      zone.allocbucket[cpu] = 0;
      zone.alloccnt[cpu] = 0;
    }
    return b;
  }

  /** cache_bucket_swap(): exchange the CPU's alloc and free buckets. */
  private cache_bucket_swap(zone: uma_zone, cpu: number): void {
    const b = zone.allocbucket[cpu];
    const cnt = zone.alloccnt[cpu];
    zone.allocbucket[cpu] = zone.freebucket[cpu];
    zone.alloccnt[cpu] = zone.freecnt[cpu];
    zone.freebucket[cpu] = b;
    zone.freecnt[cpu] = cnt;
  }

  private cache_bucket_pop(zone: uma_zone, cpu: number): number {
    const cnt = --zone.alloccnt[cpu];
    return this.mem.read32(zone.allocbucket[cpu] - PAGE_OFFSET + UB_BUCKET + 4 * cnt);
  }

  private cache_bucket_push(zone: uma_zone, cpu: number, item: number): void {
    const cnt = zone.freecnt[cpu]++;
    this.mem.write32(zone.freebucket[cpu] - PAGE_OFFSET + UB_BUCKET + 4 * cnt, item);
  }

  /**
   * The allocation failed. At the zone limit: M_NOWAIT fails (counted in FAIL, uz_warning printed);
   * M_WAITOK would sleep on "zonelimit" (counted in SLEEP) — the caches are drained first, and if
   * the zone is still full nothing else could ever free an item, so it panics. Out of pages:
   * M_NOWAIT fails; M_WAITOK sleeps in vm_wait (SLEEP), UMA reclaims its caches and retries, and
   * if memory is still exhausted the kernel panics as FreeBSD's OOM path does ("out of swap space").
   */
  private zalloc_wait(zone: uma_zone, flags: number): number {
    const atLimit = zone.max_items > 0 && zone.items >= zone.max_items;
    if (atLimit && zone.warning !== null && !zone.warned) {
      zone.warned = true;
      this.printk(`[zone: ${zone.name}] ${zone.warning}\n`);
    }
    if ((flags & M_WAITOK) === 0 || (flags & M_NOWAIT) !== 0) {
      zone.fails++;
      return 0;
    }
    zone.sleeps++;
    if (atLimit) this.zone_drain(zone, true);
    else this.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
    const cpu = this.ncpus === 1 ? 0 : this.curcpu();
    const item = this.zalloc_slow(zone, cpu, flags);
    if (item !== 0) return item;
    zone.fails++;
    if (zone.max_items > 0 && zone.items >= zone.max_items) {
      panic(
        this.printk,
        `uma_zalloc_arg: zone "${zone.name}" at limit ${zone.max_items}: M_WAITOK sleep on "zonelimit" would never end`,
      );
    }
    panic(this.printk, 'out of swap space');
  }

  /** zone_alloc_bucket(): a new bucket filled with up to uz_count items from the keg. */
  private zone_alloc_bucket(zone: uma_zone, flags: number): number {
    let max = zone.bucket_size;
    if (zone.max_items > 0) max = Math.min(max, zone.max_items - zone.items);
    if (max <= 0) return 0;
    const b = this.bucket_alloc(zone, flags);
    if (b === 0) return 0;
    const n = this.zone_import(zone, b, max, flags);
    if (n === 0) {
      this.bucket_free(zone, b);
      return 0;
    }
    this.mem.write16(b - PAGE_OFFSET + UB_CNT, n);
    zone.items += n;
    return b;
  }

  /** zone_import(): up to `max` items from the keg's slabs into bucket `b`; only the first slab may sleep. */
  private zone_import(zone: uma_zone, b: number, max: number, flags: number): number {
    const keg = zone.keg;
    let i = 0;
    while (i < max) {
      const slab = this.keg_fetch_slab(keg, zone, flags);
      if (slab === 0) break;
      i = this.slab_alloc_items(keg, slab, b, i, max);
      flags = (flags & ~M_WAITOK) | M_NOWAIT;
    }
    return i;
  }

  /** zone_alloc_item(): one item straight from the keg, bypassing the buckets. */
  private zone_alloc_item(zone: uma_zone, flags: number): number {
    if (zone.max_items > 0 && zone.items >= zone.max_items) return 0;
    const slab = this.keg_fetch_slab(zone.keg, zone, flags);
    if (slab === 0) return 0;
    zone.items++;
    return this.slab_alloc_item(zone.keg, slab);
  }

  /** An item of one of UMA's own zones, counted in its statistics. */
  private internal_alloc(zone: uma_zone, flags: number): number {
    const item = this.zone_alloc_item(zone, flags);
    if (item !== 0) zone.allocs[0]++;
    else zone.fails++;
    return item;
  }

  private internal_free(zone: uma_zone, item: number): void {
    zone.frees[0]++;
    this.zone_free_item(zone, item);
  }

  /* ---------------------------------------------------------------- free */

  /** uma_zfree(zone, item) */
  uma_zfree(zone: uma_zone, item: number): void {
    this.uma_zfree_arg(zone, item, 0);
  }

  /**
   * uma_zfree_arg(zone, item, udata). uma_zfree(zone, NULL) does nothing. Returns false when an
   * INVARIANTS check refused the free (duplicate free, item of another zone).
   */
  uma_zfree_arg(zone: uma_zone, item: number, udata: number): boolean {
    if (item === 0) return true;
    if (this.invariants !== false && !this.dbg_free(zone, item)) return false;
    if (zone.dtor !== null) zone.dtor(item, zone.size, udata);
    const cpu = this.ncpus === 1 ? 0 : this.curcpu();
    zone.frees[cpu]++;
    const cnt = zone.freecnt[cpu];
    if (cnt < zone.bucket_entries && zone.freebucket[cpu] !== 0) {
      zone.freecnt[cpu] = cnt + 1;
      this.mem.write32(zone.freebucket[cpu] - PAGE_OFFSET + UB_BUCKET + 4 * cnt, item);
      return true;
    }
    this.zfree_slow(zone, cpu, item);
    return true;
  }

  /** cache_free(): the CPU's free bucket is full or missing. */
  private zfree_slow(zone: uma_zone, cpu: number, item: number): void {
    if (zone.bucket_size === 0) {
      this.zone_free_item(zone, item);
      return;
    }
    // Swap with the alloc bucket if that one has more room.
    if (zone.freebucket[cpu] !== 0 && zone.allocbucket[cpu] !== 0 && zone.alloccnt[cpu] < zone.freecnt[cpu]) {
      this.cache_bucket_swap(zone, cpu);
      this.cache_bucket_push(zone, cpu, item);
      return;
    }
    // Hand the full bucket to the zone's bucket cache and start an empty one.
    const fb = this.cache_bucket_unload(zone, cpu, true);
    if (fb !== 0) this.zone_put_bucket(zone, fb);
    const nb = this.bucket_alloc(zone, M_NOWAIT);
    if (nb !== 0) {
      if (zone.freebucket[cpu] === 0) {
        this.cache_bucket_load(zone, cpu, true, nb);
        this.cache_bucket_push(zone, cpu, item);
        return;
      }
      this.bucket_free(zone, nb);
    }
    this.zone_free_item(zone, item);
  }

  /** zone_free_item(): one item straight back to its slab. */
  private zone_free_item(zone: uma_zone, item: number): void {
    const slab = this.pfn_slab[(item - PAGE_OFFSET) >>> PAGE_SHIFT];
    zone.items--;
    if (zone.max_items > 0 && zone.items < zone.max_items) zone.warned = false;
    this.slab_free_item(zone.keg, slab, item);
  }

  /* ---------------------------------------------------------------- buckets */

  private bucket_alloc(zone: uma_zone, flags: number): number {
    const bz = this.bucket_zone_list[zone.bucket_zone];
    const b = this.internal_alloc(bz, M_NOWAIT | (flags & M_USE_RESERVE));
    if (b === 0) return 0;
    const pb = b - PAGE_OFFSET;
    this.mem.write32(pb + UB_NEXT, 0);
    this.mem.write32(pb + UB_PREV, 0);
    this.mem.write16(pb + UB_CNT, 0);
    this.mem.write16(pb + UB_ENTRIES, zone.bucket_entries);
    return b;
  }

  private bucket_free(zone: uma_zone, b: number): void {
    this.internal_free(this.bucket_zone_list[zone.bucket_zone], b);
  }

  /** bucket_drain(): every item of the bucket back to the keg. */
  private bucket_drain(zone: uma_zone, b: number): void {
    const pb = b - PAGE_OFFSET;
    const cnt = this.mem.read16(pb + UB_CNT);
    for (let i = 0; i < cnt; i++) this.zone_free_item(zone, this.mem.read32(pb + UB_BUCKET + 4 * i));
    this.mem.write16(pb + UB_CNT, 0);
  }

  private zone_put_bucket(zone: uma_zone, b: number): void {
    this.mem.write32(b - PAGE_OFFSET + UB_NEXT, zone.bucketcache);
    zone.bucketcache = b;
    zone.bkt_count++;
    zone.bkt_items += this.mem.read16(b - PAGE_OFFSET + UB_CNT);
  }

  private zone_fetch_bucket(zone: uma_zone): number {
    const b = zone.bucketcache;
    if (b === 0) return 0;
    zone.bucketcache = this.mem.read32(b - PAGE_OFFSET + UB_NEXT);
    zone.bkt_count--;
    zone.bkt_items -= this.mem.read16(b - PAGE_OFFSET + UB_CNT);
    return b;
  }

  /* ---------------------------------------------------------------- kegs and slabs */

  /** keg_fetch_slab(): a slab with a free item: partial first, then free, then a new one. */
  private keg_fetch_slab(keg: uma_keg, zone: uma_zone, flags: number): number {
    if (keg.lists[PARTIAL] !== 0) return keg.lists[PARTIAL];
    if (keg.lists[FREE] !== 0) return keg.lists[FREE];
    return this.keg_alloc_slab(keg, zone, flags);
  }

  /** keg_alloc_slab(): pages from the page allocator, a header, init() on every item. */
  private keg_alloc_slab(keg: uma_keg, zone: uma_zone, flags: number): number {
    let gfp = malloc2gfp(flags & ~M_ZERO);
    if (keg.order > 0) gfp |= __GFP_COMP;
    if (keg.flags & UMA_ZONE_ZINIT) gfp |= __GFP_ZERO;
    const page = this.pages.alloc_pages(gfp, keg.order);
    if (page === null) return 0;
    const va = this.pages.page_address(page);
    let slab: number;
    if (keg.offpage) {
      slab = this.internal_alloc(this.slabzone, M_NOWAIT | (flags & M_USE_RESERVE));
      if (slab === 0) {
        this.pages.__free_pages(page, keg.order);
        return 0;
      }
    } else {
      slab = va + keg.pgoff;
    }
    const mem = this.mem;
    const ps = slab - PAGE_OFFSET;
    mem.write32(ps + US_NEXT, 0);
    mem.write32(ps + US_PREV, 0);
    mem.write16(ps + US_FREECOUNT, keg.ipers);
    mem.write8(ps + US_FLAGS, keg.offpage ? UMA_SLAB_OFFP : 0);
    mem.write8(ps + US_DOMAIN, 0);
    mem.write32(ps + US_DATA, va);
    const words = keg.words;
    for (let w = 0; w < words; w++) {
      const bits = Math.min(32, keg.ipers - 32 * w);
      mem.write32(ps + US_FREE + 4 * w, bits === 32 ? 0xffffffff : ((1 << bits) - 1) >>> 0);
      mem.write32(ps + US_FREE + 4 * (words + w), 0);
    }
    const npages = keg.ppera;
    const nodump = keg.flags & UMA_ZONE_NODUMP ? PG_NODUMP : 0;
    for (let i = 0; i < npages; i++) {
      this.pfn_slab[page + i] = slab;
      this.pfn_zone[page + i] = zone.id;
      this.pfn_flags[page + i] = nodump;
    }
    keg.pages += npages;
    if (keg.init !== null) {
      for (let i = 0; i < keg.ipers; i++) {
        if (keg.init(va + i * keg.rsize, keg.size, flags) !== 0) {
          this.keg_free_slab(keg, slab, i);
          return 0;
        }
      }
    }
    keg.free += keg.ipers;
    this.list_insert_head(keg, FREE, slab);
    return slab;
  }

  /** keg_free_slab(): fini() on the first `nfini` items, then the pages go back to the VM. */
  private keg_free_slab(keg: uma_keg, slab: number, nfini: number): void {
    const va = this.mem.read32(slab - PAGE_OFFSET + US_DATA);
    if (keg.fini !== null) for (let i = 0; i < nfini; i++) keg.fini(va + i * keg.rsize, keg.size);
    const page = this.pages.virt_to_page(va);
    const npages = keg.ppera;
    for (let i = 0; i < npages; i++) {
      this.pfn_slab[page + i] = 0;
      this.pfn_zone[page + i] = -1;
      this.pfn_flags[page + i] = 0;
    }
    keg.pages -= npages;
    if (keg.offpage) this.internal_free(this.slabzone, slab);
    this.pages.__free_pages(page, keg.order);
    this.pages_freed += npages;
  }

  /**
   * slab_alloc_item() in a loop, as zone_import() does it: up to `max - i` free items of the slab
   * into bucket `b` from slot `i`, scanning us_free once; returns the new fill level.
   */
  private slab_alloc_items(keg: uma_keg, slab: number, b: number, i: number, max: number): number {
    const mem = this.mem;
    const ps = slab - PAGE_OFFSET;
    const fc = mem.read16(ps + US_FREECOUNT);
    const data = mem.read32(ps + US_DATA);
    const want = Math.min(fc, max - i);
    const bp = b - PAGE_OFFSET + UB_BUCKET;
    let n = 0;
    for (let w = 0; n < want; w++) {
      let word = mem.read32(ps + US_FREE + 4 * w);
      if (word === 0) continue;
      while (word !== 0 && n < want) {
        const bit = 31 - Math.clz32(word & -word);
        word = (word & ~(1 << bit)) >>> 0;
        mem.write32(bp + 4 * (i + n), data + (32 * w + bit) * keg.rsize);
        n++;
      }
      mem.write32(ps + US_FREE + 4 * w, word);
    }
    const left = fc - n;
    mem.write16(ps + US_FREECOUNT, left);
    keg.free -= n;
    const from = fc === keg.ipers ? FREE : PARTIAL;
    const to = left === 0 ? FULL : PARTIAL;
    if (from !== to) {
      this.list_remove(keg, from, slab);
      this.list_insert_head(keg, to, slab);
    }
    return i + n;
  }

  /** slab_alloc_item(): the first free item of the slab (lowest set bit of us_free). */
  private slab_alloc_item(keg: uma_keg, slab: number): number {
    const mem = this.mem;
    const ps = slab - PAGE_OFFSET;
    const fc = mem.read16(ps + US_FREECOUNT);
    let w = 0;
    let word = mem.read32(ps + US_FREE);
    while (word === 0) word = mem.read32(ps + US_FREE + 4 * ++w);
    const bit = 31 - Math.clz32(word & -word);
    mem.write32(ps + US_FREE + 4 * w, (word & ~(1 << bit)) >>> 0);
    mem.write16(ps + US_FREECOUNT, fc - 1);
    keg.free--;
    if (fc === keg.ipers) {
      this.list_remove(keg, FREE, slab);
      this.list_insert_head(keg, fc === 1 ? FULL : PARTIAL, slab);
    } else if (fc === 1) {
      this.list_remove(keg, PARTIAL, slab);
      this.list_insert_head(keg, FULL, slab);
    }
    return mem.read32(ps + US_DATA) + (32 * w + bit) * keg.rsize;
  }

  /** slab_free_item(): set the item's us_free bit; move the slab between lists. */
  private slab_free_item(keg: uma_keg, slab: number, item: number): void {
    const mem = this.mem;
    const ps = slab - PAGE_OFFSET;
    const idx = ((item - mem.read32(ps + US_DATA)) / keg.rsize) | 0;
    const wa = ps + US_FREE + 4 * (idx >>> 5);
    mem.write32(wa, (mem.read32(wa) | (1 << (idx & 31))) >>> 0);
    const fc = mem.read16(ps + US_FREECOUNT) + 1;
    mem.write16(ps + US_FREECOUNT, fc);
    keg.free++;
    if (fc === 1) {
      this.list_remove(keg, FULL, slab);
      this.list_insert_head(keg, fc === keg.ipers ? FREE : PARTIAL, slab);
    } else if (fc === keg.ipers) {
      this.list_remove(keg, PARTIAL, slab);
      this.list_insert_head(keg, FREE, slab);
    }
  }

  private list_insert_head(keg: uma_keg, which: number, slab: number): void {
    const head = keg.lists[which];
    this.mem.write32(slab - PAGE_OFFSET + US_NEXT, head);
    this.mem.write32(slab - PAGE_OFFSET + US_PREV, 0);
    if (head !== 0) this.mem.write32(head - PAGE_OFFSET + US_PREV, slab);
    keg.lists[which] = slab;
  }

  private list_remove(keg: uma_keg, which: number, slab: number): void {
    const next = this.mem.read32(slab - PAGE_OFFSET + US_NEXT);
    const prev = this.mem.read32(slab - PAGE_OFFSET + US_PREV);
    if (prev !== 0) this.mem.write32(prev - PAGE_OFFSET + US_NEXT, next);
    else keg.lists[which] = next;
    if (next !== 0) this.mem.write32(next - PAGE_OFFSET + US_PREV, prev);
  }

  /* ---------------------------------------------------------------- large allocations */

  /**
   * uma_large_malloc(size, flags): whole pages for malloc(9) requests above kmem_zmax (and for
   * M_EXEC). The buddy allocator hands out a power-of-two block; like FreeBSD, the first page's
   * vtoslab entry records (round_page(size) << 1) | 1, the size malloc_usable_size() reports.
   * Returns the address and the rounded size, or 0.
   */
  uma_large_malloc(size: number, flags: number): number {
    const sz = Math.max(PAGE_SIZE, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
    const npages = sz / PAGE_SIZE;
    const order = order_for_pages(npages);
    if (order > 10) return 0;
    const gfp = malloc2gfp(flags) | (order > 0 ? __GFP_COMP : 0);
    let page = this.pages.alloc_pages(gfp, order);
    if (page === null && (flags & M_WAITOK) !== 0 && (flags & M_NOWAIT) === 0) {
      this.uma_reclaim(UMA_RECLAIM_DRAIN_CPU);
      page = this.pages.alloc_pages(gfp, order);
      if (page === null) panic(this.printk, 'out of swap space');
    }
    if (page === null) return 0;
    const va = this.pages.page_address(page);
    const pgflags = malloc2pgflags(flags);
    this.pfn_slab[page] = (sz * 2 + 1) >>> 0;
    for (let i = 0; i < 1 << order; i++) {
      this.pfn_zone[page + i] = -1;
      this.pfn_flags[page + i] = pgflags;
    }
    return va;
  }

  /** uma_large_free(): the pages of a uma_large_malloc() allocation of `size` bytes go back. */
  uma_large_free(va: number, size: number): void {
    const page = this.pages.virt_to_page(va);
    const order = order_for_pages(size / PAGE_SIZE);
    this.pfn_slab[page] = 0;
    for (let i = 0; i < 1 << order; i++) this.pfn_flags[page + i] = 0;
    this.pages.__free_pages(page, order);
  }

  /** The per-page flags (PG_NODUMP, PG_EXEC) of the page holding `va`. */
  page_flags(va: number): number {
    const pfn = (va - PAGE_OFFSET) >>> PAGE_SHIFT;
    return va < PAGE_OFFSET || pfn >= this.pfn_flags.length ? 0 : this.pfn_flags[pfn];
  }

  /* ---------------------------------------------------------------- limits */

  /** uma_zone_set_max(zone, nitems): at most nitems items out of the keg; returns the limit. */
  uma_zone_set_max(zone: uma_zone, nitems: number): number {
    this.check_zone('uma_zone_set_max', zone);
    if (!Number.isInteger(nitems) || nitems < 0)
      badArgument('uma_zone_set_max', 'nitems', 'a non-negative integer', nitems);
    zone.max_items = nitems;
    zone.warned = false;
    return nitems;
  }

  /** uma_zone_get_max(zone) */
  uma_zone_get_max(zone: uma_zone): number {
    return zone.max_items;
  }

  /** uma_zone_set_warning(zone, warning): printed as "[zone: name] warning" when the limit is hit. */
  uma_zone_set_warning(zone: uma_zone, warning: string): void {
    this.check_zone('uma_zone_set_warning', zone);
    zone.warning = warning;
  }

  /** uma_zone_get_cur(zone): items allocated and not yet freed. */
  uma_zone_get_cur(zone: uma_zone): number {
    let n = 0;
    for (let i = 0; i < this.ncpus; i++) n += zone.allocs[i] - zone.frees[i];
    return n;
  }

  /* ---------------------------------------------------------------- reclaim */

  /**
   * uma_reclaim(req): drain bucket caches (UMA_RECLAIM_DRAIN, UMA_RECLAIM_TRIM — there is no
   * working-set estimate here, so TRIM drains like DRAIN), also the per-CPU caches
   * (UMA_RECLAIM_DRAIN_CPU), then free every keg's free slabs. Returns the pages given back.
   */
  uma_reclaim(req: number): number {
    if (req !== UMA_RECLAIM_DRAIN && req !== UMA_RECLAIM_DRAIN_CPU && req !== UMA_RECLAIM_TRIM) {
      badArgument('uma_reclaim', 'req', 'UMA_RECLAIM_DRAIN, UMA_RECLAIM_DRAIN_CPU or UMA_RECLAIM_TRIM', req);
    }
    const before = this.pages_freed;
    const cpu = req === UMA_RECLAIM_DRAIN_CPU;
    for (const z of this.zones) if (!z.dead && !z.internal) this.zone_drain(z, cpu);
    // Buckets freed above go back to the bucket zones; their slabs, then the headers, go last.
    for (const z of this.bucket_zone_list) this.keg_drain(z.keg);
    this.keg_drain(this.zones_zone.keg);
    this.keg_drain(this.kegs_zone.keg);
    this.keg_drain(this.slabzone.keg);
    return this.pages_freed - before;
  }

  /** zone_drain(): the zone's cached items back to its keg, then the keg's free slabs to the VM. */
  private zone_drain(zone: uma_zone, cpus: boolean): void {
    if (cpus) {
      for (let cpu = 0; cpu < this.ncpus; cpu++) {
        for (const free of [false, true]) {
          const b = this.cache_bucket_unload(zone, cpu, free);
          if (b === 0) continue;
          this.bucket_drain(zone, b);
          this.bucket_free(zone, b);
        }
      }
    }
    for (let b = this.zone_fetch_bucket(zone); b !== 0; b = this.zone_fetch_bucket(zone)) {
      this.bucket_drain(zone, b);
      this.bucket_free(zone, b);
    }
    this.keg_drain(zone.keg);
  }

  private keg_drain(keg: uma_keg): void {
    if (keg.flags & UMA_ZONE_NOFREE) return;
    for (let slab = keg.lists[FREE]; slab !== 0; slab = keg.lists[FREE]) {
      this.list_remove(keg, FREE, slab);
      keg.free -= keg.ipers;
      this.keg_free_slab(keg, slab, keg.ipers);
    }
  }

  /** What the shrinker could free: cached items plus pages of free slabs. */
  reclaimable(): number {
    let n = 0;
    for (const z of this.zones) {
      if (z.dead) continue;
      const k = z.keg;
      n += z.bkt_items;
      for (let cpu = 0; cpu < this.ncpus; cpu++) n += z.alloccnt[cpu] + z.freecnt[cpu];
      for (let s = k.lists[FREE]; s !== 0; s = this.mem.read32(s - PAGE_OFFSET + US_NEXT)) n += k.ppera;
    }
    return n;
  }

  /* ---------------------------------------------------------------- lookups */

  /** vtozoneslab(): the zone and slab of the page holding `va`; slab 0 when UMA never allocated it. */
  vtoslab(va: number): number {
    const pfn = (va - PAGE_OFFSET) >>> PAGE_SHIFT;
    if (va < PAGE_OFFSET || pfn >= this.pfn_slab.length) return 0;
    return this.pfn_slab[pfn];
  }

  vtozone(va: number): uma_zone | null {
    const pfn = (va - PAGE_OFFSET) >>> PAGE_SHIFT;
    if (va < PAGE_OFFSET || pfn >= this.pfn_zone.length) return null;
    const id = this.pfn_zone[pfn];
    return id < 0 ? null : this.zones[id];
  }

  /** Free items the zone holds: per-CPU buckets, bucket cache, keg. */
  zone_free_count(zone: uma_zone): number {
    let n = zone.bkt_items + zone.keg.free;
    for (let cpu = 0; cpu < this.ncpus; cpu++) n += zone.alloccnt[cpu] + zone.freecnt[cpu];
    return n;
  }

  /** The statistics `vmstat -z` prints, for every live zone in creation order. */
  zone_stats(): uma_zone_stats[] {
    const out: uma_zone_stats[] = [];
    for (const z of this.zones) {
      if (z.dead) continue;
      let allocs = 0;
      let frees = 0;
      for (let i = 0; i < this.ncpus; i++) {
        allocs += z.allocs[i];
        frees += z.frees[i];
      }
      out.push({
        name: z.name,
        size: z.size,
        limit: z.max_items,
        used: allocs - frees,
        free: this.zone_free_count(z),
        requests: allocs,
        fail: z.fails,
        sleep: z.sleeps,
        xdomain: 0,
      });
    }
    return out;
  }

  /** Pages held by all kegs (what UMA has taken from the page allocator). */
  uma_pages(): number {
    let n = 0;
    for (const z of this.zones) n += z.keg.pages;
    return n;
  }

  /* ---------------------------------------------------------------- INVARIANTS */

  /** An INVARIANTS violation found outside UMA (malloc's trash checks): reported or panicked. */
  violation(message: string): void {
    this.report(message);
  }

  private report(message: string): false {
    this.violations++;
    if (this.invariants === 'panic') panic(this.printk, message);
    this.printk(`${KERN_ERR}${message}\n`);
    return false;
  }

  /** The debug bitset word address and bit for `item` in `slab`. */
  private dbg_word(keg: uma_keg, slab: number, idx: number): number {
    return slab - PAGE_OFFSET + US_FREE + 4 * (keg.words + (idx >>> 5));
  }

  /** uma_dbg_alloc(): mark the item handed out; an item already marked is a duplicate alloc. */
  private dbg_alloc(zone: uma_zone, item: number): void {
    const slab = this.pfn_slab[(item - PAGE_OFFSET) >>> PAGE_SHIFT];
    const keg = zone.keg;
    const idx = ((item - this.mem.read32(slab - PAGE_OFFSET + US_DATA)) / keg.rsize) | 0;
    const wa = this.dbg_word(keg, slab, idx);
    const word = this.mem.read32(wa);
    if (word & (1 << (idx & 31))) this.report(msg_duplicate_alloc(item, zone.address, zone.name, slab, idx));
    this.mem.write32(wa, (word | (1 << (idx & 31))) >>> 0);
  }

  private dbg_clear(zone: uma_zone, item: number): void {
    const slab = this.pfn_slab[(item - PAGE_OFFSET) >>> PAGE_SHIFT];
    const keg = zone.keg;
    const idx = ((item - this.mem.read32(slab - PAGE_OFFSET + US_DATA)) / keg.rsize) | 0;
    const wa = this.dbg_word(keg, slab, idx);
    this.mem.write32(wa, (this.mem.read32(wa) & ~(1 << (idx & 31))) >>> 0);
  }

  /** uma_dbg_free(): refuse frees of items that are not allocated items of this zone. */
  private dbg_free(zone: uma_zone, item: number): boolean {
    const pfn = (item - PAGE_OFFSET) >>> PAGE_SHIFT;
    if (zone.dead || item < PAGE_OFFSET || pfn >= this.pfn_zone.length || this.pfn_zone[pfn] !== zone.id) {
      return this.report(msg_not_in_zone(item, zone.name));
    }
    const slab = this.pfn_slab[pfn];
    const keg = zone.keg;
    const off = item - this.mem.read32(slab - PAGE_OFFSET + US_DATA);
    const idx = Math.floor(off / keg.rsize);
    if (idx >= keg.ipers) return this.report(msg_invalid_free(item, zone.address, zone.name, slab, idx));
    if (off % keg.rsize !== 0)
      return this.report(msg_unaligned_free(item, zone.address, zone.name, slab, idx));
    const wa = this.dbg_word(keg, slab, idx);
    const word = this.mem.read32(wa);
    if ((word & (1 << (idx & 31))) === 0)
      return this.report(msg_duplicate_free(item, zone.address, zone.name, slab, idx));
    this.mem.write32(wa, (word & ~(1 << (idx & 31))) >>> 0);
    return true;
  }

  private check_zone(fn: string, zone: uma_zone): void {
    if (!(zone instanceof uma_zone) || this.zones[zone.id] !== zone)
      badArgument(fn, 'zone', 'a zone of this allocator', zone);
    if (zone.dead) badArgument(fn, 'zone', 'a live zone', zone.name);
  }
}
