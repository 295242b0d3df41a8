// Test helper: a small PC's page allocator with a slab allocator on top, printk collected.
import { collectingPrintk, type ExecutionContext, PageAllocator } from '@k/page-alloc';
import { SlabAllocator, type SlubOptions } from '../src/index.js';
import { PhysicalMemory } from './memory.js';

export const MiB = 1024 * 1024;

export function machine(options: SlubOptions & { mem?: number; context?: ExecutionContext } = {}) {
  const printk = collectingPrintk();
  const pages = new PageAllocator({
    memory: new PhysicalMemory(options.mem ?? 64 * MiB),
    printk,
    context: options.context,
  });
  const slab = new SlabAllocator(pages, options);
  return { pages, slab, printk };
}
