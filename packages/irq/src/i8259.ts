// The 8259A driver of arch/x86/kernel/i8259.c: every operation is a real port write to the
// emulated PIC pair. init_8259A remaps master/slave to vectors 0x20-0x2F (ICW1-ICW4, cascade on
// IR2), mask_and_ack_8259A masks the line and sends a specific EOI, and IRQ 7/15 are checked
// against the in-service register to catch the PIC's spurious interrupts.

import type { IoBus } from '@k/x86-cpu';
import { KERN_DEBUG, type Printk } from './printk.js';

export const PIC_MASTER_CMD = 0x20;
export const PIC_MASTER_IMR = 0x21;
export const PIC_MASTER_ISR = PIC_MASTER_CMD;
export const PIC_MASTER_POLL = PIC_MASTER_ISR;
export const PIC_MASTER_OCW3 = PIC_MASTER_ISR;
export const PIC_SLAVE_CMD = 0xa0;
export const PIC_SLAVE_IMR = 0xa1;
export const PIC_CASCADE_IR = 2;
export const MASTER_ICW4_DEFAULT = 0x01;
export const SLAVE_ICW4_DEFAULT = 0x01;
export const PIC_ICW4_AEOI = 2;
export const ISA_IRQ_VECTOR_BASE = 0x20;
export const NR_IRQS_LEGACY = 16;

/** The irq_chip of the legacy PIC. */
export const i8259A_chip_name = 'XT-PIC';

export class I8259A {
  /** cached_irq_mask: the IMRs as last written (bit n: IRQ n masked). */
  cached_irq_mask = 0xffff;
  /** irq_err_count: spurious interrupts seen. */
  irq_err_count = 0;
  private spurious_irq_mask = 0;
  private auto_eoi = false;

  constructor(
    private readonly io: IoBus,
    private readonly printk: Printk,
  ) {}

  get cached_master_mask(): number {
    return this.cached_irq_mask & 0xff;
  }
  get cached_slave_mask(): number {
    return (this.cached_irq_mask >>> 8) & 0xff;
  }

  /** init_8259A(auto_eoi) */
  init_8259A(auto_eoi = false): void {
    const io = this.io;
    this.auto_eoi = auto_eoi;
    io.out8(PIC_MASTER_IMR, 0xff); // mask all of 8259A-1
    io.out8(PIC_SLAVE_IMR, 0xff); // mask all of 8259A-2

    // outb_pic - this has to work on a wide range of PC hardware.
    io.out8(PIC_MASTER_CMD, 0x11); // ICW1: select 8259A-1 init
    io.out8(PIC_MASTER_IMR, ISA_IRQ_VECTOR_BASE + 0); // ICW2: 8259A-1 IR0-7 mapped to 0x20-0x27
    io.out8(PIC_MASTER_IMR, 1 << PIC_CASCADE_IR); // ICW3: 8259A-1 (the master) has a slave on IR2
    io.out8(PIC_MASTER_IMR, auto_eoi ? MASTER_ICW4_DEFAULT | PIC_ICW4_AEOI : MASTER_ICW4_DEFAULT); // ICW4

    io.out8(PIC_SLAVE_CMD, 0x11); // ICW1: select 8259A-2 init
    io.out8(PIC_SLAVE_IMR, ISA_IRQ_VECTOR_BASE + 8); // ICW2: 8259A-2 IR0-7 mapped to 0x28-0x2f
    io.out8(PIC_SLAVE_IMR, PIC_CASCADE_IR); // ICW3: 8259A-2 is a slave on master's IR2
    io.out8(PIC_SLAVE_IMR, SLAVE_ICW4_DEFAULT); // ICW4: (slave's support for AEOI in flat mode is to be investigated)

    // wait for 8259A to initialize (udelay(100))
    io.out8(PIC_MASTER_IMR, this.cached_master_mask); // restore master IRQ mask
    io.out8(PIC_SLAVE_IMR, this.cached_slave_mask); // restore slave IRQ mask
  }

