// SLUB (mm/slub.c): caches of equal-sized objects carved out of page-allocator slabs. A free
// object holds the free pointer to the next free object of its slab in simulated memory, at
// s.offset. The CPU (one here) allocates from its active slab's lockless freelist; slabs with
// free objects wait on the node's partial list; empty slabs above min_partial go back to the
// buddy allocator, and kmem_cache_shrink() or the shrinker returns the rest.
//
// Per-slab metadata (struct slab: slab_cache, freelist, inuse, objects, frozen, slab_list) lives in
// typed arrays indexed by the head page's pfn.

import {
  __GFP_COMP,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA32,
  __GFP_HIGHMEM,
  __GFP_NO_GROW,
  __GFP_NOFAIL,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_ZERO,
  type ExecutionContext,
  format_gfp,
  GFP_DMA,
  GFP_KERNEL,
  GFP_ZONEMASK,
  KERN_EMERG,
  KERN_ERR,
  KERN_WARNING,
  MAX_PAGE_ORDER,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
  type Printk,
  processContext,
} from '@k/page-alloc';
import type { ByteMemory } from './container_of.js';
import { badArgument, checkU32, KernelPanic, SlabError } from './errors.js';
import type { PageMemory, ShrinkControl, SlabPageAllocator } from './page.js';
import {
  CACHE_CREATE_MASK,
  KMALLOC_MAX_SIZE,
  L1_CACHE_BYTES,
  MAX_OBJS_PER_PAGE,
  PAGE_ALLOC_COSTLY_ORDER,
  POINTER_SIZE,
  SLAB_CACHE_DMA,
  SLAB_CONSISTENCY_CHECKS,
  SLAB_DEBUG_FLAGS,
  SLAB_HWCACHE_ALIGN,
  SLAB_PANIC,
  SLAB_POISON,
  SLAB_RECLAIM_ACCOUNT,
  SLAB_RED_ZONE,
  SLAB_STORE_USER,
} from './slab.js';
import {
  alloc_debug_processing,
  check_slab_on_discard,
  free_debug_processing,
  kmem_cache_flags,
  list_slab_objects,
  parse_slub_debug,
  type SlubDebugBlock,
  setup_object_debug,
  setup_slab_debug,
  slab_free_checks,
  slab_report_bad_free,
  TRACK_SIZE,
  validate_slab,
} from './slub_debug.js';
import { CallerTable } from './symbols.js';

/** A constructor run on every object when a slab is populated: `void ctor(void *objp)`. */
export type Ctor = (objp: number) => void;

const NONE = -1;
/** Which list a slab is on (slab_list in struct slab). */
export const LIST_NONE = 0;
export const LIST_PARTIAL = 1;
export const LIST_FULL = 2;
export const LIST_CPU = 3;

/** struct kmem_cache (with its kmem_cache_cpu and single kmem_cache_node folded in). */
export class KmemCache {
  /** The cache's number; slab_cache[] of its slabs holds id + 1. */
  readonly id: number;
  readonly name: string;
  /** The size the caller asked for. */
  readonly object_size: number;
  /** The size of an object slot including metadata and alignment (what /proc/slabinfo shows). */
  readonly size: number;
  readonly align: number;
  /** Offset of the free pointer from the object's start. */
  readonly offset: number;
  /** Offset to the end of the object and its right red zone (the start of metadata). */
  readonly inuse: number;
  /** Left red zone size (SLAB_RED_ZONE). */
  readonly red_left_pad: number;
  readonly flags: number;
  readonly ctor: Ctor | null;
  /** oo_order(s->oo), oo_objects(s->oo) */
  readonly order: number;
  readonly objects: number;
  /** oo_order(s->min): the fallback order when the preferred one cannot be had. */
  readonly min_order: number;
  readonly allocflags: number;
  readonly min_partial: number;
  /** Debug caches take the slow path for every allocation and free, with checks. */
  readonly debug: boolean;
  /** __OBJECT_POISON: poison the object itself (SLAB_POISON without a constructor). */
  readonly object_poison: boolean;
  /** Created by create_kmalloc_caches(). */
  kmalloc = false;
  refcount = 1;
  /** Addresses of this cache's struct kmem_cache and kmem_cache_node objects in simulated memory. */
  address = 0;
  node_address = 0;
  /** Destroyed: any further use is a caller bug. */
  dead = false;

  // struct kmem_cache_cpu: the active slab and its lockless freelist.
  cpu_freelist = 0;
  cpu_slab = NONE;

  // struct kmem_cache_node
  partial = NONE;
  nr_partial = 0;
  full = NONE;
  nr_slabs = 0;
  total_objects = 0;

  /** Objects handed out and not yet freed (an exact count; /proc/slabinfo counts like SLUB). */
  nr_allocated = 0;

  constructor(id: number, name: string, size: number, align: number, flags: number, ctor: Ctor | null) {
    this.id = id;
    this.name = name;
    this.object_size = size;
    this.align = align;
    this.flags = flags;
    this.ctor = ctor;
    const l = calculate_sizes(size, align, flags, ctor !== null);
    this.size = l.size;
    this.offset = l.offset;
    this.inuse = l.inuse;
    this.red_left_pad = l.red_left_pad;
    this.object_poison = l.object_poison;
    this.order = calculate_order(l.size);
    this.objects = order_objects(this.order, l.size);
    this.min_order = get_order(l.size);
    this.allocflags =
      __GFP_COMP |
      (flags & SLAB_CACHE_DMA ? GFP_DMA : 0) |
      (flags & SLAB_RECLAIM_ACCOUNT ? __GFP_RECLAIMABLE : 0);
    // set_min_partial(s, ilog2(s->size) / 2), clamped to MIN_PARTIAL..MAX_PARTIAL.
    this.min_partial = Math.min(10, Math.max(5, Math.floor(Math.log2(l.size) / 2)));
    this.debug = (flags & SLAB_DEBUG_FLAGS) !== 0;
  }
}

