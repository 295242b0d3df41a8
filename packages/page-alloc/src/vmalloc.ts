// vmalloc (mm/vmalloc.c): virtually contiguous kernel memory from physically scattered pages,
// mapped through swapper_pg_dir between VMALLOC_START and VMALLOC_END. Every area is followed by
// an unmapped guard page, so running off the end faults instead of corrupting the neighbour.

import { __GFP_HIGHMEM, __GFP_NOWARN, __GFP_ZERO, GFP_KERNEL } from './gfp.js';
import { PAGE_ALIGN, PAGE_SHIFT, PAGE_SIZE, VMALLOC_END, VMALLOC_OFFSET } from './memlayout.js';
import type { PageAllocator } from './page_alloc.js';
import { __PAGE_KERNEL, type KernelPageTables } from './pgtable.js';
import { KERN_ERR, KERN_WARNING } from './printk.js';

export const VM_IOREMAP = 0x00000001;
export const VM_ALLOC = 0x00000002;
export const VM_MAP = 0x00000004;

/** struct vm_struct: one vmalloc area; `size` includes the guard page, as the kernel counts it. */
export interface VmStruct {
  addr: number;
  size: number;
  flags: number;
  pages: number[];
  nr_pages: number;
  caller: string;
}

export class Vmalloc {
  readonly VMALLOC_START: number;
  readonly VMALLOC_END = VMALLOC_END;
  /** Busy areas sorted by address (vmap_area_root). */
  readonly areas: VmStruct[] = [];

  constructor(
    private readonly pa: PageAllocator,
    private readonly pgtables: () => KernelPageTables,
  ) {
    // VMALLOC_START = high_memory + VMALLOC_OFFSET, on an 8 MiB boundary.
    this.VMALLOC_START =
      (Math.ceil((pa.high_memory + VMALLOC_OFFSET) / VMALLOC_OFFSET) * VMALLOC_OFFSET) >>> 0;
  }

  is_vmalloc_addr(addr: number): boolean {
    return addr >= this.VMALLOC_START && addr < this.VMALLOC_END;
  }

  /** get_vm_area(): a free virtual range of `size` bytes (guard included), first fit. */
  private get_vm_area(size: number, flags: number, caller: string): VmStruct | null {
    let addr = this.VMALLOC_START;
    let i = 0;
    for (; i < this.areas.length; i++) {
      const a = this.areas[i];
      if (addr + size <= a.addr) break;
      addr = a.addr + a.size;
    }
    if (addr + size > this.VMALLOC_END) return null;
    const vm: VmStruct = { addr, size, flags, pages: [], nr_pages: 0, caller };
    this.areas.splice(i, 0, vm);
    return vm;
  }

  private remove_vm_area(vm: VmStruct): void {
    const i = this.areas.indexOf(vm);
    if (i >= 0) this.areas.splice(i, 1);
  }

  find_vm_area(addr: number): VmStruct | undefined {
    return this.areas.find((a) => a.addr === addr);
  }

