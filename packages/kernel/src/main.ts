// start_kernel() (init/main.c) as far as k goes today: the banner, setup_arch()'s report of the
// BIOS e820 map and the command line, then mm_core_init(): memblock and zones from boot_params'
// e820 table with the kernel image and the initramfs reserved, the buddy allocator (mem_init) and
// SLUB (kmem_cache_init). What start_kernel does next — trap_init, sched_init, rest_init and PID 1 —
// comes with the next wave; the log says where it stops.
import {
  type E820Entry,
  e820_print_table,
  KERN_INFO,
  KERN_NOTICE,
  PageAllocator,
  type PhysRange,
} from '@k/page-alloc';
import { SlabAllocator } from '@k/slab';
import type { PhysicalMemory } from '@k/x86-cpu';
import type { LogBuffer } from './printk.js';

export const K_RELEASE = '0.0.0-k';

export interface StartKernelOptions {
  /** The machine's RAM (the PC's, with everything the boot loader left in it). */
  memory: PhysicalMemory;
  /** boot_params.e820_table. */
  e820: E820Entry[];
  /** The command line boot_params.hdr.cmd_line_ptr points at. */
  cmdline: string;
  /** Physical ranges the kernel owns before the allocators exist: its image, the initramfs. */
  reserved: PhysRange[];
  log: LogBuffer;
}

export interface Kernel {
  log: LogBuffer;
  pages: PageAllocator;
  slab: SlabAllocator;
}

export function start_kernel(options: StartKernelOptions): Kernel {
  const { log, memory } = options;
  log.printk(`${KERN_NOTICE}k version ${K_RELEASE} (TypeScript on the k PC) #1\n`);
  log.printk(`${KERN_INFO}BIOS-provided physical RAM map:\n`);
  for (const line of e820_print_table(options.e820)) log.printk(`${KERN_INFO}${line}\n`);
  log.printk(`${KERN_NOTICE}Kernel command line: ${options.cmdline}\n`);
  const pages = new PageAllocator({
    memory,
    e820: options.e820,
    reserved: options.reserved,
    printk: log.printk,
  });
  pages.mem_init();
  const slab = new SlabAllocator(pages, { printk: log.printk });
  log.printk(
    `${KERN_INFO}SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=1, Nodes=1 (${slab.slab_caches.length} caches)\n`,
  );
  return { log, pages, slab };
}