interface Layout {
  size: number;
  offset: number;
  inuse: number;
  red_left_pad: number;
  object_poison: boolean;
}

function ALIGN(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** calculate_sizes(): where the free pointer, red zones and tracking go, and the slot size. */
export function calculate_sizes(object_size: number, align: number, flags: number, hasCtor: boolean): Layout {
  let size = ALIGN(object_size, POINTER_SIZE);
  const object_poison = (flags & SLAB_POISON) !== 0 && !hasCtor;
  // Redzoning needs some space between the end of the object and the free pointer.
  if (flags & SLAB_RED_ZONE && size === object_size) size += POINTER_SIZE;
  const inuse = size;
  let offset: number;
  if (flags & SLAB_POISON || hasCtor || (flags & SLAB_RED_ZONE && object_size < POINTER_SIZE)) {
    // The object may not be overwritten on free: the free pointer goes after it.
    offset = size;
    size += POINTER_SIZE;
  } else {
    // Near the middle of the object, away from small over/underflows of neighbours.
    offset = Math.floor(object_size / 2 / POINTER_SIZE) * POINTER_SIZE;
  }
  if (flags & SLAB_STORE_USER) size += 2 * TRACK_SIZE;
  let red_left_pad = 0;
  if (flags & SLAB_RED_ZONE) {
    size += POINTER_SIZE;
    red_left_pad = ALIGN(POINTER_SIZE, align);
    size += red_left_pad;
  }
  size = ALIGN(size, align);
  return { size, offset, inuse, red_left_pad, object_poison };
}

/** get_order(): the smallest order whose block holds `size` bytes. */
export function get_order(size: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < size) order++;
  return order;
}

/** order_objects(): how many objects of `size` fit a slab of `order`. */
export function order_objects(order: number, size: number): number {
  return Math.floor((PAGE_SIZE * 2 ** order) / size);
}

/** The default minimum objects per slab: 4 * (fls(nr_cpus) + 1) with one CPU. */
export const SLUB_MIN_OBJECTS = 8;

function calc_slab_order(size: number, min_order: number, max_order: number, fract_leftover: number): number {
  let order = min_order;
  for (; order <= max_order; order++) {
    const slab_size = PAGE_SIZE * 2 ** order;
    if (slab_size % size <= slab_size / fract_leftover) break;
  }
  return order;
}

/** calculate_order(): SLUB's slab order for an object slot size (slub_max_order 3). */
export function calculate_order(size: number): number {
  const max_objects = Math.max(order_objects(PAGE_ALLOC_COSTLY_ORDER, size), 1);
  const min_objects = Math.min(SLUB_MIN_OBJECTS, max_objects);
  const min_order = get_order(min_objects * size);
  if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE) return get_order(size * MAX_OBJS_PER_PAGE) - 1;
  for (let fraction = 16; fraction > 1; fraction /= 2) {
    const order = calc_slab_order(size, min_order, PAGE_ALLOC_COSTLY_ORDER, fraction);
    if (order <= PAGE_ALLOC_COSTLY_ORDER) return order;
  }
  return get_order(size);
}

/** calculate_alignment(): SLAB_HWCACHE_ALIGN and the word minimum. */
export function calculate_alignment(flags: number, align: number, size: number): number {
  if (flags & SLAB_HWCACHE_ALIGN) {
    let ralign = L1_CACHE_BYTES;
    while (size <= ralign / 2) ralign /= 2;
    align = Math.max(align, ralign);
  }
  return ALIGN(Math.max(align, POINTER_SIZE), POINTER_SIZE);
}

/** The kmalloc / kmem_cache_alloc / kfree / kmem_cache_free tracepoints. */
export type SlabTraceEvent =
  | { event: 'kmalloc'; ptr: number; bytes_req: number; bytes_alloc: number; gfp_flags: number }
  | {
      event: 'kmem_cache_alloc';
      ptr: number;
      bytes_req: number;
      bytes_alloc: number;
      gfp_flags: number;
      name: string;
    }
  | { event: 'kfree'; ptr: number }
  | { event: 'kmem_cache_free'; ptr: number; name: string };

/** Options of a slab allocator instance. */
export interface SlubOptions {
  /** Where messages go; defaults to the page allocator's printk, else nowhere. */
  printk?: Printk;
  /** in_atomic() and friends; defaults to the page allocator's, else process context. */
  context?: ExecutionContext;
  /**
   * The `slub_debug` boot option: `true` (or "") for full debugging (F, Z, P, U), or its value,
   * such as "FZPU", "P,kmalloc-64" or "Z,scsi_*;U" (the text after `slub_debug=`).
   */
  slub_debug?: boolean | string;
  /** The clock for tracking ages (jiffies); defaults to 0. */
  jiffies?: () => number;
}

const noPrintk: Printk = () => {};

