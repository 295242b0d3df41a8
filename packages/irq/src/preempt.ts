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
