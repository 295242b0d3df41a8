import { describe, expect, it } from 'vitest';
import { HARDIRQ_MASK, HARDIRQ_OFFSET, in_hardirq, in_interrupt, SOFTIRQ_OFFSET } from './preempt.js';

describe('preempt_count', () => {
  it('has the kernel layout', () => {
    expect(HARDIRQ_MASK).toBe(0x000f_0000);
    expect(SOFTIRQ_OFFSET).toBe(0x100);
  });
  it('answers in_irq and in_interrupt from the count', () => {
    expect(in_hardirq(HARDIRQ_OFFSET)).toBe(true);
    expect(in_hardirq(SOFTIRQ_OFFSET)).toBe(false);
    expect(in_interrupt(SOFTIRQ_OFFSET)).toBe(true);
    expect(in_interrupt(1)).toBe(false);
  });
});