/** Lowmem through kernel virtual addresses (__pa() on every access), for slab objects. */
export class VirtualMemory implements ByteMemory {
  constructor(private readonly phys: PageMemory) {}
  read8(addr: number): number {
    return this.phys.read8(addr - PAGE_OFFSET);
  }
  read16(addr: number): number {
    return this.phys.read16(addr - PAGE_OFFSET);
  }
  read32(addr: number): number {
    return this.phys.read32(addr - PAGE_OFFSET);
  }
  write8(addr: number, value: number): void {
    this.phys.write8(addr - PAGE_OFFSET, value);
  }
  write16(addr: number, value: number): void {
    this.phys.write16(addr - PAGE_OFFSET, value);
  }
  write32(addr: number, value: number): void {
    this.phys.write32(addr - PAGE_OFFSET, value);
  }
  readBytes(addr: number, length: number): Uint8Array {
    return this.phys.readBytes(addr - PAGE_OFFSET, length);
  }
  writeBytes(addr: number, bytes: Uint8Array): void {
    this.phys.writeBytes(addr - PAGE_OFFSET, bytes);
  }
  fill(addr: number, length: number, value = 0): void {
    this.phys.fill(addr - PAGE_OFFSET, length, value);
  }
}

/** SHRINK_STOP: nothing could be freed. */
export const SHRINK_STOP = -1 >>> 0;

/** The SLUB allocator core: cache creation, kmem_cache_alloc/free, shrink, destroy. */
export class Slub {
  readonly pages: SlabPageAllocator;
  /** Physical memory; a kernel virtual address v is at v - PAGE_OFFSET. */
  readonly mem: PageMemory;
  private readonly ownPrintk: Printk | undefined;
  private readonly ownContext: ExecutionContext | undefined;
  readonly max_pfn: number;
  readonly jiffies: () => number;
  /** The same memory seen through kernel virtual (lowmem) addresses, as slab pointers are. */
  readonly vmem: VirtualMemory;
  /** Call sites for SLAB_STORE_USER tracking (their "addresses"). */
  readonly callers = new CallerTable();

  // struct slab, indexed by the head pfn (slab_head: by any pfn of the slab).
  readonly slab_head: Int32Array;
  readonly slab_cache: Uint16Array;
  readonly slab_freelist: Uint32Array;
  readonly slab_inuse: Uint16Array;
  readonly slab_objects: Uint16Array;
  readonly slab_order: Uint8Array;
  readonly slab_list: Uint8Array;
  readonly slab_next: Int32Array;
  readonly slab_prev: Int32Array;

  /** All caches by id; slab_caches in creation order. */
  readonly caches: (KmemCache | undefined)[] = [];
  readonly slab_caches: KmemCache[] = [];
  /** The parsed slub_debug option. */
  readonly slub_debug: { global: number; blocks: SlubDebugBlock[] };
  /** add_taint(TAINT_BAD_PAGE) happened: reports say "Tainted: G    B". */
  tainted = false;
  /** The kmem tracepoints (include/trace/events/kmem.h); null when nobody listens. */
  trace: ((event: SlabTraceEvent) => void) | null = null;
  /** The boot caches holding every struct kmem_cache and kmem_cache_node (null while bootstrapping). */
  kmem_cache: KmemCache | null = null;
  kmem_cache_node: KmemCache | null = null;

  private readonly might_alloc_fn: (gfp: number) => void;

  constructor(pages: SlabPageAllocator, options: SlubOptions = {}) {
    if (pages === null || typeof pages !== 'object' || typeof pages.alloc_pages !== 'function') {
      badArgument('Slub', 'pages', 'a page allocator', pages);
    }
    this.pages = pages;
    this.mem = pages.memory;
    this.vmem = new VirtualMemory(pages.memory);
    this.ownPrintk = options.printk;
    this.ownContext = options.context;
    this.jiffies = options.jiffies ?? (() => 0);
    const max_pfn = checkU32('Slub', 'pages.max_pfn', pages.max_pfn);
    this.max_pfn = max_pfn;
    this.slab_head = new Int32Array(max_pfn).fill(NONE);
    this.slab_cache = new Uint16Array(max_pfn);
    this.slab_freelist = new Uint32Array(max_pfn);
    this.slab_inuse = new Uint16Array(max_pfn);
    this.slab_objects = new Uint16Array(max_pfn);
    this.slab_order = new Uint8Array(max_pfn);
    this.slab_list = new Uint8Array(max_pfn);
    this.slab_next = new Int32Array(max_pfn).fill(NONE);
    this.slab_prev = new Int32Array(max_pfn).fill(NONE);
    this.slub_debug = parse_slub_debug(options.slub_debug ?? false, this.printk);
    this.might_alloc_fn =
      typeof pages.might_alloc === 'function'
        ? pages.might_alloc.bind(pages)
        : (gfp) => this.might_sleep(gfp);
    pages.register_shrinker?.({
      name: 'slab',
      count_objects: (sc) => this.count_reclaimable(sc),
      scan_objects: (sc) => this.scan_reclaimable(sc),
    });
  }

  /** Where messages go: the option, else the page allocator's printk (read at each use). */
  get printk(): Printk {
    return this.ownPrintk ?? this.pages.printk ?? noPrintk;
  }

  /** in_atomic() and friends: the option, else the page allocator's current context. */
  get context(): ExecutionContext {
    return this.ownContext ?? this.pages.context ?? processContext;
  }

  // ---- printing helpers -------------------------------------------------------------------

  pr_err(text: string): void {
    this.printk(`${KERN_ERR}${text}\n`);
  }

  pr_warn(text: string): void {
    this.printk(`${KERN_WARNING}${text}\n`);
  }

