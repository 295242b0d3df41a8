// sys/kern/kern_malloc.c: malloc(9) on top of UMA. Small requests are rounded up to one of the
// kmemzones buckets ("malloc-16" ... "malloc-65536") and served by that UMA zone; larger ones (and
// M_EXEC) take whole pages through uma_large_malloc(). Every request is charged to a malloc type
// (struct malloc_type in simulated memory) whose per-CPU statistics `vmstat -m` prints.

import { type Printk, processContext } from '@k/page-alloc';
import { badArgument, FreeBSDMallocError } from './errors.js';
import { fmtp, panic } from './kern_shutdown.js';
import {
  KS_HANDLE,
  KS_MAGIC,
  KS_NEXT,
  KS_SHORTDESC,
  M_EXEC,
  M_MAGIC,
  M_NOWAIT,
  M_WAITOK,
  M_ZERO,
  MTI_STATS,
  MTS_MEMALLOCED,
  MTS_MEMFREED,
  MTS_NUMALLOCS,
  MTS_NUMFREES,
  MTS_SIZE,
  SIZEOF_MALLOC_TYPE_STATS,
  sizeof_malloc_type_internal,
} from './malloc.js';
import { MINALLOCSIZE, UMA_ALIGN_PTR, UMA_ZONE_MALLOC } from './uma.js';
import type { Uma, uma_zone } from './uma_core.js';
import { mtrash } from './uma_dbg.js';
import { PAGE_MASK, PAGE_OFFSET, PAGE_SIZE } from './vm_kern.js';

export const KMEM_ZSHIFT = 4;
export const KMEM_ZBASE = 16;
export const KMEM_ZMASK = KMEM_ZBASE - 1;
export const KMEM_ZMAX = 65536;
export const KMEM_ZSIZE = KMEM_ZMAX >> KMEM_ZSHIFT;
/** realloc() makes a new, smaller block when the new size is <= old size / 2^REALLOC_FRACTION. */
export const REALLOC_FRACTION = 1;

/** kmemzones[]: the malloc(9) size buckets. */
export const kmemzones_sizes: readonly number[] = [
  16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
];

/** One malloc type's statistics summed over the CPUs (what libmemstat reports). */
export interface malloc_type_stats {
  name: string;
  numallocs: number;
  numfrees: number;
  memalloced: number;
  memfreed: number;
  /** Bitmask of the kmemzones indices used. */
  size: number;
}

export interface KernMallocOptions {
  printk: Printk;
  context?: { in_atomic(): boolean; irqs_disabled(): boolean };
  /** INVARIANTS: the KASSERTs and "Bad malloc flags" check of malloc_dbg()/free_dbg(). */
  invariants?: boolean;
  /** The vm.kmem_zmax loader tunable (default KMEM_ZMAX; kmeminit() lowers it on small machines). */
  kmem_zmax?: number;
}

/** The malloc(9) state of one kernel: kmemzones, mt_zone, and the kmemstatistics chain. */
export class KernMalloc {
  readonly uma: Uma;
  readonly printk: Printk;
  readonly invariants: boolean;
  /** kmemzones[].kz_zone, filled in by mallocinit(). */
  readonly kmemzones: uma_zone[] = [];
  /** kmemsize[]: (size >> KMEM_ZSHIFT) -> kmemzones index. */
  readonly kmemsize = new Uint8Array(KMEM_ZSIZE + 1);
  /** The zone of struct malloc_type_internal records. */
  mt_zone: uma_zone | null = null;
  /** Largest size served by the kmemzones. */
  kmem_zmax: number;
  /** kmemcount: number of registered malloc types. */
  kmemcount = 0;
  private readonly mem: Uma['pages']['memory'];
  private readonly ctx: { in_atomic(): boolean; irqs_disabled(): boolean };
  /** The memory again, when it can hand out host frames (the statistics fast path). */
  private readonly frames: FrameMemory | null;
  private bad_flags_once = 0;