  /** disable_8259A_irq / mask_8259A_irq */
  mask(irq: number): void {
    this.cached_irq_mask |= 1 << irq;
    if (irq & 8) this.io.out8(PIC_SLAVE_IMR, this.cached_slave_mask);
    else this.io.out8(PIC_MASTER_IMR, this.cached_master_mask);
  }

  /** enable_8259A_irq / unmask_8259A_irq */
  unmask(irq: number): void {
    this.cached_irq_mask &= ~(1 << irq);
    if (irq & 8) this.io.out8(PIC_SLAVE_IMR, this.cached_slave_mask);
    else this.io.out8(PIC_MASTER_IMR, this.cached_master_mask);
  }

  /** i8259A_irq_pending: the line's request bit in the IRR. */
  irq_pending(irq: number): boolean {
    const mask = 1 << irq;
    if (irq < 8) return (this.io.in8(PIC_MASTER_CMD) & mask) !== 0;
    return ((this.io.in8(PIC_SLAVE_CMD) << 8) & mask) !== 0;
  }

  /** i8259A_irq_real: is the IRQ in service according to the ISR (OCW3 read ISR, then back to IRR)? */
  irq_real(irq: number): boolean {
    const irqmask = 1 << irq;
    if (irq < 8) {
      this.io.out8(PIC_MASTER_CMD, 0x0b); // ISR register
      const value = this.io.in8(PIC_MASTER_CMD) & irqmask;
      this.io.out8(PIC_MASTER_CMD, 0x0a); // back to the IRR register
      return value !== 0;
    }
    this.io.out8(PIC_SLAVE_CMD, 0x0b);
    const value = this.io.in8(PIC_SLAVE_CMD) & (irqmask >>> 8);
    this.io.out8(PIC_SLAVE_CMD, 0x0a);
    return value !== 0;
  }

  /**
   * mask_and_ack_8259A(irq): mask the line, then specific EOI (to the slave and the master's
   * cascade line for IRQ 8-15). Returns false for a spurious interrupt: IRQ 7 or 15 (or a masked
   * line) that the ISR says is not in service. Then only the master's cascade gets its EOI, the
   * event is counted in irq_err_count and reported once per line.
   */
  mask_and_ack(irq: number): boolean {
    const irqmask = 1 << irq;
    const io = this.io;
    if ((this.cached_irq_mask & irqmask || (irq & 7) === 7) && !this.auto_eoi && !this.irq_real(irq)) {
      if (!(this.spurious_irq_mask & irqmask)) {
        this.printk(`${KERN_DEBUG}spurious 8259A interrupt: IRQ${irq}.\n`);
        this.spurious_irq_mask |= irqmask;
      }
      this.irq_err_count++;
      if (irq & 8) io.out8(PIC_MASTER_CMD, 0x60 + PIC_CASCADE_IR);
      return false;
    }
    this.cached_irq_mask |= irqmask;
    if (irq & 8) {
      io.in8(PIC_SLAVE_IMR); // DUMMY - (do we need this?)
      io.out8(PIC_SLAVE_IMR, this.cached_slave_mask);
      io.out8(PIC_SLAVE_CMD, 0x60 + (irq & 7)); // 'Specific EOI' to slave
      io.out8(PIC_MASTER_CMD, 0x60 + PIC_CASCADE_IR); // 'Specific EOI' to master-IRQ2
    } else {
      io.in8(PIC_MASTER_IMR); // DUMMY - (do we need this?)
      io.out8(PIC_MASTER_IMR, this.cached_master_mask);
      io.out8(PIC_MASTER_CMD, 0x60 + irq); // 'Specific EOI' to master
    }
    return true;
  }

  /** The vector of IRQ n after init_8259A. */
  static vector(irq: number): number {
    return ISA_IRQ_VECTOR_BASE + irq;
  }
}