  /** WARN(): the cut-here banner, the message, and the WARNING line naming the function. */
  WARN(func: string, file: string, message: string): void {
    this.pr_warn('------------[ cut here ]------------');
    if (message !== '') this.pr_warn(message);
    this.pr_warn(`WARNING: CPU: 0 PID: ${this.context.current_pid()} at ${file} ${func}+0x0/0x0`);
    this.pr_warn('---[ end trace 0000000000000000 ]---');
  }

  /** add_taint(TAINT_BAD_PAGE, LOCKDEP_NOW_UNRELIABLE), shared with the page allocator's taint. */
  add_taint(): void {
    if (!this.tainted) this.printk(`${KERN_WARNING}Disabling lock debugging due to kernel taint\n`);
    this.tainted = true;
    const pages = this.pages;
    if (typeof pages.tainted === 'string' && !pages.tainted.includes('B')) pages.tainted += 'B';
  }

  /** print_tainted() */
  print_tainted(): string {
    return this.tainted || (this.pages.tainted ?? '').includes('B') ? 'Tainted: [B]=BAD_PAGE' : 'Not tainted';
  }

  /** dump_stack() with a symbolic trace. */
  dump_stack(trace: string[]): void {
    if (typeof this.pages.dump_stack === 'function') {
      this.pages.dump_stack(trace, KERN_ERR);
      return;
    }
    const c = this.context;
    this.pr_err(`CPU: 0 PID: ${c.current_pid()} Comm: ${c.current_comm()} ${this.print_tainted()}`);
    this.pr_err('Call Trace:');
    for (const fn of trace) this.pr_err(` ${fn}`);
  }

  /** __might_sleep() when no page allocator hook is there. */
  private might_sleep(gfp: number): void {
    if ((gfp & __GFP_DIRECT_RECLAIM) === 0) return;
    const c = this.context;
    const atomic = c.in_atomic();
    const irqs = c.irqs_disabled();
    if (!atomic && !irqs) return;
    this.pr_err('BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274');
    this.pr_err(
      `in_atomic(): ${atomic ? 1 : 0}, irqs_disabled(): ${irqs ? 1 : 0}, non_block: 0, pid: ${c.current_pid()}, name: ${c.current_comm()}`,
    );
  }

  // ---- cache creation ------------------------------------------------------------------------

  /**
   * create_cache(): the common part of kmem_cache_create() after the arguments are checked.
   * Returns null (after the kernel's messages) when the cache cannot be made.
   */
  protected create_cache(
    name: string,
    size: number,
    align: number,
    flags: number,
    ctor: Ctor | null,
  ): KmemCache | null {
    const fn = 'kmem_cache_create';
    let err = 0;
    if (this.context.in_atomic() || size < 1 || size > KMALLOC_MAX_SIZE) {
      this.pr_err(`kmem_cache_create(${name}) integrity check failed`);
      err = -22;
    } else if ((flags & ~CACHE_CREATE_MASK) !== 0) {
      err = -22;
    }
    let s: KmemCache | null = null;
    if (err === 0) {
      flags = kmem_cache_flags(this.slub_debug, flags, name);
      if (flags & SLAB_DEBUG_FLAGS) flags |= SLAB_CONSISTENCY_CHECKS;
      const id = this.caches.indexOf(undefined) >= 0 ? this.caches.indexOf(undefined) : this.caches.length;
      if (id >= 0xffff) {
        err = -12;
      } else {
        s = new KmemCache(id, name, size, calculate_alignment(flags, align, size), flags, ctor);
        if (s.order > MAX_PAGE_ORDER) {
          err = -22;
          s = null;
        }
      }
    }
    if (s !== null && this.kmem_cache !== null && this.kmem_cache_node !== null) {
      // The struct kmem_cache and its kmem_cache_node are objects of the boot caches.
      s.address = this.kmem_cache_zalloc(this.kmem_cache, GFP_KERNEL);
      s.node_address = s.address === 0 ? 0 : this.kmem_cache_zalloc(this.kmem_cache_node, GFP_KERNEL);
      if (s.node_address === 0) {
        if (s.address !== 0) this.kmem_cache_free(this.kmem_cache, s.address);
        err = -12;
        s = null;
      }
    }
    if (s === null) {
      if (flags & SLAB_PANIC) this.panic(`${fn}: Failed to create slab '${name}'. Error ${err}`);
      this.pr_warn(`${fn}(${name}) failed with error ${err}`);
      return null;
    }
    this.caches[s.id] = s;
    this.slab_caches.push(s);
    return s;
  }

  /** panic(): print the kernel's line and stop (as a KernelPanic exception). */
  panic(message: string): never {
    this.printk(`${KERN_EMERG}Kernel panic - not syncing: ${message}\n`);
    throw new KernelPanic(`Kernel panic - not syncing: ${message}`);
  }

  // ---- allocation --------------------------------------------------------------------------

  /** kmem_cache_alloc(cachep, flags): an object, or 0 (NULL) when no memory can be had. */
  kmem_cache_alloc(s: KmemCache, gfpflags: number): number {
    const object = s.cpu_freelist;
    if (object === 0 || (gfpflags & (__GFP_ZERO | __GFP_DIRECT_RECLAIM)) !== 0 || this.trace !== null) {
      const p = this.slab_alloc(s, gfpflags);
      if (this.trace !== null) {
        this.trace({
          event: 'kmem_cache_alloc',
          ptr: p,
          bytes_req: s.object_size,
          bytes_alloc: s.size,
          gfp_flags: gfpflags,
          name: s.name,
        });
      }
      return p;
    }
    // get_freepointer(): the next free object is stored inside this one.
    s.cpu_freelist = this.mem.read32(object - PAGE_OFFSET + s.offset);
    s.nr_allocated++;
    return object;
  }