  constructor(
    uma: Uma,
    /** Address of the kernel's `struct malloc_type *kmemstatistics` variable. */
    readonly kmemstatistics: number,
    options: KernMallocOptions,
  ) {
    this.uma = uma;
    this.mem = uma.pages.memory;
    const fm = this.mem as unknown as Partial<FrameMemory>;
    this.frames = typeof fm.frameForWrite === 'function' ? (fm as FrameMemory) : null;
    this.printk = options.printk;
    this.invariants = options.invariants ?? true;
    this.ctx = options.context ?? processContext;
    const tunable = options.kmem_zmax ?? KMEM_ZMAX;
    if (!Number.isInteger(tunable) || tunable < 0)
      badArgument('KernMalloc', 'kmem_zmax', 'a non-negative integer', tunable);
    this.kmem_zmax = tunable;
  }

  /* ---------------------------------------------------------------- boot */

  /**
   * kmeminit(): size kmem (with 128 MiB or less, 32768 pages, malloc(9) uses UMA only up to
   * PAGE_SIZE), then create mt_zone — uma_zcreate("mt_zone", sizeof(struct malloc_type_internal),
   * ..., UMA_ALIGN_PTR, UMA_ZONE_MALLOC) — and the kmemzones, as kmeminit() did in FreeBSD up to 9
   * (later kernels moved the zone creation into mallocinit()).
   */
  kmeminit(): void {
    if (this.uma.pages.max_pfn <= 32768) this.kmem_zmax = PAGE_SIZE;
    if (this.kmem_zmax < PAGE_SIZE || this.kmem_zmax > KMEM_ZMAX) this.kmem_zmax = KMEM_ZMAX;
    const uma = this.uma;
    // Under INVARIANTS the zones trash free memory and check it on allocation (mtrash_*).
    const t = this.invariants
      ? mtrash({
          mem: this.mem,
          printf: (m) => this.printk(m),
          violation: (m) => uma.violation(m),
          type_name: (mtp) =>
            this.mem.read32(mtp - PAGE_OFFSET + KS_MAGIC) === M_MAGIC ? this.shortdesc(mtp) : null,
        })
      : { ctor: null, dtor: null, init: null, fini: null };
    this.mt_zone = uma.uma_zcreate(
      'mt_zone',
      sizeof_malloc_type_internal(uma.ncpus),
      t.ctor,
      t.dtor,
      t.init,
      t.fini,
      UMA_ALIGN_PTR,
      UMA_ZONE_MALLOC,
    );
    let i = 0;
    for (let indx = 0; indx < kmemzones_sizes.length; indx++) {
      const size = kmemzones_sizes[indx];
      this.kmemzones.push(
        uma.uma_zcreate(
          `malloc-${size}`,
          size,
          t.ctor,
          t.dtor,
          t.init,
          t.fini,
          UMA_ALIGN_PTR,
          UMA_ZONE_MALLOC,
        ),
      );
      for (; i <= size; i += KMEM_ZBASE) this.kmemsize[i >> KMEM_ZSHIFT] = indx;
    }
  }

  /** mallocinit(): SYSINIT(kmem, SI_SUB_KMEM, SI_ORDER_SECOND). */
  mallocinit(): void {
    if (this.mt_zone !== null) throw new FreeBSDMallocError('mallocinit: malloc(9) is already initialized');
    this.kmeminit();
  }

  /** malloc_init(type): SYSINIT of MALLOC_DEFINE. Gives the type its internal record, links it in. */
  malloc_init(mtp: number): void {
    const mem = this.mem;
    const p = mtp - PAGE_OFFSET;
    if (this.mt_zone === null) {
      throw new FreeBSDMallocError(
        `malloc_init: type ${fmtp(mtp)} registered before mallocinit (SI_SUB_KMEM)`,
      );
    }
    if (mem.read32(p + KS_MAGIC) !== M_MAGIC) panic(this.printk, 'malloc_init: bad malloc type magic');
    const mtip = this.uma.uma_zalloc(this.mt_zone, M_WAITOK | M_ZERO);
    mem.write32(p + KS_HANDLE, mtip);
    mem.write32(p + KS_NEXT, mem.read32(this.kmemstatistics - PAGE_OFFSET));
    mem.write32(this.kmemstatistics - PAGE_OFFSET, mtp);
    this.kmemcount++;
  }

