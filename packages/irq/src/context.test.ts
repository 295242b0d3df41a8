// "May this allocation sleep?": the IRQ layer's answer (preempt_count and the CPU's IF) installed
// into the allocators, so GFP_KERNEL inside an interrupt handler is reported the kernel's way.
// The irqaction of request_irq comes from slab's kmalloc.

import { SlabAllocator } from '@k/slab';
import { describe, expect, it } from 'vitest';
import { IRQ_HANDLED } from './irqdesc.js';
import { irqMachine } from './machine.js';
import { collectingPrintk, TestDevice } from './testing.js';

// @k/page-alloc's values (include/linux/gfp_types.h): GFP_KERNEL = __GFP_RECLAIM | __GFP_IO |
// __GFP_FS, GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM.
const GFP_KERNEL = 0xcc0;
const GFP_ATOMIC = 0x820;
const PAGE_OFFSET = 0xc0000000;

/** A page allocator for slab: pages from 2 MiB up, kernel addresses at PAGE_OFFSET. */
function pagesFor(memory: import('@k/x86-cpu').PhysicalMemory, printk: (m: string) => void) {
  let next = 0x200;
  return {
    memory,
    max_pfn: memory.size / 4096,
    printk,
    context: undefined as unknown,
    alloc_pages(_gfp: number, order: number): number | null {
      const pfn = next;
      next += 1 << order;
      return pfn < memory.size / 4096 ? pfn : null;
    },
    __free_pages() {},
    page_address(pfn: number): number {
      return (PAGE_OFFSET + pfn * 4096) >>> 0;
    },
  };
}

describe('execution context', () => {
  it('GFP_KERNEL inside a handler: BUG: sleeping function called from invalid context', () => {
    const printk = collectingPrintk();
    const { pc, irq, run } = irqMachine({ printk });
    const pages = pagesFor(pc.memory, printk);
    irq.install_context(pages);
    const slab = new SlabAllocator(pages as never, { printk });
    const d = new TestDevice(pc, 5, 0x300);
    const got: number[] = [];
    irq.request_irq(
      5,
      () => {
        d.ack();
        got.push(slab.kmalloc(32, GFP_ATOMIC)); // fine in a handler
        got.push(slab.kmalloc(32, GFP_KERNEL)); // may sleep: reported
        return IRQ_HANDLED;
      },
      0,
      'eth0',
      d,
    );
    // in process context, GFP_KERNEL is fine
    expect(slab.kmalloc(32, GFP_KERNEL)).toBeGreaterThan(PAGE_OFFSET);
    expect(printk.lines.filter((l) => l.startsWith('BUG'))).toEqual([]);
    d.fire();
    run(() => d.acked === 1);
    expect(got.every((p) => p > PAGE_OFFSET)).toBe(true);
    const bug = printk.lines.findIndex((l) =>
      l.startsWith('BUG: sleeping function called from invalid context'),
    );
    expect(bug).toBeGreaterThanOrEqual(0);
    expect(printk.lines[bug + 1]).toMatch(
      /^in_atomic\(\): 1, irqs_disabled\(\): 0, .*pid: 0, name: swapper\/0$/,
    );
    expect(printk.lines.filter((l) => l.startsWith('BUG')).length).toBe(1); // GFP_ATOMIC was quiet
  });

  it('reports irqs_disabled() for an IRQF_DISABLED handler and answers from the CPU flag', () => {
    const { pc, irq } = irqMachine();
    expect(irq.context.irqs_disabled()).toBe(false); // idle loop: sti
    const flags = irq.local_irq_save();
    expect(pc.cpu.eflags & 0x200).toBe(0);
    expect(irq.context.irqs_disabled()).toBe(true);
    irq.local_irq_restore(flags);
    expect(pc.cpu.eflags & 0x200).toBe(0x200);
    irq.preempt.preempt_disable();
    expect(irq.context.in_atomic()).toBe(true);
    irq.preempt.preempt_enable_no_resched();
    irq.local_bh_disable();
    expect(irq.in_softirq()).toBe(true);
    expect(irq.in_interrupt()).toBe(true);
    irq.local_bh_enable();
    expect(irq.preempt_count()).toBe(0);
  });

  it('request_irq allocates its struct irqaction with kmalloc and free_irq gives it back', () => {
    const printk = collectingPrintk();
    const { pc, irq } = irqMachine({ printk });
    const pages = pagesFor(pc.memory, printk);
    irq.install_context(pages);
    const slab = new SlabAllocator(pages as never, { printk });
    // a second machine whose IRQ layer allocates from this slab
    const m2 = irqMachine({
      printk,
      kzalloc: (size) => slab.kzalloc(size, GFP_KERNEL),
      kfree: (p) => slab.kfree(p),
    });
    expect(m2.irq.request_irq(9, () => IRQ_HANDLED, 0, 'acpi', 1)).toBe(0);
    const action = m2.irq.irq_desc[9].action[0];
    expect(action.addr).toBeGreaterThan(PAGE_OFFSET);
    expect(slab.ksize(action.addr)).toBe(64);
    expect(m2.irq.free_irq(9, 1)).toBe('acpi');
  });
});
