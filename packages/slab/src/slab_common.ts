// The slab API every kernel caller uses (mm/slab_common.c, mm/util.c): kmem_cache_create() with
// its argument checks, the kmalloc size classes of x86 with 4 KiB pages (kmalloc-8 ... kmalloc-8k
// plus kmalloc-96 and kmalloc-192, and their dma-kmalloc twins), kmalloc/kfree and friends, and
// kmalloc_large for anything above 8 KiB, straight from the page allocator.

import {
  __GFP_COMP,
  __GFP_DMA,
  __GFP_ZERO,
  GFP_KERNEL,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
} from '@k/page-alloc';
import { defineStruct, sizeof, writeField } from './container_of.js';
import { badArgument, checkU32, SlabError } from './errors.js';
import type { SlabPageAllocator } from './page.js';
import {
  KMALLOC_MAX_CACHE_SIZE,
  KMALLOC_MAX_SIZE,
  KMALLOC_SHIFT_HIGH,
  KMALLOC_SHIFT_LOW,
  SLAB_CACHE_DMA,
  SLAB_HWCACHE_ALIGN,
  SLAB_POISON,
  SLAB_RED_ZONE,
  SLAB_STORE_USER,
  ZERO_SIZE_PTR,
} from './slab.js';
import { type Ctor, get_order, type KmemCache, Slub, type SlubOptions } from './slub.js';
import { ptr } from './slub_debug.js';

/** kmalloc_info[]: the kmalloc caches by index (index 1 and 2 are the odd 96 and 192). */
export const kmalloc_info: readonly { name: string; size: number }[] = [
  { name: 'kmalloc-0', size: 0 },
  { name: 'kmalloc-96', size: 96 },
  { name: 'kmalloc-192', size: 192 },
  { name: 'kmalloc-8', size: 8 },
  { name: 'kmalloc-16', size: 16 },
  { name: 'kmalloc-32', size: 32 },
  { name: 'kmalloc-64', size: 64 },
  { name: 'kmalloc-128', size: 128 },
  { name: 'kmalloc-256', size: 256 },
  { name: 'kmalloc-512', size: 512 },
  { name: 'kmalloc-1k', size: 1024 },
  { name: 'kmalloc-2k', size: 2048 },
  { name: 'kmalloc-4k', size: 4096 },
  { name: 'kmalloc-8k', size: 8192 },
];

/** size_index[]: the cache index for sizes up to 192, in steps of 8 bytes. */
const size_index = Uint8Array.from([3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2]);

/** kmalloc_index(): which kmalloc cache serves `size` (1 .. KMALLOC_MAX_CACHE_SIZE). */
export function kmalloc_index(size: number): number {
  return size <= 192 ? size_index[(size - 1) >> 3] : 32 - Math.clz32(size - 1);
}

/** kmalloc_size_roundup(): how many bytes kmalloc(size) really gives. */
export function kmalloc_size_roundup(size: number): number {
  checkU32('kmalloc_size_roundup', 'size', size);
  if (size !== 0 && size <= KMALLOC_MAX_CACHE_SIZE) return kmalloc_info[kmalloc_index(size)].size;
  if (size !== 0 && size <= KMALLOC_MAX_SIZE) return PAGE_SIZE << get_order(size);
  return size;
}

/** enum kmalloc_cache_type, as far as modelled. */
export const KMALLOC_NORMAL = 0;
export const KMALLOC_DMA = 1;

/** struct kmem_cache as laid out in the kmem_cache cache's objects (the fields slab fills in). */
export const struct_kmem_cache = defineStruct('kmem_cache', [
  ['cpu_slab', 'ptr'],
  ['flags', 'u32'],
  ['min_partial', 'long'],
  ['size', 'u32'],
  ['object_size', 'u32'],
  ['reciprocal_size', 'u64'],
  ['offset', 'u32'],
  ['cpu_partial', 'u32'],
  ['cpu_partial_slabs', 'u32'],
  ['oo', 'u32'],
  ['min', 'u32'],
  ['allocflags', 'u32'],
  ['refcount', 'int'],
  ['ctor', 'ptr'],
  ['inuse', 'u32'],
  ['align', 'u32'],
  ['red_left_pad', 'u32'],
  ['name', 'ptr'],
  ['list_next', 'ptr'],
  ['list_prev', 'ptr'],
  ['kobj', defineStruct('kobject', [['pad', 'u32']])],
  ['remote_node_defrag_ratio', 'u32'],
  ['useroffset', 'u32'],
  ['usersize', 'u32'],
  ['node', 'ptr'],
]);