  /** malloc_uninit(type): SYSUNINIT of MALLOC_DEFINE. Unlinks the type and reports leaks. */
  malloc_uninit(mtp: number): void {
    const mem = this.mem;
    const p = mtp - PAGE_OFFSET;
    if (mem.read32(p + KS_MAGIC) !== M_MAGIC) panic(this.printk, 'malloc_uninit: bad malloc type magic');
    const mtip = mem.read32(p + KS_HANDLE);
    if (mtip === 0) panic(this.printk, 'malloc_deregister: cookie NULL');
    const desc = this.shortdesc(mtp);
    const head = this.kmemstatistics - PAGE_OFFSET;
    if (mem.read32(head) === mtp) {
      mem.write32(head, mem.read32(p + KS_NEXT));
    } else {
      let temp = mem.read32(head);
      while (temp !== 0 && mem.read32(temp - PAGE_OFFSET + KS_NEXT) !== mtp)
        temp = mem.read32(temp - PAGE_OFFSET + KS_NEXT);
      if (temp === 0) panic(this.printk, `malloc_uninit: type '${desc}' not found`);
      mem.write32(temp - PAGE_OFFSET + KS_NEXT, mem.read32(p + KS_NEXT));
    }
    mem.write32(p + KS_HANDLE, 0);
    this.kmemcount--;
    const st = this.stats_of(desc, mtip);
    const temp_allocs = st.numallocs - st.numfrees;
    const temp_bytes = st.memalloced - st.memfreed;
    if (temp_allocs > 0 || temp_bytes > 0) {
      this.printk(
        `Warning: memory type ${desc} leaked memory on destroy (${temp_allocs} allocations, ${temp_bytes} bytes leaked).\n`,
      );
    }
    this.uma.uma_zfree_arg(this.mt_zone!, mtip, 0);
  }

  /* ---------------------------------------------------------------- malloc(9) */