  /** slab_alloc_node(): the allocation fast path without the tracepoint (kmalloc() traces its own). */
  protected slab_alloc_node(s: KmemCache, gfpflags: number): number {
    const object = s.cpu_freelist;
    if (object === 0 || (gfpflags & (__GFP_ZERO | __GFP_DIRECT_RECLAIM)) !== 0)
      return this.slab_alloc(s, gfpflags);
    s.cpu_freelist = this.mem.read32(object - PAGE_OFFSET + s.offset);
    s.nr_allocated++;
    return object;
  }

  /** slab_alloc(): the might_alloc() check, the fast or slow path, and __GFP_ZERO. */
  private slab_alloc(s: KmemCache, gfpflags: number): number {
    if ((gfpflags & __GFP_DIRECT_RECLAIM) !== 0) {
      const c = this.context;
      if (c.in_atomic() || c.irqs_disabled()) this.might_alloc_fn(gfpflags);
    }
    let object = s.cpu_freelist;
    if (object !== 0) {
      s.cpu_freelist = this.mem.read32(object - PAGE_OFFSET + s.offset);
    } else {
      object = this.___slab_alloc(s, gfpflags);
      if (object === 0) return 0;
    }
    s.nr_allocated++;
    if ((gfpflags & __GFP_ZERO) !== 0) this.mem.fill(object - PAGE_OFFSET, s.object_size, 0);
    return object;
  }

  /** kmem_cache_zalloc(cachep, flags): kmem_cache_alloc() with __GFP_ZERO. */
  kmem_cache_zalloc(s: KmemCache, flags: number): number {
    return this.kmem_cache_alloc(s, flags | __GFP_ZERO);
  }

  /** The slow path: the CPU freelist is empty (or the cache debugs). */
  private ___slab_alloc(s: KmemCache, gfpflags: number): number {
    if (s.dead || !(s instanceof KmemCache))
      badArgument('kmem_cache_alloc', 'cachep', 'a live kmem_cache', s?.name);
    checkU32('kmem_cache_alloc', 'flags', gfpflags);
    if (s.debug) return this.alloc_single_debug(s, gfpflags);
    if (s.cpu_slab !== NONE) this.deactivate_slab(s);
    let slab = this.get_partial(s);
    if (slab === NONE) {
      slab = this.new_slab(s, gfpflags);
      if (slab === NONE) return 0;
    }
    // Freeze it as the CPU slab: take its whole freelist.
    const object = this.slab_freelist[slab];
    this.slab_freelist[slab] = 0;
    this.slab_inuse[slab] = this.slab_objects[slab];
    this.slab_list[slab] = LIST_CPU;
    s.cpu_slab = slab;
    s.cpu_freelist = this.mem.read32(object - PAGE_OFFSET + s.offset);
    return object;
  }

  /** Debug caches allocate one object at a time straight from a slab, with checks. */
  private alloc_single_debug(s: KmemCache, gfpflags: number): number {
    const caller = this.callers.capture(s.flags & SLAB_STORE_USER);
    for (let tries = 0; tries < 64; tries++) {
      let slab = s.partial;
      if (slab === NONE) {
        slab = this.new_slab(s, gfpflags);
        if (slab === NONE) return 0;
        this.add_partial(s, slab);
      }
      const object = this.slab_freelist[slab];
      if (!alloc_debug_processing(this, s, slab, object, caller)) {
        // "Marking all objects used": the slab is taken out of service.
        this.remove_partial(s, slab);
        this.add_full(s, slab);
        continue;
      }
      this.slab_freelist[slab] = this.mem.read32(object - PAGE_OFFSET + s.offset);
      if (++this.slab_inuse[slab] === this.slab_objects[slab]) {
        this.remove_partial(s, slab);
        this.add_full(s, slab);
      }
      return object;
    }
    return 0;
  }

  /** get_partial(): pop a slab off the node's partial list. */
  private get_partial(s: KmemCache): number {
    const slab = s.partial;
    if (slab !== NONE) this.remove_partial(s, slab);
    return slab;
  }

