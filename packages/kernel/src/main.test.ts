import { e820_default_map, GFP_KERNEL } from '@k/page-alloc';
import { PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import { start_kernel } from './main.js';
import { LogBuffer } from './printk.js';

describe('start_kernel (memory setup)', () => {
  const memory = new PhysicalMemory(32 << 20);
  const log = new LogBuffer();
  const kernelImage = { start: 0x100000, end: 0x100000 + (2 << 20) };
  const k = start_kernel({
    memory,
    e820: e820_default_map(memory.size),
    cmdline: 'quiet',
    reserved: [kernelImage],
    log,
  });

  it('reports the e820 map and the command line the way Linux does', () => {
    const text = log.dmesg();
    expect(text).toContain('BIOS-provided physical RAM map:');
    expect(text).toContain('BIOS-e820: [mem 0x0000000000100000-0x0000000001ffffff] usable');
    expect(text).toContain('Kernel command line: quiet');
  });

  it('keeps the kernel image out of the buddy allocator and brings up SLUB', () => {
    const imagePfn = kernelImage.start >> 12;
    expect(k.pages.PageReserved(imagePfn)).toBe(true);
    expect(text()).toMatch(/Memory: \d+K\/\d+K available/);
    const p = k.slab.kmalloc(100, GFP_KERNEL);
    expect(k.slab.virt_to_cache(p)?.name).toBe('kmalloc-128');
    expect(k.pages.virt_to_page(p)).toBeGreaterThan(kernelImage.end >> 12);
  });

  function text() {
    return log.dmesg();
  }
});
