// The emulated CPU walks swapper_pg_dir: vmalloc'd, kmapped and lowmem memory read through paging.
import { Cpu, IoBus, MemoryBus, PhysicalMemory } from '@k/x86-cpu';
import { describe, expect, it } from 'vitest';
import { GFP_HIGHUSER } from './gfp.js';
import { PAGE_OFFSET, PAGE_SIZE } from './memlayout.js';
import { PageAllocator } from './page_alloc.js';

const MiB = 1024 * 1024;

function boot(size: number, pse: boolean) {
  const memory = new PhysicalMemory(size);
  const pa = new PageAllocator({ memory });
  const cpu = new Cpu(new MemoryBus(memory), new IoBus());
  const pgd = pa.paging_init({ pse });
  if (pse) cpu.cr4 = 0x10;
  cpu.cr3 = pgd;
  cpu.cr0 = 0x80000001; // PG | PE
  return { pa, cpu };
}

describe('the CPU sees the kernel page tables', () => {
  for (const pse of [false, true]) {
    it(`reads lowmem and vmalloc memory through paging (pse: ${pse})`, () => {
      const { pa, cpu } = boot(1024 * MiB, pse);
      pa.memory.write32(0x123458, 0xcafef00d);
      expect(cpu.readLinear32(PAGE_OFFSET + 0x123458)).toBe(0xcafef00d);

      const v = pa.vmalloc(3 * PAGE_SIZE);
      for (let i = 0; i < 3; i++) {
        const page = pa.vmalloc_to_page(v + i * PAGE_SIZE)!;
        pa.memory.write32(page * PAGE_SIZE + 16, 0x1000 + i);
      }
      for (let i = 0; i < 3; i++) expect(cpu.readLinear32(v + i * PAGE_SIZE + 16)).toBe(0x1000 + i);
      expect(cpu.translate(v + 3 * PAGE_SIZE, false, false)).toBe(-1); // guard page
      expect(cpu.translate(v, false, true)).toBe(-1); // supervisor only

      const high = pa.alloc_page(GFP_HIGHUSER)!;
      pa.memory.write32(high * PAGE_SIZE, 0x600dd00d);
      expect(cpu.readLinear32(pa.kmap(high))).toBe(0x600dd00d);
      expect(cpu.readLinear32(pa.kmap_atomic(high))).toBe(0x600dd00d);
    });
  }
});