  /**
   * malloc(size, type, flags): `size` bytes charged to `type`. Exactly one of M_WAITOK and
   * M_NOWAIT is required. M_WAITOK never returns 0 (it sleeps, reclaims, or panics); M_NOWAIT
   * may. malloc(0) returns a distinct minimum-size (16-byte) allocation.
   */
  malloc(size: number, mtp: number, flags: number): number {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff)
      badArgument('malloc', 'size', 'a size_t', size);
    if (this.invariants) flags = this.malloc_dbg(mtp, flags);
    const mtip = this.handle(mtp, 'malloc');
    if (size <= this.kmem_zmax && (flags & M_EXEC) === 0) {
      if (size & KMEM_ZMASK) size = (size & ~KMEM_ZMASK) + KMEM_ZBASE;
      const indx = this.kmemsize[size >> KMEM_ZSHIFT];
      const zone = this.kmemzones[indx];
      const va = this.uma.uma_zalloc_arg(zone, 0, flags);
      this.malloc_type_zone_allocated(mtip, va === 0 ? 0 : zone.size, indx);
      return va;
    }
    return this.malloc_large(size, mtip, flags);
  }

  /** malloc_exec(size, type, flags): executable memory, always whole pages. */
  malloc_exec(size: number, mtp: number, flags: number): number {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff)
      badArgument('malloc_exec', 'size', 'a size_t', size);
    flags |= M_EXEC;
    if (this.invariants) flags = this.malloc_dbg(mtp, flags);
    return this.malloc_large(size, this.handle(mtp, 'malloc_exec'), flags);
  }

  /** mallocarray(nmemb, size, type, flags): malloc(nmemb * size) that panics on overflow. */
  mallocarray(nmemb: number, size: number, mtp: number, flags: number): number {
    if (!Number.isInteger(nmemb) || nmemb < 0) badArgument('mallocarray', 'nmemb', 'a size_t', nmemb);
    if (!Number.isInteger(size) || size < 0) badArgument('mallocarray', 'size', 'a size_t', size);
    if (nmemb * size > 0xffffffff) panic(this.printk, `mallocarray: ${nmemb} * ${size} overflowed`);
    return this.malloc(nmemb * size, mtp, flags);
  }

  private malloc_large(size: number, mtip: number, flags: number): number {
    const va = this.uma.uma_large_malloc(size, flags);
    this.malloc_type_allocated(
      mtip,
      va === 0 ? 0 : Math.max(PAGE_SIZE, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE),
    );
    return va;
  }

  /** malloc_dbg() under INVARIANTS: type magic, the wait flags, sleeping where it is prohibited. */
  private malloc_dbg(mtp: number, flags: number): number {
    if (this.mem.read32(mtp - PAGE_OFFSET + KS_MAGIC) !== M_MAGIC)
      panic(this.printk, 'malloc: bad malloc type magic');
    const indx = flags & (M_WAITOK | M_NOWAIT);
    if (indx !== M_NOWAIT && indx !== M_WAITOK) {
      if (this.bad_flags_once === 0) {
        this.printk(`Bad malloc flags: ${indx.toString(16)}\n`);
        flags |= M_WAITOK;
        this.bad_flags_once++;
      }
    }
    if (flags & M_WAITOK && (this.ctx.in_atomic() || this.ctx.irqs_disabled())) {
      panic(this.printk, 'malloc(M_WAITOK) with sleeping prohibited');
    }
    return flags;
  }

  /**
   * free(addr, type): free(NULL) does nothing; an address malloc(9) never returned panics.
   * With INVARIANTS a duplicate free is reported by UMA and refused.
   */
  free(addr: number, mtp: number): void {
    this.free_common(addr, mtp, false);
  }

  /** zfree(addr, type): zero the whole allocation, then free it. */
  zfree(addr: number, mtp: number): void {
    this.free_common(addr, mtp, true);
  }

  private free_common(addr: number, mtp: number, zero: boolean): void {
    if (this.invariants && this.mem.read32(mtp - PAGE_OFFSET + KS_MAGIC) !== M_MAGIC) {
      panic(this.printk, 'free: bad malloc type magic');
    }
    if (addr === 0) return;
    const uma = this.uma;
    const slab = uma.vtoslab(addr);
    if (slab === 0 || ((slab & 1) !== 0 && (addr & PAGE_MASK) !== 0)) {
      panic(
        this.printk,
        `free: address ${fmtp(addr)}(${fmtp((addr & ~PAGE_MASK) >>> 0)}) has not been allocated.`,
      );
    }
    const mtip = this.handle(mtp, 'free');
    let size: number;
    if ((slab & 1) === 0) {
      const zone = uma.vtozone(addr)!;
      size = zone.size;
      if (zero) this.mem.fill(addr - PAGE_OFFSET, size, 0);
      if (!uma.uma_zfree_arg(zone, addr, slab)) return;
      if (this.invariants && !zero) this.free_save_type(addr, mtp, size);
    } else {
      size = slab >>> 1;
      if (zero) this.mem.fill(addr - PAGE_OFFSET, size, 0);
      uma.uma_large_free(addr, size);
    }
    this.malloc_type_freed(mtip, size);
  }

  /** free_save_type(): remember, in the freed item's last word, the type that freed it. */
  private free_save_type(addr: number, mtp: number, size: number): void {
    this.mem.write32(((addr & ~3) >>> 0) - PAGE_OFFSET + size - 4, mtp);
  }

  /**
   * realloc(addr, size, type, flags): realloc(NULL) is malloc(); the block is kept when the new
   * size fits and is more than half of it; otherwise a new block, a copy, and free() of the old.
   */
  realloc(addr: number, size: number, mtp: number, flags: number): number {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff)
      badArgument('realloc', 'size', 'a size_t', size);
    if (this.invariants && this.mem.read32(mtp - PAGE_OFFSET + KS_MAGIC) !== M_MAGIC) {
      panic(this.printk, 'realloc: bad malloc type magic');
    }
    if (addr === 0) return this.malloc(size, mtp, flags);
    const slab = this.uma.vtoslab(addr);
    if (slab === 0) panic(this.printk, `realloc: address ${fmtp(addr)} out of range`);
    const alloc = (slab & 1) === 0 ? this.uma.vtozone(addr)!.size : slab >>> 1;
    if (size <= alloc && (size > alloc >> REALLOC_FRACTION || alloc === MINALLOCSIZE)) return addr;
    const newaddr = this.malloc(size, mtp, flags);
    if (newaddr === 0) return 0;
    this.mem.copy(newaddr - PAGE_OFFSET, addr - PAGE_OFFSET, Math.min(size, alloc));
    this.free(addr, mtp);
    return newaddr;
  }

  /** reallocf(addr, size, type, flags): realloc() that frees the old block when it fails. */
  reallocf(addr: number, size: number, mtp: number, flags: number): number {
    const mem = this.realloc(addr, size, mtp, flags);
    if (mem === 0) this.free(addr, mtp);
    return mem;
  }

  /** malloc_usable_size(addr): the bucket or page-rounded size behind a malloc(9) pointer. */
  malloc_usable_size(addr: number): number {
    if (addr === 0) return 0;
    const slab = this.uma.vtoslab(addr);
    if (slab === 0) {
      panic(
        this.printk,
        `malloc_usable_size: address ${fmtp(addr)}(${fmtp((addr & ~PAGE_MASK) >>> 0)}) is not allocated.`,
      );
    }
    return (slab & 1) === 0 ? this.uma.vtozone(addr)!.size : slab >>> 1;
  }

  /* ---------------------------------------------------------------- statistics */

  /** malloc_type_zone_allocated(): charge `size` bytes from kmemzones[zindx] (-1: none) to the type. */
  private malloc_type_zone_allocated(mtip: number, size: number, zindx: number): void {
    const st = mtip - PAGE_OFFSET + MTI_STATS + SIZEOF_MALLOC_TYPE_STATS * this.uma.cpu();
    const frames = this.frames;
    if (frames !== null) {
      // One 64-byte stats record never crosses a page (it sits inside an mt_zone item of an
      // order-0 slab), so the whole update works on one frame of the physical memory.
      const f = frames.frameForWrite(st);
      const o = st & 0xfff;
      if (size > 0) {
        frame_add64(f, o + MTS_MEMALLOCED, size);
        frame_add64(f, o + MTS_NUMALLOCS, 1);
      }
      if (zindx !== -1) f[o + MTS_SIZE + (zindx >>> 3)] |= 1 << (zindx & 7);
      return;
    }
    const mem = this.mem;
    if (size > 0) {
      add64(mem, st + MTS_MEMALLOCED, size);
      add64(mem, st + MTS_NUMALLOCS, 1);
    }
    if (zindx !== -1) {
      const mask = mem.read32(st + MTS_SIZE);
      if ((mask & (1 << zindx)) === 0) mem.write32(st + MTS_SIZE, (mask | (1 << zindx)) >>> 0);
    }
  }

  private malloc_type_allocated(mtip: number, size: number): void {
    if (size > 0) this.malloc_type_zone_allocated(mtip, size, -1);
  }

  private malloc_type_freed(mtip: number, size: number): void {
    const st = mtip - PAGE_OFFSET + MTI_STATS + SIZEOF_MALLOC_TYPE_STATS * this.uma.cpu();
    const frames = this.frames;
    if (frames !== null) {
      const f = frames.frameForWrite(st);
      const o = st & 0xfff;
      frame_add64(f, o + MTS_MEMFREED, size);
      frame_add64(f, o + MTS_NUMFREES, 1);
      return;
    }
    add64(this.mem, st + MTS_MEMFREED, size);
    add64(this.mem, st + MTS_NUMFREES, 1);
  }

  /** The type's ks_handle; a type malloc_init() never saw faults in C, and panics here. */
  private handle(mtp: number, fn: string): number {
    const mtip = this.mem.read32(mtp - PAGE_OFFSET + KS_HANDLE);
    if (mtip === 0) panic(this.printk, `${fn}: malloc type ${fmtp(mtp)} is not initialized (ks_handle NULL)`);
    return mtip;
  }

  /** ks_shortdesc, read from memory. */
  shortdesc(mtp: number): string {
    return read_cstring(this.mem, this.mem.read32(mtp - PAGE_OFFSET + KS_SHORTDESC));
  }

  private stats_of(name: string, mtip: number): malloc_type_stats {
    const mem = this.mem;
    const out = { name, numallocs: 0, numfrees: 0, memalloced: 0, memfreed: 0, size: 0 };
    for (let cpu = 0; cpu < this.uma.ncpus; cpu++) {
      const st = mtip - PAGE_OFFSET + MTI_STATS + SIZEOF_MALLOC_TYPE_STATS * cpu;
      out.memalloced += read64(mem, st + MTS_MEMALLOCED);
      out.memfreed += read64(mem, st + MTS_MEMFREED);
      out.numallocs += read64(mem, st + MTS_NUMALLOCS);
      out.numfrees += read64(mem, st + MTS_NUMFREES);
      out.size |= mem.read32(st + MTS_SIZE);
    }
    return out;
  }

  /** The statistics of one registered type. */
  malloc_type_stats(mtp: number): malloc_type_stats {
    return this.stats_of(this.shortdesc(mtp), this.handle(mtp, 'malloc_type_stats'));
  }

  /** Every registered type, walking kmemstatistics from its head (the last type initialised). */
  malloc_types(): number[] {
    const out: number[] = [];
    for (let mtp = this.mem.read32(this.kmemstatistics - PAGE_OFFSET); mtp !== 0; ) {
      out.push(mtp);
      mtp = this.mem.read32(mtp - PAGE_OFFSET + KS_NEXT);
    }
    return out;
  }

  /** malloc_desc2type(desc): the registered type with that short description, or 0. */
  malloc_desc2type(desc: string): number {
    for (const mtp of this.malloc_types()) if (this.shortdesc(mtp) === desc) return mtp;
    return 0;
  }
}

