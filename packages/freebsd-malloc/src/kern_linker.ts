// sys/kern/kern_linker.c: linker files, the unit kldload(2)/kldunload(2) load and unload. The
// kernel itself is file 1 ("kernel"). A file's static data — the struct malloc_type that
// MALLOC_DEFINE emits, its strings, module globals — lives in pages the file owns in simulated
// memory, given back when the file is unloaded. Loading runs the file's SYSINITs in (subsystem,
// order) order (linker_file_sysinit); unloading asks its modules (MOD_QUIESCE, MOD_UNLOAD), then
// runs its SYSUNINITs in reverse order (linker_file_sysuninit). Files loaded before mi_startup()
// are "preloaded": their SYSINITs join the boot list. insmod/rmmod are the Linux names for the same.

import { GFP_KERNEL, type Printk } from '@k/page-alloc';
import { badArgument, FreeBSDMallocError } from './errors.js';
import { mi_startup, sysinit_sort, sysuninit_sort } from './init_main.js';
import { EBUSY, EEXIST, ENOENT, ModuleList, type module, type moduledata_t } from './kern_module.js';
import { SI_ORDER_ANY, SI_ORDER_THIRD, SI_SUB_KMEM, SYSINIT, SYSUNINIT, type sysinit } from './kernel.js';
import { KS_MAGIC, KS_SHORTDESC, M_MAGIC, SIZEOF_MALLOC_TYPE } from './malloc.js';
import { order_for_pages, PAGE_OFFSET, PAGE_SIZE, type VmPageAllocator } from './vm_kern.js';

/** A loadable kernel module image (a .ko): its file name and what linking it declares. */
export interface KernelModule {
  /** File name, e.g. "luke.ko". */
  readonly name: string;
  /** Runs when the file is linked: declare MALLOC_DEFINEs, SYSINITs, DECLARE_MODULEs, statics. */
  link(lf: linker_file): void;
}

/** What MALLOC_DEFINE's SYSINIT/SYSUNINIT call. */
export interface MallocHooks {
  malloc_init(mtp: number): void;
  malloc_uninit(mtp: number): void;
}

/** struct linker_file */
export class linker_file {
  refs = 1;
  /** The file's symbol table (name -> address). */
  readonly symbols = new Map<string, number>();
  readonly sysinits: sysinit[] = [];
  readonly sysuninits: sysinit[] = [];
  readonly modules: module[] = [];
  /** First error of a module's MOD_LOAD while the SYSINITs ran. */
  load_error = 0;
  /** Pages of static data: [pfn, order]. */
  private readonly blocks: [number, number][] = [];
  private cur = 0;
  private end = 0;
  /** Bytes of static data. */
  size = 0;
  /** Address of the first static data page. */
  address = 0;

  constructor(
    private readonly linker: Linker,
    readonly id: number,
    readonly filename: string,
  ) {}