/** struct kmem_cache_node */
export const struct_kmem_cache_node = defineStruct('kmem_cache_node', [
  ['list_lock', 'u32'],
  ['nr_partial', 'long'],
  ['partial_next', 'ptr'],
  ['partial_prev', 'ptr'],
  ['nr_slabs', 'long'],
  ['total_objects', 'long'],
  ['full_next', 'ptr'],
  ['full_prev', 'ptr'],
]);

/**
 * A SLUB slab allocator over a page allocator: kmem_cache_* and the kmalloc family, with the
 * kernel's names and argument orders. Pointers are kernel virtual addresses (numbers).
 */
export class SlabAllocator extends Slub {
  /** kmalloc_caches[KMALLOC_NORMAL] and [KMALLOC_DMA], by kmalloc_index. */
  readonly kmalloc_caches: KmemCache[][] = [[], []];
  /** Order + 1 of each kmalloc_large block, by its head pfn (0: not one). */
  readonly large_order: Uint8Array;
  /** Pages held by kmalloc_large (NR_SLAB_UNRECLAIMABLE's large part). */
  nr_large_pages = 0;
  private warned_free_large = false;

  constructor(pages: SlabPageAllocator, options: SlubOptions = {}) {
    super(pages, options);
    this.large_order = new Uint8Array(this.max_pfn);
    this.kmem_cache_init();
    this.create_kmalloc_caches();
  }

  /** kmem_cache_init(): the two boot caches, then their own structs as their first objects. */
  private kmem_cache_init(): void {
    const node = this.create_cache(
      'kmem_cache_node',
      sizeof(struct_kmem_cache_node),
      0,
      SLAB_HWCACHE_ALIGN,
      null,
    );
    const cache = this.create_cache('kmem_cache', sizeof(struct_kmem_cache), 0, SLAB_HWCACHE_ALIGN, null);
    if (node === null || cache === null) this.panic('kmem_cache_init: out of memory');
    this.kmem_cache_node = node;
    this.kmem_cache = cache;
    for (const s of [node, cache]) {
      s.address = this.kmem_cache_zalloc(cache, GFP_KERNEL);
      s.node_address = this.kmem_cache_zalloc(node, GFP_KERNEL);
      this.write_struct(s);
    }
  }

  /** create_kmalloc_caches(): kmalloc-8 ... kmalloc-8k, 96 and 192 in their places, then DMA. */
  private create_kmalloc_caches(): void {
    for (const type of [KMALLOC_NORMAL, KMALLOC_DMA]) {
      for (let i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
        this.new_kmalloc_cache(i, type);
        if (i === 6) this.new_kmalloc_cache(1, type);
        if (i === 7) this.new_kmalloc_cache(2, type);
      }
    }
  }

  private new_kmalloc_cache(index: number, type: number): void {
    const info = kmalloc_info[index];
    const name = type === KMALLOC_DMA ? `dma-${info.name}` : info.name;
    const flags = type === KMALLOC_DMA ? SLAB_CACHE_DMA : 0;
    // kmalloc objects are aligned to the largest power of two dividing their size.
    const s = this.create_cache(name, info.size, info.size & -info.size, flags, null);
    if (s === null) this.panic(`kmalloc: Failed to create slab '${name}'`);
    s.kmalloc = true;
    this.write_struct(s);
    this.kmalloc_caches[type][index] = s;
  }

  /** Fills in the struct kmem_cache object of a cache. */
  private write_struct(s: KmemCache): void {
    const m = this.vmem;
    const k = struct_kmem_cache;
    const a = s.address;
    writeField(m, k, a, 'flags', s.flags);
    writeField(m, k, a, 'min_partial', s.min_partial);
    writeField(m, k, a, 'size', s.size);
    writeField(m, k, a, 'object_size', s.object_size);
    writeField(m, k, a, 'offset', s.offset);
    writeField(m, k, a, 'oo', (s.order << 16) | s.objects);
    writeField(m, k, a, 'min', (s.min_order << 16) | Math.floor((PAGE_SIZE << s.min_order) / s.size));
    writeField(m, k, a, 'allocflags', s.allocflags);
    writeField(m, k, a, 'refcount', s.refcount);
    writeField(m, k, a, 'inuse', s.inuse);
    writeField(m, k, a, 'align', s.align);
    writeField(m, k, a, 'red_left_pad', s.red_left_pad);
    writeField(m, k, a, 'node', s.node_address);
  }

  // ---- kmem_cache_create ----------------------------------------------------------------------