type Memory = Uma['pages']['memory'];

/** @k/x86-cpu's PhysicalMemory also hands out the 4 KiB host frame behind an address. */
interface FrameMemory {
  frameForWrite(addr: number): Uint8Array;
}

/** A little-endian uint64 += delta on bytes [o, o + 8) of a frame. */
function frame_add64(f: Uint8Array, o: number, delta: number): void {
  const lo = (f[o] | (f[o + 1] << 8) | (f[o + 2] << 16) | (f[o + 3] << 24)) >>> 0;
  let sum = lo + delta;
  f[o] = sum;
  f[o + 1] = sum >>> 8;
  f[o + 2] = sum >>> 16;
  f[o + 3] = sum >>> 24;
  if (sum > 0xffffffff) {
    sum = Math.floor(sum / 0x100000000);
    for (let i = 4; i < 8 && sum > 0; i++) {
      sum += f[o + i];
      f[o + i] = sum;
      sum >>>= 8;
    }
  }
}

function add64(mem: Memory, pa: number, delta: number): void {
  const lo = mem.read32(pa) + delta;
  if (lo <= 0xffffffff) {
    mem.write32(pa, lo);
    return;
  }
  mem.write32(pa, lo >>> 0);
  mem.write32(pa + 4, (mem.read32(pa + 4) + Math.floor(lo / 0x100000000)) >>> 0);
}

function read64(mem: Memory, pa: number): number {
  return mem.read32(pa) + mem.read32(pa + 4) * 0x100000000;
}

/** A NUL-terminated string at kernel virtual address `va`. */
export function read_cstring(mem: Memory, va: number): string {
  if (va === 0) return '';
  let s = '';
  for (let pa = va - PAGE_OFFSET; ; pa++) {
    const c = mem.read8(pa);
    if (c === 0) return s;
    s += String.fromCharCode(c);
  }
}
