// preempt_count layout of include/linux/preempt.h: PREEMPT bits 0-7, SOFTIRQ 8-15, HARDIRQ 16-19, NMI 20.

export const PREEMPT_BITS = 8;
export const SOFTIRQ_BITS = 8;
export const HARDIRQ_BITS = 4;
export const PREEMPT_SHIFT = 0;
export const SOFTIRQ_SHIFT = PREEMPT_SHIFT + PREEMPT_BITS;
export const HARDIRQ_SHIFT = SOFTIRQ_SHIFT + SOFTIRQ_BITS;
export const NMI_SHIFT = HARDIRQ_SHIFT + HARDIRQ_BITS;
export const PREEMPT_MASK = ((1 << PREEMPT_BITS) - 1) << PREEMPT_SHIFT;
export const SOFTIRQ_MASK = ((1 << SOFTIRQ_BITS) - 1) << SOFTIRQ_SHIFT;
export const HARDIRQ_MASK = ((1 << HARDIRQ_BITS) - 1) << HARDIRQ_SHIFT;
export const NMI_MASK = 1 << NMI_SHIFT;
export const HARDIRQ_OFFSET = 1 << HARDIRQ_SHIFT;
export const SOFTIRQ_OFFSET = 1 << SOFTIRQ_SHIFT;

/** in_irq() / in_hardirq(): inside a hard interrupt handler. */
export const in_hardirq = (count: number): boolean => (count & HARDIRQ_MASK) !== 0;
/** in_interrupt(): in NMI, hardirq or softirq context (or with bottom halves disabled). */
export const in_interrupt = (count: number): boolean =>
  (count & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK)) !== 0;
export const in_softirq = (count: number): boolean => (count & SOFTIRQ_MASK) !== 0;
/** in_atomic(): any part of preempt_count is non-zero. */
export const in_atomic = (count: number): boolean => count !== 0;

/** The CPU flag register as the IRQ layer sees it (structurally the emulator's Cpu). */
export interface FlagsCpu {
  eflags: number;
}

const IF = 1 << 9;

/**
 * preempt_count and the CPU's interrupt flag: what include/linux/preempt.h, hardirq.h and
 * irqflags.h give the kernel. `local_irq_*` act on the emulated CPU's EFLAGS.IF, so a handler's
 * "interrupts off" is the same bit the CPU consults before taking the next interrupt.
 */
export class Preempt {
  /** preempt_count(): PREEMPT 0-7, SOFTIRQ 8-15, HARDIRQ 16-19, NMI 20. */
  count = 0;
  /** TIF_NEED_RESCHED for the current task. */
  need_resched = false;

  constructor(readonly cpu: FlagsCpu) {}

  preempt_count(): number {
    return this.count;
  }
  preempt_disable(): void {
    this.count += 1;
  }
  preempt_enable_no_resched(): void {
    this.count -= 1;
  }
  add_preempt_count(v: number): void {
    this.count += v;
  }
  sub_preempt_count(v: number): void {
    this.count -= v;
  }

  in_irq(): boolean {
    return in_hardirq(this.count);
  }
  in_hardirq(): boolean {
    return in_hardirq(this.count);
  }
  in_softirq(): boolean {
    return in_softirq(this.count);
  }
  in_interrupt(): boolean {
    return in_interrupt(this.count);
  }
  in_atomic(): boolean {
    return this.count !== 0;
  }

  /** irqs_disabled(): EFLAGS.IF is clear. */
  irqs_disabled(): boolean {
    return (this.cpu.eflags & IF) === 0;
  }
  local_irq_disable(): void {
    this.cpu.eflags = this.cpu.eflags & ~IF;
  }
  local_irq_enable(): void {
    this.cpu.eflags = this.cpu.eflags | IF;
  }
  /** local_irq_save(flags): returns the flags to hand back to local_irq_restore. */
  local_irq_save(): number {
    const flags = this.cpu.eflags;
    this.local_irq_disable();
    return flags;
  }
  local_irq_restore(flags: number): void {
    this.cpu.eflags = (this.cpu.eflags & ~IF) | (flags & IF);
  }
  local_save_flags(): number {
    return this.cpu.eflags;
  }
}