  /** A zeroed static variable of `size` bytes in the file's data: its address. */
  static_alloc(size: number, align = 4): number {
    if (!Number.isInteger(size) || size < 1) badArgument('static_alloc', 'size', 'a positive integer', size);
    if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0 || align > PAGE_SIZE) {
      badArgument('static_alloc', 'align', 'a power of two up to PAGE_SIZE', align);
    }
    let va = Math.ceil(this.cur / align) * align;
    if (this.cur === 0 || va + size > this.end) {
      const order = order_for_pages(Math.ceil(size / PAGE_SIZE));
      const page = this.linker.pages.alloc_pages(GFP_KERNEL, order);
      if (page === null)
        throw new FreeBSDMallocError(`${this.filename}: no memory for ${size} bytes of static data`);
      const base = this.linker.pages.page_address(page);
      this.linker.pages.memory.fill(base - PAGE_OFFSET, PAGE_SIZE << order, 0);
      this.blocks.push([page, order]);
      if (this.address === 0) this.address = base;
      va = base;
      this.end = base + (PAGE_SIZE << order);
    }
    this.cur = va + size;
    this.size += size;
    return va;
  }

  /** A NUL-terminated string constant in the file's data. */
  string(s: string): number {
    const bytes = new TextEncoder().encode(s);
    const va = this.static_alloc(bytes.length + 1, 1);
    this.linker.pages.memory.writeBytes(va - PAGE_OFFSET, bytes);
    return va;
  }

  /** Defines symbol `name` at `addr`. */
  define(name: string, addr: number): number {
    if (this.symbols.has(name))
      throw new FreeBSDMallocError(`${this.filename}: symbol ${name} defined twice`);
    this.symbols.set(name, addr);
    return addr;
  }

  /**
   * MALLOC_DEFINE(type, shortdesc, longdesc): a struct malloc_type { NULL, M_MAGIC, shortdesc,
   * NULL } in this file's data, exported as symbol `type`, with SYSINIT(type_init, SI_SUB_KMEM,
   * SI_ORDER_THIRD, malloc_init, type) and SYSUNINIT(type_uninit, SI_SUB_KMEM, SI_ORDER_ANY,
   * malloc_uninit, type). Returns the type's address. (longdesc is documentation only, as in C.)
   */
  MALLOC_DEFINE(type: string, shortdesc: string, _longdesc: string): number {
    if (typeof type !== 'string' || !/^[A-Za-z_]\w*$/.test(type))
      badArgument('MALLOC_DEFINE', 'type', 'a C identifier', type);
    if (typeof shortdesc !== 'string' || shortdesc.length === 0) {
      badArgument('MALLOC_DEFINE', 'shortdesc', 'a non-empty string', shortdesc);
    }
    const mtp = this.static_alloc(SIZEOF_MALLOC_TYPE, 4);
    const desc = this.string(shortdesc);
    const mem = this.linker.pages.memory;
    mem.write32(mtp - PAGE_OFFSET + KS_MAGIC, M_MAGIC);
    mem.write32(mtp - PAGE_OFFSET + KS_SHORTDESC, desc);
    this.define(type, mtp);
    const hooks = this.linker.hooks;
    this.SYSINIT(`${type}_init`, SI_SUB_KMEM, SI_ORDER_THIRD, (p) => hooks.malloc_init(p), mtp);
    this.SYSUNINIT(`${type}_uninit`, SI_SUB_KMEM, SI_ORDER_ANY, (p) => hooks.malloc_uninit(p), mtp);
    return mtp;
  }

  /** MALLOC_DECLARE(type): the address of a type defined in this or another loaded file. */
  MALLOC_DECLARE(type: string): number {
    return this.symbols.get(type) ?? this.linker.linker_file_lookup_symbol(type);
  }

  /** SYSINIT(uniquifier, subsystem, order, func, ident) */
  SYSINIT(
    uniquifier: string,
    subsystem: number,
    order: number,
    func: (udata: number) => void,
    ident = 0,
  ): void {
    this.sysinits.push(SYSINIT(uniquifier, subsystem, order, func, ident));
  }

  /** SYSUNINIT(uniquifier, subsystem, order, func, ident) */
  SYSUNINIT(
    uniquifier: string,
    subsystem: number,
    order: number,
    func: (udata: number) => void,
    ident = 0,
  ): void {
    this.sysuninits.push(SYSUNINIT(uniquifier, subsystem, order, func, ident));
  }

  /** DECLARE_MODULE(name, data, sub, order): registers the module; its MOD_LOAD runs as a SYSINIT. */
  DECLARE_MODULE(name: string, data: moduledata_t, sub: number, order: number): void {
    const mod = this.linker.modules.module_register(data, this.filename);
    if (typeof mod === 'number') {
      this.load_error = mod;
      return;
    }
    this.modules.push(mod);
    this.SYSINIT(`${name}module`, sub, order, () => {
      const error = this.linker.modules.module_register_init(mod);
      if (error !== 0 && this.load_error === 0) this.load_error = error;
    });
  }

  /** Gives the file's data pages back (linker_file_unload's final step). */
  release(): void {
    for (const [page, order] of this.blocks) this.linker.pages.__free_pages(page, order);
    this.blocks.length = 0;
  }
}

/** The loaded files, the module list and the boot-time SYSINIT list. */
export class Linker {
  readonly files: linker_file[] = [];
  readonly modules: ModuleList;
  /** SYSINITs mi_startup() will run (the kernel's and the preloaded files'). */
  readonly bootset: sysinit[] = [];
  booted = false;
  private next_file_id = 1;

  constructor(
    readonly pages: VmPageAllocator,
    readonly printk: Printk,
    readonly hooks: MallocHooks,
  ) {
    this.modules = new ModuleList(printk);
  }