  /** allocate_slab() + shuffle-less freelist setup: a new slab from the page allocator. */
  protected new_slab(s: KmemCache, flags: number): number {
    if (flags & __GFP_NO_GROW) return NONE;
    if (flags & (__GFP_DMA32 | __GFP_HIGHMEM)) flags = this.kmalloc_fix_flags(flags);
    let order = s.order;
    const base = (flags & ~(__GFP_ZERO | GFP_ZONEMASK)) | s.allocflags;
    let gfp = base;
    if (order > s.min_order) gfp = (gfp | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
    let page = this.pages.alloc_pages(gfp >>> 0, order);
    if (page === null && order > s.min_order) {
      order = s.min_order;
      page = this.pages.alloc_pages(base >>> 0, order);
    }
    if (page === null) {
      if ((flags & __GFP_NOWARN) === 0) this.slab_out_of_memory(s, flags);
      return NONE;
    }
    const objects = order_objects(order, s.size);
    const npages = 1 << order;
    for (let i = 0; i < npages; i++) this.slab_head[page + i] = page;
    this.slab_cache[page] = s.id + 1;
    this.slab_order[page] = order;
    this.slab_objects[page] = objects;
    this.slab_inuse[page] = 0;
    this.slab_list[page] = LIST_NONE;
    this.pages.__SetPageSlab?.(page);
    s.nr_slabs++;
    s.total_objects += objects;

    const start = PAGE_OFFSET + page * PAGE_SIZE;
    if (s.debug) setup_slab_debug(this, s, start, npages * PAGE_SIZE);
    const mem = this.mem;
    let prev = 0;
    for (let i = 0; i < objects; i++) {
      const p = start + i * s.size + s.red_left_pad;
      if (s.debug) setup_object_debug(this, s, p);
      if (s.ctor !== null) s.ctor(p);
      if (prev === 0) this.slab_freelist[page] = p;
      else mem.write32(prev - PAGE_OFFSET + s.offset, p);
      prev = p;
    }
    mem.write32(prev - PAGE_OFFSET + s.offset, 0);
    return page;
  }

  /** kmalloc_fix_flags(): slab pages must come from lowmem. */
  private kmalloc_fix_flags(flags: number): number {
    const invalid = flags & (__GFP_DMA32 | __GFP_HIGHMEM);
    const fixed = flags & ~invalid;
    const hex = (g: number) => `0x${(g >>> 0).toString(16)}`;
    this.pr_warn(
      `Unexpected gfp: ${hex(invalid)} (${format_gfp(invalid)}). Fixing up to gfp: ${hex(fixed)} (${format_gfp(fixed)}). Fix your code!`,
    );
    return fixed;
  }

  private slab_out_of_memory(s: KmemCache, gfp: number): void {
    this.pr_warn(
      `SLUB: Unable to allocate memory on node -1, gfp=0x${(gfp >>> 0).toString(16)}(${format_gfp(gfp)})`,
    );
    this.pr_warn(
      `  cache: ${s.name}, object size: ${s.object_size}, buffer size: ${s.size}, default order: ${s.order}, min order: ${s.min_order}`,
    );
    if (s.min_order > get_order(s.object_size)) {
      this.pr_warn(`  ${s.name} debugging increased min order, use slab_debug=O to disable.`);
    }
    this.pr_warn(
      `  node 0: slabs: ${s.nr_slabs}, objs: ${s.total_objects}, free: ${this.count_partial_free(s)}`,
    );
  }

  // ---- freeing -----------------------------------------------------------------------------

  /** kmem_cache_free(cachep, objp). A bad pointer is reported and the free refused. */
  kmem_cache_free(s: KmemCache, x: number): void {
    if (this.trace !== null) this.trace({ event: 'kmem_cache_free', ptr: x, name: s.name });
    this.slab_free(s, x);
  }

  /** The free fast path without the tracepoint (kfree() traces its own event). */
  protected slab_free(s: KmemCache, x: number): void {
    const pfn = (x - PAGE_OFFSET) >>> PAGE_SHIFT;
    const slab = pfn < this.max_pfn ? this.slab_head[pfn] : NONE;
    if (slab === NONE || this.slab_cache[slab] !== s.id + 1 || s.debug) {
      this.slab_free_slow(s, x, slab, 'kmem_cache_free');
      return;
    }
    if (slab === s.cpu_slab) {
      // A valid object start of this slab, and not the freelist head (naive double-free check).
      const rel = x - PAGE_OFFSET - slab * PAGE_SIZE;
      const head = s.cpu_freelist;
      if (rel % s.size === 0 && rel < this.slab_objects[slab] * s.size && x !== head) {
        this.mem.write32(x - PAGE_OFFSET + s.offset, head);
        s.cpu_freelist = x;
        s.nr_allocated--;
        return;
      }
    }
    this.__slab_free(s, slab, x);
  }

  /** Frees that need more than the fast path: debug caches, bad pointers, other caches. */
  protected slab_free_slow(s: KmemCache | null, x: number, slab: number, fn: string): void {
    if (s !== null && (s.dead || !(s instanceof KmemCache))) {
      badArgument(fn, 'cachep', 'a live kmem_cache', s?.name);
    }
    if (!Number.isInteger(x)) badArgument(fn, 'objp', 'a pointer (an integer)', x);
    if (slab === NONE || s === null || this.slab_cache[slab] !== s.id + 1) {
      slab_report_bad_free(this, s, x, slab, fn);
      return;
    }
    if (!s.debug) {
      this.__slab_free(s, slab, x);
      return;
    }
    const caller = this.callers.capture(s.flags & SLAB_STORE_USER);
    if (!free_debug_processing(this, s, slab, x, caller)) return;
    this.do_slab_free(s, slab, x);
  }

  /** __slab_free(): free to a slab that is not the CPU slab. */
  protected __slab_free(s: KmemCache, slab: number, x: number): void {
    const start = PAGE_OFFSET + slab * PAGE_SIZE;
    const rel = x - start - s.red_left_pad;
    if (
      rel < 0 ||
      rel % s.size !== 0 ||
      rel / s.size >= this.slab_objects[slab] ||
      x === this.slab_freelist[slab] ||
      (slab === s.cpu_slab ? x === s.cpu_freelist : this.slab_inuse[slab] === 0)
    ) {
      slab_free_checks(this, s, slab, x);
      return;
    }
    if (slab === s.cpu_slab) {
      this.mem.write32(x - PAGE_OFFSET + s.offset, s.cpu_freelist);
      s.cpu_freelist = x;
      s.nr_allocated--;
      return;
    }
    this.do_slab_free(s, slab, x);
  }

  /** Puts x on its slab's freelist and moves the slab between lists (or back to the buddy). */
  private do_slab_free(s: KmemCache, slab: number, x: number): void {
    this.mem.write32(x - PAGE_OFFSET + s.offset, this.slab_freelist[slab]);
    this.slab_freelist[slab] = x;
    s.nr_allocated--;
    const inuse = --this.slab_inuse[slab];
    const list = this.slab_list[slab];
    if (list === LIST_FULL) {
      this.remove_full(s, slab);
      if (inuse === 0 && s.nr_partial >= s.min_partial) {
        this.discard_slab(s, slab);
        return;
      }
      this.add_partial(s, slab);
      return;
    }
    if (inuse === 0 && list === LIST_PARTIAL && s.nr_partial >= s.min_partial) {
      this.remove_partial(s, slab);
      this.discard_slab(s, slab);
    }
  }

  /** discard_slab(): give a slab's pages back to the page allocator. */
  protected discard_slab(s: KmemCache, slab: number): void {
    if (s.debug) check_slab_on_discard(this, s, slab);
    const order = this.slab_order[slab];
    const npages = 1 << order;
    s.nr_slabs--;
    s.total_objects -= this.slab_objects[slab];
    for (let i = 0; i < npages; i++) this.slab_head[slab + i] = NONE;
    this.slab_cache[slab] = 0;
    this.slab_freelist[slab] = 0;
    this.slab_inuse[slab] = 0;
    this.slab_objects[slab] = 0;
    this.slab_list[slab] = LIST_NONE;
    this.pages.__ClearPageSlab?.(slab);
    this.pages.__free_pages(slab, order);
  }

  // ---- lists -------------------------------------------------------------------------------

  protected add_partial(s: KmemCache, slab: number): void {
    this.list_add_tail(slab, s.partial, (h) => {
      s.partial = h;
    });
    this.slab_list[slab] = LIST_PARTIAL;
    s.nr_partial++;
  }

  protected remove_partial(s: KmemCache, slab: number): void {
    s.partial = this.list_del(slab, s.partial);
    this.slab_list[slab] = LIST_NONE;
    s.nr_partial--;
  }

  protected add_full(s: KmemCache, slab: number): void {
    this.list_add_tail(slab, s.full, (h) => {
      s.full = h;
    });
    this.slab_list[slab] = LIST_FULL;
  }

  protected remove_full(s: KmemCache, slab: number): void {
    s.full = this.list_del(slab, s.full);
    this.slab_list[slab] = LIST_NONE;
  }

  // Circular doubly-linked lists through slab_next/slab_prev; a list is its head pfn or NONE.
  private list_add_tail(slab: number, head: number, setHead: (h: number) => void): void {
    if (head === NONE) {
      this.slab_next[slab] = slab;
      this.slab_prev[slab] = slab;
      setHead(slab);
      return;
    }
    const tail = this.slab_prev[head];
    this.slab_next[tail] = slab;
    this.slab_prev[slab] = tail;
    this.slab_next[slab] = head;
    this.slab_prev[head] = slab;
  }

  private list_del(slab: number, head: number): number {
    const next = this.slab_next[slab];
    const prev = this.slab_prev[slab];
    this.slab_next[slab] = NONE;
    this.slab_prev[slab] = NONE;
    if (next === slab) return NONE;
    this.slab_next[prev] = next;
    this.slab_prev[next] = prev;
    return head === slab ? next : head;
  }

  /** The slabs on a list, head first. */
  list_slabs(head: number): number[] {
    const out: number[] = [];
    if (head === NONE) return out;
    let p = head;
    do {
      out.push(p);
      p = this.slab_next[p];
    } while (p !== head);
    return out;
  }

  // ---- deactivation, shrinking, destruction -------------------------------------------------

  /** deactivate_slab(): give the CPU slab back to the node lists with its free objects. */
  protected deactivate_slab(s: KmemCache): void {
    const slab = s.cpu_slab;
    let freelist = s.cpu_freelist;
    s.cpu_slab = NONE;
    s.cpu_freelist = 0;
    let free = 0;
    // Splice the CPU freelist in front of the slab's own (empty while frozen) freelist.
    const mem = this.mem;
    while (freelist !== 0) {
      const next = mem.read32(freelist - PAGE_OFFSET + s.offset);
      mem.write32(freelist - PAGE_OFFSET + s.offset, this.slab_freelist[slab]);
      this.slab_freelist[slab] = freelist;
      freelist = next;
      free++;
    }
    this.slab_inuse[slab] -= free;
    const inuse = this.slab_inuse[slab];
    this.slab_list[slab] = LIST_NONE;
    if (inuse === 0 && s.nr_partial >= s.min_partial) this.discard_slab(s, slab);
    else if (inuse < this.slab_objects[slab]) this.add_partial(s, slab);
    else this.add_full(s, slab);
  }

  /** flush_cpu_slab() */
  protected flush_cpu_slab(s: KmemCache): void {
    if (s.cpu_slab !== NONE) this.deactivate_slab(s);
  }

  /**
   * __kmem_cache_do_shrink(): flush the CPU slab and return every empty slab to the page
   * allocator. Returns how many pages went back.
   */
  protected do_shrink(s: KmemCache): number {
    this.flush_cpu_slab(s);
    let freed = 0;
    for (const slab of this.list_slabs(s.partial)) {
      if (this.slab_inuse[slab] !== 0) continue;
      this.remove_partial(s, slab);
      freed += 1 << this.slab_order[slab];
      this.discard_slab(s, slab);
    }
    return freed;
  }

  /** kmem_cache_shrink(cachep): 0 when the cache holds no slab afterwards, 1 otherwise. */
  kmem_cache_shrink(s: KmemCache): number {
    if (!(s instanceof KmemCache) || s.dead)
      badArgument('kmem_cache_shrink', 'cachep', 'a live kmem_cache', s);
    this.do_shrink(s);
    return s.nr_slabs !== 0 ? 1 : 0;
  }

  /**
   * kmem_cache_destroy(cachep): drop a reference; the last one frees the cache, unless objects
   * remain — then SLUB's report lists them and the cache stays.
   */
  kmem_cache_destroy(s: KmemCache | null): void {
    if (s === null || s === undefined) return;
    if (!(s instanceof KmemCache) || s.dead)
      badArgument('kmem_cache_destroy', 'cachep', 'a live kmem_cache', s);
    if (--s.refcount > 0) return;
    this.do_shrink(s);
    if (s.nr_slabs !== 0) {
      // __kmem_cache_shutdown(): free_partial() on every slab with objects in use.
      for (const slab of [...this.list_slabs(s.partial), ...this.list_slabs(s.full)]) {
        list_slab_objects(this, s, slab, `Objects remaining in ${s.name} on __kmem_cache_shutdown()`);
      }
      this.WARN(
        'kmem_cache_destroy',
        'mm/slab_common.c',
        `kmem_cache_destroy ${s.name}: Slab cache still has objects when called from ${this.callers.symbolize(this.callers.capture(1))}`,
      );
      s.refcount = 1;
      return;
    }
    s.dead = true;
    this.caches[s.id] = undefined;
    this.slab_caches.splice(this.slab_caches.indexOf(s), 1);
    if (s.address !== 0 && this.kmem_cache !== null) this.kmem_cache_free(this.kmem_cache, s.address);
    if (s.node_address !== 0 && this.kmem_cache_node !== null) {
      this.kmem_cache_free(this.kmem_cache_node, s.node_address);
    }
  }

  /**
   * validate_slab_cache() (what writing to /sys/kernel/slab/<cache>/validate does): flush the CPU
   * slab, then check every slab's freelist, counters and objects, reporting what is wrong.
   * Returns the number of slabs checked.
   */
  validate_slab_cache(s: KmemCache): number {
    this.checkCache('validate_slab_cache', s);
    this.flush_cpu_slab(s);
    let count = 0;
    for (const slab of [...this.list_slabs(s.partial), ...this.list_slabs(s.full)]) {
      validate_slab(this, s, slab);
      count++;
    }
    if (count !== s.nr_slabs) this.pr_err(`SLUB: ${s.name} ${count} slabs counted but counter=${s.nr_slabs}`);
    return count;
  }

  // ---- counting ----------------------------------------------------------------------------

  /** count_partial(): free objects sitting on the partial list. */
  count_partial_free(s: KmemCache): number {
    let free = 0;
    for (const slab of this.list_slabs(s.partial)) free += this.slab_objects[slab] - this.slab_inuse[slab];
    return free;
  }

  /** Empty slabs' pages that a shrink would give back. */
  private count_reclaimable(_sc: ShrinkControl): number {
    let pages = 0;
    for (const s of this.slab_caches) {
      for (const slab of this.list_slabs(s.partial)) {
        if (this.slab_inuse[slab] === 0) pages += 1 << this.slab_order[slab];
      }
      if (s.cpu_slab !== NONE && this.cpu_slab_free_count(s) === this.slab_objects[s.cpu_slab]) {
        pages += 1 << this.slab_order[s.cpu_slab];
      }
    }
    return pages;
  }

  private scan_reclaimable(sc: ShrinkControl): number {
    let freed = 0;
    for (const s of this.slab_caches) {
      if (freed >= sc.nr_to_scan) break;
      freed += this.do_shrink(s);
    }
    return freed === 0 ? SHRINK_STOP : freed;
  }

  /** Free objects on the CPU freelist. */
  cpu_slab_free_count(s: KmemCache): number {
    let n = 0;
    for (
      let p = s.cpu_freelist;
      p !== 0 && n <= MAX_OBJS_PER_PAGE;
      p = this.mem.read32(p - PAGE_OFFSET + s.offset)
    )
      n++;
    return n;
  }

  /** The cache that object `x` belongs to (virt_to_cache), or null. */
  virt_to_cache(x: number): KmemCache | null {
    const pfn = (x - PAGE_OFFSET) >>> PAGE_SHIFT;
    if (pfn >= this.max_pfn) return null;
    const slab = this.slab_head[pfn];
    if (slab === NONE) return null;
    return this.caches[this.slab_cache[slab] - 1] ?? null;
  }

  /** The head pfn of the slab holding `x`, or -1. */
  virt_to_slab(x: number): number {
    const pfn = (x - PAGE_OFFSET) >>> PAGE_SHIFT;
    return pfn < this.max_pfn ? this.slab_head[pfn] : NONE;
  }

  /** Throws unless `s` is a live cache of this allocator. */
  protected checkCache(fn: string, s: unknown): asserts s is KmemCache {
    if (!(s instanceof KmemCache) || s.dead || this.caches[s.id] !== s) {
      throw new SlabError(
        `${fn}: cachep must be a live kmem_cache, got ${String((s as KmemCache)?.name ?? s)}`,
      );
    }
  }
}
