// The FreeBSD memory-allocator personality in one object: UMA, malloc(9), the kernel linker file
// with its boot SYSINITs, loadable modules, and the vmstat reports, over one page allocator.
// The method names and argument orders are FreeBSD's; this file only wires the pieces together.

import { type ExecutionContext, type Printk, processContext } from '@k/page-alloc';
import { type KernelModule, Linker, type linker_file } from './kern_linker.js';
import { KernMalloc, kmemzones_sizes, type malloc_type_stats } from './kern_malloc.js';
import { SI_ORDER_FIRST, SI_ORDER_SECOND, SI_SUB_KMEM, SI_SUB_VM, type sysinit } from './kernel.js';
import type { uma_ctor, uma_dtor, uma_fini, uma_init } from './uma.js';
import { type InvariantsMode, Uma, type uma_zone, type uma_zone_stats } from './uma_core.js';
import type { VmPageAllocator } from './vm_kern.js';
import { vmstat_m, vmstat_z } from './vmstat.js';

export interface FreeBSDMallocOptions {
  /** Kernel log sink; defaults to the page allocator's printk. */
  printk?: Printk;
  /** Who is running (sleeping allowed?); defaults to the page allocator's context. */
  context?: ExecutionContext;
  /** mp_ncpus (default 1). */
  ncpus?: number;
  /** curcpu (default CPU 0). */
  curcpu?: () => number;
  /** INVARIANTS: true (default) checks and refuses, 'panic' panics as FreeBSD does, false skips. */
  invariants?: InvariantsMode;
  /** The vm.kmem_zmax tunable. */
  kmem_zmax?: number;
}

/** FreeBSD's kernel memory allocators on a Linux-style page allocator. Call mi_startup() first. */
export class FreeBSDMalloc {
  readonly pages: VmPageAllocator;
  readonly printk: Printk;
  readonly uma: Uma;
  readonly kmem: KernMalloc;
  readonly linker: Linker;
  /** Linker file 1, "kernel". */
  readonly kernel: linker_file;
  /** The types kern_malloc.c defines for everyone. */
  readonly M_CACHE: number;
  readonly M_DEVBUF: number;
  readonly M_TEMP: number;

  constructor(pages: VmPageAllocator, options: FreeBSDMallocOptions = {}) {
    this.pages = pages;
    // Without options, printk and the execution context are read live from the page allocator,
    // where the kernel core installs its own later.
    this.printk = options.printk ?? ((m: string) => pages.printk(m));
    const context = options.context ?? {
      in_atomic: () => (pages.context ?? processContext).in_atomic(),
      irqs_disabled: () => (pages.context ?? processContext).irqs_disabled(),
    };
    this.uma = new Uma(pages, {
      printk: this.printk,
      ncpus: options.ncpus,
      curcpu: options.curcpu,
      invariants: options.invariants,
      context,
    });
    this.linker = new Linker(pages, this.printk, {
      malloc_init: (mtp) => this.kmem.malloc_init(mtp),
      malloc_uninit: (mtp) => this.kmem.malloc_uninit(mtp),
    });
    this.kernel = this.linker.linker_make_file('kernel');
    this.kernel.refs = 3;
    const kmemstatistics = this.kernel.define('kmemstatistics', this.kernel.static_alloc(4));
    this.kmem = new KernMalloc(this.uma, kmemstatistics, {
      printk: this.printk,
      context,
      invariants: options.invariants !== false,
      kmem_zmax: options.kmem_zmax,
    });
    const k = this.kernel;
    // vm_mem_init() bootstrapped UMA (the constructor above); mallocinit() follows at SI_SUB_KMEM.
    k.SYSINIT('vm_mem', SI_SUB_VM, SI_ORDER_FIRST, () => {});
    k.SYSINIT('kmem', SI_SUB_KMEM, SI_ORDER_SECOND, () => this.kmem.mallocinit());
    this.M_CACHE = k.MALLOC_DEFINE('M_CACHE', 'cache', 'Various Dynamically allocated caches');
    this.M_DEVBUF = k.MALLOC_DEFINE('M_DEVBUF', 'devbuf', 'device driver memory');
    this.M_TEMP = k.MALLOC_DEFINE('M_TEMP', 'temp', 'misc temporary data buffers');
    this.linker.bootset.push(...k.sysinits);
  }

  /* ------------------------------------------------------------ boot and modules */

