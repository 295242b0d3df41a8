// The 8259A driver against the emulated PIC pair: the ICW sequence, masking, EOI, and spurious
// IRQ 7/15 detection through the in-service register.

import { describe, expect, it } from 'vitest';
import { IRQ_HANDLED } from './irqdesc.js';
import { irqMachine } from './machine.js';
import { PT_ORIG_EAX } from './ptrace.js';
import { collectingPrintk, TestDevice } from './testing.js';

describe('init_8259A', () => {
  it('remaps the master to 0x20 and the slave to 0x28 with the cascade on IR2, all masked', () => {
    const { pc, irq } = irqMachine();
    const { master, slave } = pc.pic;
    expect(master.vectorBase).toBe(0x20);
    expect(slave.vectorBase).toBe(0x28);
    expect(master.icw3).toBe(0x04);
    expect(slave.icw3).toBe(0x02);
    expect(master.autoEoi).toBe(false);
    expect(master.imr).toBe(0xfb); // the cascade is the only line in use
    expect(slave.imr).toBe(0xff);
    expect(irq.pic.cached_irq_mask).toBe(0xfffb);
    for (let n = 0; n < 16; n++) expect(irq.entry.idt.gate(0x20 + n)).toMatchObject({ type: 0xe, dpl: 0 });
  });

  it('masks and unmasks lines on the right chip, and a slave IRQ EOIs both chips', () => {
    const { pc, irq, run } = irqMachine();
    const d = new TestDevice(pc, 12, 0x360);
    let seen = -1;
    irq.request_irq(
      12,
      (n) => {
        seen = n;
        // inside the handler the line is masked and already acknowledged (specific EOI)
        expect(pc.pic.slave.imr & (1 << 4)).toBe(1 << 4);
        expect(pc.pic.slave.isr).toBe(0);
        expect(pc.pic.master.isr).toBe(0);
        d.ack();
        return IRQ_HANDLED;
      },
      0,
      'psmouse',
      d,
    );
    expect(pc.pic.slave.imr).toBe(0xef);
    d.fire();
    run(() => d.acked === 1);
    expect(seen).toBe(12);
    expect(pc.pic.slave.imr).toBe(0xef);
    irq.disable_irq(12);
    irq.disable_irq(12);
    expect(pc.pic.slave.imr).toBe(0xff);
    irq.enable_irq(12);
    expect(pc.pic.slave.imr).toBe(0xff); // nested: still disabled
    irq.enable_irq(12);
    expect(pc.pic.slave.imr).toBe(0xef);
  });

  it('an interrupt on a disabled line stays pending and masked; enable_irq lets it in', () => {
    const { pc, irq, run } = irqMachine();
    const d = new TestDevice(pc, 3, 0x2f8);
    let calls = 0;
    irq.request_irq(
      3,
      () => {
        calls++;
        d.ack();
        return IRQ_HANDLED;
      },
      0,
      'serial',
      d,
    );
    irq.disable_irq(3);
    d.fire();
    run(undefined, 10_000);
    expect(calls).toBe(0);
    irq.enable_irq(3);
    run(() => calls === 1, 10_000);
    expect(calls).toBe(1);
  });

  it('warns about an unbalanced enable_irq', () => {
    const printk = collectingPrintk();
    const { irq } = irqMachine({ printk });
    irq.request_irq(4, () => IRQ_HANDLED, 0, 'serial', 1);
    irq.enable_irq(4);
    expect(printk.lines).toContain('Unbalanced enable for IRQ 4');
    expect(printk.lines).toContain('------------[ cut here ]------------');
  });

  it('IRQ 7 and 15 that the ISR does not show in service are spurious: reported once, counted in ERR', () => {
    const printk = collectingPrintk();
    const { pc, irq } = irqMachine({ printk });
    let ran = 0;
    irq.request_irq(
      7,
      () => {
        ran++;
        return IRQ_HANDLED;
      },
      0,
      'parport0',
      1,
    );
    // What the CPU would find after a request vanished before INTA: vector 0x27, nothing in service.
    const regs = 0x80000;
    for (const vector of [0x27, 0x27, 0x2f]) {
      pc.memory.write32(regs + PT_ORIG_EAX, ~vector);
      irq.do_IRQ(regs);
    }
    expect(ran).toBe(0);
    expect(printk.lines).toEqual(['spurious 8259A interrupt: IRQ7.', 'spurious 8259A interrupt: IRQ15.']);
    expect(irq.pic.irq_err_count).toBe(3);
    expect(irq.show_interrupts()).toMatch(/^ERR: {10}3$/m);
    expect(irq.irq_desc[7].kstat_irqs).toBe(0);
    expect(pc.pic.master.readIsr).toBe(false); // OCW3 back to reading the IRR
  });
});

describe('NMI', () => {
  it('an NMI enters through vector 2, is counted on the NMI line and reported as unknown', () => {
    const printk = collectingPrintk();
    const { pc, irq, run } = irqMachine({ printk });
    pc.cpu.nmi();
    run(() => irq.nmi_count === 1, 10_000);
    expect(printk.lines[0]).toMatch(/^Uhhuh\. NMI received for unknown reason [0-9a-f]{2} on CPU 0\.$/);
    expect(printk.lines.slice(1)).toEqual([
      'Do you have a strange power saving mode enabled?',
      'Dazed and confused, but trying to continue',
    ]);
    expect(irq.show_interrupts()).toMatch(/^NMI: {10}1 {3}Non-maskable interrupts$/m);
  });
});
