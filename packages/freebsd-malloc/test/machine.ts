// Test helper: a booted FreeBSD allocator on a fresh page allocator.
import { collectingPrintk, PageAllocator } from '@k/page-alloc';
import { FreeBSDMalloc, type FreeBSDMallocOptions } from '../src/freebsdMalloc.js';
import { PhysicalMemory } from './memory.js';

export interface Machine {
  pages: PageAllocator;
  k: FreeBSDMalloc;
  log: string[];
}

/** A machine with `mib` MiB of RAM (default 256, above kmeminit's 128 MiB small-memory rule). */
export function machine(options: FreeBSDMallocOptions & { mib?: number; boot?: boolean } = {}): Machine {
  const printk = collectingPrintk();
  const pages = new PageAllocator({ memory: new PhysicalMemory((options.mib ?? 256) * 1024 * 1024), printk });
  const k = new FreeBSDMalloc(pages, options);
  if (options.boot !== false) k.mi_startup();
  return { pages, k, log: printk.lines };
}