  /** mi_startup(): run every boot SYSINIT in (subsystem, order) order. */
  mi_startup(trace?: (si: sysinit) => void): void {
    this.linker.mi_startup(trace);
  }

  /** kldload(2): file id or -errno. */
  kldload(image: KernelModule): number {
    return this.linker.kldload(image);
  }
  /** kldunload(2): 0 or -errno. */
  kldunload(fileid: number): number {
    return this.linker.kldunload(fileid);
  }
  /** kldfind(2): file id or -ENOENT. */
  kldfind(name: string): number {
    return this.linker.kldfind(name);
  }
  /** insmod: 0 or -errno. */
  insmod(image: KernelModule): number {
    return this.linker.insmod(image);
  }
  /** rmmod: 0 or -errno. */
  rmmod(name: string): number {
    return this.linker.rmmod(name);
  }
  /** MALLOC_DECLARE(type): the address of a type defined by the kernel or a loaded module. */
  MALLOC_DECLARE(type: string): number {
    return this.linker.linker_file_lookup_symbol(type);
  }

  /* ------------------------------------------------------------ malloc(9) */

  malloc(size: number, type: number, flags: number): number {
    return this.kmem.malloc(size, type, flags);
  }
  free(addr: number, type: number): void {
    this.kmem.free(addr, type);
  }
  zfree(addr: number, type: number): void {
    this.kmem.zfree(addr, type);
  }
  realloc(addr: number, size: number, type: number, flags: number): number {
    return this.kmem.realloc(addr, size, type, flags);
  }
  reallocf(addr: number, size: number, type: number, flags: number): number {
    return this.kmem.reallocf(addr, size, type, flags);
  }
  mallocarray(nmemb: number, size: number, type: number, flags: number): number {
    return this.kmem.mallocarray(nmemb, size, type, flags);
  }
  malloc_exec(size: number, type: number, flags: number): number {
    return this.kmem.malloc_exec(size, type, flags);
  }
  malloc_usable_size(addr: number): number {
    return this.kmem.malloc_usable_size(addr);
  }
  /** ksize(): Linux's name for malloc_usable_size(). */
  ksize(addr: number): number {
    return this.kmem.malloc_usable_size(addr);
  }

  /* ------------------------------------------------------------ UMA */

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
    return this.uma.uma_zcreate(name, size, ctor, dtor, init, fini, align, flags);
  }
  uma_zalloc(zone: uma_zone, flags: number): number {
    return this.uma.uma_zalloc_arg(zone, 0, flags);
  }
  uma_zalloc_arg(zone: uma_zone, udata: number, flags: number): number {
    return this.uma.uma_zalloc_arg(zone, udata, flags);
  }
  uma_zfree(zone: uma_zone, item: number): void {
    this.uma.uma_zfree_arg(zone, item, 0);
  }
  uma_zfree_arg(zone: uma_zone, item: number, udata: number): void {
    this.uma.uma_zfree_arg(zone, item, udata);
  }
  uma_zdestroy(zone: uma_zone): void {
    this.uma.uma_zdestroy(zone);
  }
  uma_zone_set_max(zone: uma_zone, nitems: number): number {
    return this.uma.uma_zone_set_max(zone, nitems);
  }
  uma_zone_get_max(zone: uma_zone): number {
    return this.uma.uma_zone_get_max(zone);
  }
  uma_zone_get_cur(zone: uma_zone): number {
    return this.uma.uma_zone_get_cur(zone);
  }
  uma_zone_set_warning(zone: uma_zone, warning: string): void {
    this.uma.uma_zone_set_warning(zone, warning);
  }
  uma_reclaim(req: number): number {
    return this.uma.uma_reclaim(req);
  }

  /* ------------------------------------------------------------ reports */

  /** Statistics of every registered malloc type, kmemstatistics order (newest first). */
  malloc_type_stats(): malloc_type_stats[] {
    return this.kmem.malloc_types().map((mtp) => this.kmem.malloc_type_stats(mtp));
  }
  /** Statistics of every live zone, creation order. */
  zone_stats(): uma_zone_stats[] {
    return this.uma.zone_stats();
  }
  /** `vmstat -m` */
  vmstat_m(): string {
    return vmstat_m(this.malloc_type_stats(), kmemzones_sizes);
  }
  /** `vmstat -z` */
  vmstat_z(): string {
    return vmstat_z(this.zone_stats());
  }
  /** `kldstat` */
  kldstat(): string {
    return this.linker.kldstat();
  }
}
