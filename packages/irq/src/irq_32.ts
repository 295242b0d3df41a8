// The arch side of a device interrupt: arch/x86/kernel/irq_32.c (do_IRQ) and irqinit.c
// (init_IRQ / init_ISA_irqs). The IRQ vectors' stubs push ~vector as orig_eax; do_IRQ turns that
// into the line, brackets the flow handler with irq_enter/irq_exit, and on the way out
// (ret_from_intr) reschedules if a wake-up asked for it and the interrupted context is preemptible.

import { handle_level_irq } from './handle.js';
import { ISA_IRQ_VECTOR_BASE, NR_IRQS_LEGACY } from './i8259.js';
import type { Irq } from './irq.js';
import { no_action, setup_irq } from './manage.js';
import { KERN_EMERG } from './printk.js';
import { PT_EFLAGS, PT_ORIG_EAX, user_mode, X86_EFLAGS_IF } from './ptrace.js';

/** do_IRQ(regs): handle the interrupt whose vector is ~regs->orig_eax. Returns the irq (or -1). */
export function do_IRQ(k: Irq, regs: number): number {
  const vector = ~k.memory.read32(regs + PT_ORIG_EAX) & 0xff;
  const irq = k.vector_irq[vector];
  const old_regs = k.irq_regs;
  k.irq_regs = regs;
  k.softirq.irq_enter();
  if (irq < 0 || irq === undefined) {
    k.printk(`${KERN_EMERG}do_IRQ: 0.${vector} No irq handler for vector (irq ${irq})\n`);
  } else {
    handle_level_irq(k, irq, k.irq_desc[irq]);
  }
  k.softirq.irq_exit();
  k.irq_regs = old_regs;
  ret_from_intr(k, regs);
  return irq ?? -1;
}

/**
 * ret_from_intr: back to user mode, or to kernel code that had interrupts enabled and
 * preempt_count 0, with a reschedule pending: schedule() (preempt_schedule_irq).
 */
export function ret_from_intr(k: Irq, regs: number): void {
  if (!k.sched.need_resched || k.preempt.count !== 0) return;
  if (!user_mode(k.memory, regs) && !(k.memory.read32(regs + PT_EFLAGS) & X86_EFLAGS_IF)) return;
  k.sched.schedule_from_irq();
  k.preempt.local_irq_disable();
}

/**
 * init_IRQ(): the descriptors of the 16 legacy lines, the 8259A programmed to 0x20-0x2F with
 * every line masked, the cascade on IRQ 2, and interrupt gates 0x20-0x2F routed to do_IRQ.
 */
export function init_IRQ(k: Irq): void {
  k.pic.init_8259A(false);
  for (let irq = 0; irq < NR_IRQS_LEGACY; irq++) {
    const vector = ISA_IRQ_VECTOR_BASE + irq;
    k.vector_irq[vector] = irq;
    k.entry.set_intr_gate(vector, (regs) => {
      do_IRQ(k, regs);
    });
  }
  setup_irq(k, 2, no_action, 0, 'cascade'); // a second request for IRQ 2 is -EBUSY
}