  /**
   * kmem_cache_create(name, size, align, flags, ctor): a cache of `size`-byte objects, or null
   * (with the kernel's warning) if it cannot be made; SLAB_PANIC turns that into a panic.
   */
  kmem_cache_create(
    name: string,
    size: number,
    align: number,
    flags: number,
    ctor: Ctor | null = null,
  ): KmemCache | null {
    const fn = 'kmem_cache_create';
    if (typeof name !== 'string' || name === '') badArgument(fn, 'name', 'a non-empty string', name);
    checkU32(fn, 'size', size);
    checkU32(fn, 'align', align);
    if (align & (align - 1)) badArgument(fn, 'align', 'zero or a power of two', align);
    checkU32(fn, 'flags', flags);
    if (ctor !== null && ctor !== undefined && typeof ctor !== 'function') {
      badArgument(fn, 'ctor', 'a function or null', ctor);
    }
    const s = this.create_cache(name, size, align, flags, ctor ?? null);
    if (s !== null) this.write_struct(s);
    return s;
  }

  // ---- kmalloc --------------------------------------------------------------------------------

  /** kmalloc(size, flags): `size` bytes, ZERO_SIZE_PTR for 0, NULL (0) on failure. */
  kmalloc(size: number, flags: number): number {
    let p: number;
    if (size > KMALLOC_MAX_CACHE_SIZE || size !== size >>> 0) {
      p = this.kmalloc_large(size, flags);
    } else if (size === 0) {
      p = ZERO_SIZE_PTR;
    } else {
      const index = size <= 192 ? size_index[(size - 1) >> 3] : 32 - Math.clz32(size - 1);
      p = this.slab_alloc_node(this.kmalloc_caches[flags & __GFP_DMA][index], flags);
    }
    if (this.trace !== null) {
      const bytes_alloc = p === 0 || p === ZERO_SIZE_PTR ? 0 : this.ksize(p);
      this.trace({ event: 'kmalloc', ptr: p, bytes_req: size, bytes_alloc, gfp_flags: flags });
    }
    return p;
  }

  /** kzalloc(size, flags): zeroed kmalloc(). */
  kzalloc(size: number, flags: number): number {
    return this.kmalloc(size, flags | __GFP_ZERO);
  }

  /** kmalloc_array(n, size, flags): NULL when n * size overflows a size_t. */
  kmalloc_array(n: number, size: number, flags: number): number {
    checkU32('kmalloc_array', 'n', n);
    checkU32('kmalloc_array', 'size', size);
    const bytes = n * size;
    if (bytes > 0xffffffff) return 0;
    return this.kmalloc(bytes, flags);
  }

  /** kcalloc(n, size, flags): zeroed kmalloc_array(). */
  kcalloc(n: number, size: number, flags: number): number {
    return this.kmalloc_array(n, size, flags | __GFP_ZERO);
  }

  /** kmalloc_large(): whole pages (__GFP_COMP) for requests above kmalloc-8k. */
  kmalloc_large(size: number, flags: number): number {
    checkU32('kmalloc', 'size', size);
    checkU32('kmalloc', 'flags', flags);
    // Above KMALLOC_MAX_SIZE the order exceeds MAX_PAGE_ORDER: the page allocator WARNs
    // (WARN_ON_ONCE_GFP in __alloc_pages) unless __GFP_NOWARN, and returns NULL.
    const order = get_order(size);
    const page = this.pages.alloc_pages((flags | __GFP_COMP) >>> 0, order);
    if (page === null) return 0;
    this.large_order[page] = order + 1;
    this.nr_large_pages += 1 << order;
    return this.pages.page_address(page);
  }

  /** kfree(objp): NULL and ZERO_SIZE_PTR are ignored; a bad pointer is reported, not freed. */
  kfree(x: number): void {
    if (this.trace !== null) this.trace({ event: 'kfree', ptr: x });
    if (x >>> 0 <= ZERO_SIZE_PTR && x >= 0) return;
    const pfn = (x - PAGE_OFFSET) >>> PAGE_SHIFT;
    if (pfn < this.max_pfn) {
      const slab = this.slab_head[pfn];
      if (slab >= 0) {
        this.slab_free(this.caches[this.slab_cache[slab] - 1]!, x);
        return;
      }
      const large = this.large_order[pfn];
      if (large !== 0 && x === PAGE_OFFSET + pfn * PAGE_SIZE) {
        this.large_order[pfn] = 0;
        this.nr_large_pages -= 1 << (large - 1);
        this.pages.__free_pages(pfn, large - 1);
        return;
      }
    }
    if (!Number.isInteger(x)) badArgument('kfree', 'objp', 'a pointer (an integer)', x);
    // free_large_kmalloc() on something that is no kmalloc_large block: WARN and refuse.
    if (!this.warned_free_large) {
      this.warned_free_large = true;
      this.WARN('free_large_kmalloc', 'mm/slub.c', '');
      this.pr_warn(`object pointer: 0x${ptr(x)}`);
    }
  }

