import { describe, expect, it } from 'vitest';
import { irqMachine } from './machine.js';
import { collectingPrintk } from './testing.js';

describe('irqMachine', () => {
  it('loads the descriptors with real lgdt/lidt/ltr and idles with interrupts on', () => {
    const printk = collectingPrintk();
    const { pc, irq } = irqMachine({ printk });
    const s = pc.cpu.getState();
    expect(s.gdtr.base).toBe(irq.entry.gdt_table);
    expect(s.idtr.base).toBe(irq.entry.idt_table);
    expect(s.idtr.limit).toBe(2047);
    expect(s.tr.selector).toBe(0x80);
    expect(s.cs.selector).toBe(0x60);
    expect(s.ss.selector).toBe(0x68);
    expect(s.fs.selector).toBe(0xd8);
    expect(pc.cpu.eflags & 0x200).toBe(0x200);
    expect(pc.pic.imr).toBe(0xfffb); // everything masked but the cascade
    expect(printk.lines).toEqual([]);
  });
});