  /** __vmalloc(): `size` bytes mapped from order-0 pages (highmem preferred); 0 on failure. */
  __vmalloc(size: number, gfp_mask: number, caller: string): number {
    const pa = this.pa;
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`vmalloc: size must be a non-negative integer, got ${size}`);
    }
    if (size === 0) return 0;
    const real_size = size;
    size = PAGE_ALIGN(size);
    if (size >> PAGE_SHIFT > pa.totalram_pages()) {
      if (!(gfp_mask & __GFP_NOWARN))
        pa.warn_alloc(gfp_mask, 0, `vmalloc error: size ${real_size}, exceeds total pages`);
      return 0;
    }
    const vm = this.get_vm_area(size + PAGE_SIZE, VM_ALLOC, caller);
    if (!vm) {
      if (!(gfp_mask & __GFP_NOWARN))
        pa.warn_alloc(gfp_mask, 0, `vmalloc error: size ${real_size}, vm_struct allocation failed`);
      return 0;
    }
    const nr_pages = size >> PAGE_SHIFT;
    const page_gfp = gfp_mask | __GFP_HIGHMEM | __GFP_NOWARN;
    for (let i = 0; i < nr_pages; i++) {
      const page = pa.alloc_pages(page_gfp, 0);
      if (page === null) {
        if (!(gfp_mask & __GFP_NOWARN)) {
          pa.warn_alloc(
            gfp_mask,
            0,
            `vmalloc error: size ${nr_pages * PAGE_SIZE}, page order 0, failed to allocate pages`,
          );
        }
        for (const p of vm.pages) pa.__free_pages(p, 0);
        this.remove_vm_area(vm);
        return 0;
      }
      vm.pages.push(page);
    }
    vm.nr_pages = nr_pages;
    const pt = this.pgtables();
    for (let i = 0; i < nr_pages; i++) {
      pt.set_pte(vm.addr + i * PAGE_SIZE, ((vm.pages[i] << PAGE_SHIFT) | __PAGE_KERNEL) >>> 0);
    }
    return vm.addr;
  }

  vmalloc(size: number, caller = 'vmalloc'): number {
    return this.__vmalloc(size, GFP_KERNEL, caller);
  }

  vzalloc(size: number, caller = 'vzalloc'): number {
    return this.__vmalloc(size, GFP_KERNEL | __GFP_ZERO, caller);
  }

  /** vfree(): unmaps the area, flushes the TLB range and frees its pages; vfree(0) does nothing. */
  vfree(addr: number): void {
    if (addr === 0) return;
    const vm = this.find_vm_area(addr);
    if (!vm || !(vm.flags & VM_ALLOC)) {
      this.pa.printk(`${KERN_WARNING}------------[ cut here ]------------\n`);
      this.pa.printk(
        `${KERN_ERR}Trying to vfree() nonexistent vm area (0x${(addr >>> 0).toString(16).padStart(8, '0')})\n`,
      );
      this.pa.dump_stack(['vfree']);
      return;
    }
    const pt = this.pgtables();
    for (let i = 0; i < vm.nr_pages; i++) pt.pte_clear(vm.addr + i * PAGE_SIZE);
    this.pa.flush_tlb_kernel_range(vm.addr, vm.addr + vm.size);
    this.remove_vm_area(vm);
    for (const p of vm.pages) this.pa.__free_pages(p, 0);
  }

  /** vmap(): maps existing pages contiguously (the caller keeps owning them); 0 on failure. */
  vmap(pages: readonly number[], caller = 'vmap'): number {
    const size = pages.length * PAGE_SIZE;
    if (size === 0) return 0;
    const vm = this.get_vm_area(size + PAGE_SIZE, VM_MAP, caller);
    if (!vm) return 0;
    const pt = this.pgtables();
    pages.forEach((page, i) => {
      pt.set_pte(vm.addr + i * PAGE_SIZE, ((page << PAGE_SHIFT) | __PAGE_KERNEL) >>> 0);
    });
    return vm.addr;
  }

  /** vunmap(): removes a vmap() mapping without freeing the pages. */
  vunmap(addr: number): void {
    const vm = this.find_vm_area(addr);
    if (!vm || !(vm.flags & VM_MAP)) {
      this.pa.printk(
        `${KERN_ERR}Trying to vunmap() nonexistent vm area (0x${(addr >>> 0).toString(16).padStart(8, '0')})\n`,
      );
      return;
    }
    const pt = this.pgtables();
    for (let a = vm.addr; a < vm.addr + vm.size - PAGE_SIZE; a += PAGE_SIZE) pt.pte_clear(a);
    this.pa.flush_tlb_kernel_range(vm.addr, vm.addr + vm.size);
    this.remove_vm_area(vm);
  }

  /** vmalloc_to_page(): the page behind a vmalloc address, or null. */
  vmalloc_to_page(addr: number): number | null {
    const phys = this.pgtables().translate(addr);
    return phys < 0 ? null : Math.floor(phys / PAGE_SIZE);
  }

  save(): VmStruct[] {
    return this.areas.map((a) => ({ ...a, pages: [...a.pages] }));
  }

  restore(areas: readonly VmStruct[]): void {
    this.areas.length = 0;
    for (const a of areas) this.areas.push({ ...a, pages: [...a.pages] });
  }

  /** Bytes mapped by vmalloc areas (VmallocUsed, pages only). */
  used_bytes(): number {
    let n = 0;
    for (const a of this.areas) n += a.nr_pages * PAGE_SIZE;
    return n;
  }

  /** /proc/vmallocinfo (s_show()). */
  vmallocinfo(): string {
    let out = '';
    for (const v of this.areas) {
      out += `0x${hex8(v.addr)}-0x${hex8(v.addr + v.size)} ${String(v.size).padStart(7)}`;
      if (v.caller) out += ` ${v.caller}`;
      if (v.nr_pages) out += ` pages=${v.nr_pages}`;
      if (v.flags & VM_IOREMAP) out += ' ioremap';
      if (v.flags & VM_ALLOC) out += ' vmalloc';
      if (v.flags & VM_MAP) out += ' vmap';
      out += '\n';
    }
    return out;
  }
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