  /** ksize(objp): how many bytes the object really has. */
  ksize(x: number): number {
    if (x >>> 0 <= ZERO_SIZE_PTR) return 0;
    const pfn = (x - PAGE_OFFSET) >>> PAGE_SHIFT;
    if (pfn >= this.max_pfn) badArgument('ksize', 'objp', 'a kmalloc() pointer', x);
    const slab = this.slab_head[pfn];
    if (slab >= 0) {
      const s = this.caches[this.slab_cache[slab] - 1]!;
      if (s.flags & (SLAB_RED_ZONE | SLAB_POISON)) return s.object_size;
      if (s.flags & SLAB_STORE_USER) return s.inuse;
      return s.size;
    }
    const large = this.large_order[pfn];
    if (large === 0) badArgument('ksize', 'objp', 'a kmalloc() pointer', x);
    return PAGE_SIZE << (large - 1);
  }

  /**
   * krealloc(p, new_size, flags): keeps the object if it still fits, else moves the contents
   * to a new one and frees the old; new_size 0 frees and returns ZERO_SIZE_PTR.
   */
  krealloc(p: number, new_size: number, flags: number): number {
    checkU32('krealloc', 'new_size', new_size);
    if (new_size === 0) {
      this.kfree(p);
      return ZERO_SIZE_PTR;
    }
    const ks = p >>> 0 <= ZERO_SIZE_PTR ? 0 : this.ksize(p);
    if (ks >= new_size) return p;
    const ret = this.kmalloc(new_size, flags);
    if (ret !== 0 && ks !== 0) {
      this.mem.copy(ret - PAGE_OFFSET, p - PAGE_OFFSET, ks);
      this.kfree(p);
    }
    return ret;
  }

  /** kmemdup(src, len, gfp): a kmalloc'ed copy of `len` bytes at `src`. */
  kmemdup(src: number, len: number, gfp: number): number {
    checkU32('kmemdup', 'src', src);
    checkU32('kmemdup', 'len', len);
    const p = this.kmalloc(len, gfp);
    if (p !== 0 && len !== 0) this.mem.copy(p - PAGE_OFFSET, src - PAGE_OFFSET, len);
    return p;
  }

  /**
   * kstrdup(s, gfp): a kmalloc'ed copy of the NUL-terminated string at pointer `s` (or of a
   * JavaScript string, stored as UTF-8 with its NUL); NULL for NULL.
   */
  kstrdup(s: number | string, gfp: number): number {
    if (typeof s === 'string') {
      const bytes = new TextEncoder().encode(`${s}\0`);
      const p = this.kmalloc(bytes.length, gfp);
      if (p !== 0) this.mem.writeBytes(p - PAGE_OFFSET, bytes);
      return p;
    }
    checkU32('kstrdup', 's', s);
    if (s === 0) return 0;
    let len = 0;
    while (this.mem.read8(s - PAGE_OFFSET + len) !== 0) len++;
    return this.kmemdup(s, len + 1, gfp);
  }

  /** Reads the NUL-terminated string at `p` (a convenience for callers and tests). */
  strget(p: number): string {
    const bytes: number[] = [];
    for (
      let b = this.mem.read8(p - PAGE_OFFSET);
      b !== 0;
      b = this.mem.read8(p - PAGE_OFFSET + bytes.length)
    ) {
      bytes.push(b);
    }
    return new TextDecoder().decode(Uint8Array.from(bytes));
  }

  /** The kmalloc cache that kmalloc(size, flags) uses, or null above kmalloc-8k or for 0. */
  kmalloc_slab(size: number, flags: number): KmemCache | null {
    if (size === 0 || size > KMALLOC_MAX_CACHE_SIZE) return null;
    return this.kmalloc_caches[flags & __GFP_DMA ? KMALLOC_DMA : KMALLOC_NORMAL][kmalloc_index(size)];
  }

  /** Throws a SlabError unless every cache is free of objects (for tests and shutdown). */
  assertEmpty(): void {
    for (const s of this.slab_caches) {
      if (s.nr_allocated !== 0 && s !== this.kmem_cache && s !== this.kmem_cache_node) {
        throw new SlabError(`assertEmpty: cache ${s.name} has ${s.nr_allocated} objects allocated`);
      }
    }
  }
}