  /** linker_make_file(): a new, empty file. */
  linker_make_file(filename: string): linker_file {
    const lf = new linker_file(this, this.next_file_id++, filename);
    this.files.push(lf);
    return lf;
  }

  /** mi_startup(): run the boot SYSINITs (kernel and preloaded files). */
  mi_startup(trace?: (si: sysinit) => void): void {
    if (this.booted) throw new FreeBSDMallocError('mi_startup: the kernel has already booted');
    mi_startup(this.bootset, trace);
    this.booted = true;
  }

  /**
   * kldload(image): link the file and run its SYSINITs. Returns the file id, or -EEXIST when a
   * file of that name (or a module it declares) is loaded, or -error when a module's MOD_LOAD
   * fails (the file is then unloaded again). Before boot the file is preloaded.
   */
  kldload(image: KernelModule): number {
    if (
      image === null ||
      typeof image !== 'object' ||
      typeof image.name !== 'string' ||
      image.name.length === 0
    ) {
      badArgument('kldload', 'image.name', 'a non-empty file name', image?.name);
    }
    if (typeof image.link !== 'function') badArgument('kldload', 'image.link', 'a function', image.link);
    if (this.files.some((f) => f.filename === image.name)) return -EEXIST;
    const lf = this.linker_make_file(image.name);
    try {
      image.link(lf);
    } catch (e) {
      this.discard(lf);
      throw e;
    }
    if (lf.load_error !== 0) {
      const error = lf.load_error;
      this.discard(lf);
      return -error;
    }
    if (!this.booted) {
      this.bootset.push(...lf.sysinits);
      return lf.id;
    }
    for (const si of sysinit_sort(lf.sysinits)) si.func(si.udata);
    if (lf.load_error !== 0) {
      const error = lf.load_error;
      this.linker_file_unload(lf);
      return -error;
    }
    return lf.id;
  }

  /** kldunload(fileid): 0, -ENOENT for an unknown id, -EBUSY for the kernel or a module's veto. */
  kldunload(fileid: number): number {
    const lf = this.files.find((f) => f.id === fileid);
    if (lf === undefined) return -ENOENT;
    if (lf.id === 1) return -EBUSY;
    for (const mod of lf.modules) {
      const error = this.modules.module_unload(mod);
      if (error !== 0) return -error;
    }
    this.linker_file_unload(lf);
    return 0;
  }

  /** kldfind(name): the id of the file with that name ("luke.ko" or "luke"), or -ENOENT. */
  kldfind(name: string): number {
    const lf = this.files.find((f) => f.filename === name || f.filename === `${name}.ko`);
    return lf === undefined ? -ENOENT : lf.id;
  }

  /** insmod(image): Linux's name for kldload; 0 or -errno. */
  insmod(image: KernelModule): number {
    const id = this.kldload(image);
    return Math.min(id, 0);
  }

  /** rmmod(name): unload by module or file name; 0 or -errno. */
  rmmod(name: string): number {
    const mod = this.modules.module_lookupbyname(name);
    const id = mod !== null ? this.kldfind(mod.filename) : this.kldfind(name);
    return id < 0 ? id : this.kldunload(id);
  }

  /** linker_file_lookup_symbol() over every loaded file. */
  linker_file_lookup_symbol(name: string): number {
    for (const f of this.files) {
      const addr = f.symbols.get(name);
      if (addr !== undefined) return addr;
    }
    throw new FreeBSDMallocError(`link_elf: symbol ${name} undefined`);
  }

  /** `kldstat` output (i386: 10-column pointers). */
  kldstat(): string {
    let out = `Id Refs Address${' '.repeat(2)}  ${'Size'.padStart(8)} Name\n`;
    for (const f of this.files) {
      const addr = `0x${f.address.toString(16)}`.padStart(10);
      out += `${String(f.id).padStart(2)} ${String(f.refs).padStart(4)} ${addr} ${f.size.toString(16).padStart(8)} ${f.filename}\n`;
    }
    return out;
  }

  private linker_file_unload(lf: linker_file): void {
    for (const mod of lf.modules) this.modules.module_release(mod);
    for (const si of sysuninit_sort(lf.sysuninits)) si.func(si.udata);
    this.discard(lf);
  }

  private discard(lf: linker_file): void {
    for (const mod of lf.modules) this.modules.module_release(mod);
    lf.release();
    const i = this.files.indexOf(lf);
    if (i >= 0) this.files.splice(i, 1);
  }
}
