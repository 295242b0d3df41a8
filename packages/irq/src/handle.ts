// The flow of one interrupt through the IRQ core: kernel/irq/handle.c (handle_IRQ_event: run every
// action on the line and combine their results) and kernel/irq/chip.c (handle_level_irq: mask and
// ack at the PIC, run the actions unless the line is disabled or already in progress, unmask).

import type { Irq } from './irq.js';
import {
  IRQ_DISABLED,
  IRQ_HANDLED,
  IRQ_INPROGRESS,
  IRQ_PENDING,
  IRQ_WAKE_THREAD,
  IRQF_DISABLED,
  IRQF_ONESHOT,
  IRQF_SAMPLE_RANDOM,
  IRQTF_RUNTHREAD,
  type irq_desc,
  type irqaction,
} from './irqdesc.js';
import { KERN_WARNING } from './printk.js';
import { note_interrupt } from './spurious.js';

/** irq_wake_thread(desc, action): mark the thread's work and wake it. */
export function irq_wake_thread(k: Irq, desc: irq_desc, action: irqaction): void {
  if (!action.thread) return;
  if (action.thread_flags & (1 << IRQTF_RUNTHREAD)) return;
  action.thread_flags |= 1 << IRQTF_RUNTHREAD;
  if (action.flags & IRQF_ONESHOT) desc.threads_oneshot++;
  k.sched.wake_up_process(action.thread);
}

/**
 * handle_IRQ_event(irq, desc): every action on the line runs (a shared line asks each device);
 * an action without IRQF_DISABLED runs with interrupts enabled. Returns the OR of the results.
 */
export function handle_IRQ_event(k: Irq, irq: number, desc: irq_desc): number {
  let retval = 0;
  let status = 0;
  const actions = desc.action;
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i];
    if (action.flags & IRQF_DISABLED) k.preempt.local_irq_disable();
    else k.preempt.local_irq_enable();
    if (k.trace) k.trace({ event: 'irq_handler_entry', irq, name: action.name });
    const ret = action.handler(irq, action.dev_id);
    if (k.trace) k.trace({ event: 'irq_handler_exit', irq, ret });
    if (ret === IRQ_WAKE_THREAD) {
      if (!action.thread_fn) {
        k.printk(
          `${KERN_WARNING}IRQ ${irq} device ${action.name} returned IRQ_WAKE_THREAD but no thread function available.\n`,
        );
      } else {
        irq_wake_thread(k, desc, action);
      }
    }
    if (ret & (IRQ_HANDLED | IRQ_WAKE_THREAD)) status |= action.flags;
    retval |= ret;
  }
  if (status & IRQF_SAMPLE_RANDOM) k.random.add_interrupt_randomness(irq, k.cycles());
  k.preempt.local_irq_disable();
  return retval;
}

/** handle_level_irq(irq, desc): the flow handler for the 8259A's lines. */
export function handle_level_irq(k: Irq, irq: number, desc: irq_desc): void {
  if (!k.pic.mask_and_ack(irq)) return; // spurious: counted in ERR, nothing to run
  if (desc.status & IRQ_INPROGRESS) return;
  desc.kstat_irqs++;
  if (desc.action.length === 0 || desc.status & IRQ_DISABLED) {
    desc.status |= IRQ_PENDING;
    return; // the line stays masked
  }
  desc.status &= ~IRQ_PENDING;
  desc.status |= IRQ_INPROGRESS;
  const action_ret = handle_IRQ_event(k, irq, desc);
  if (!k.noirqdebug) note_interrupt(k, irq, desc, action_ret);
  desc.status &= ~IRQ_INPROGRESS;
  // A oneshot line stays masked until its threads have run (irq_finalize_oneshot).
  if (!(desc.status & IRQ_DISABLED) && desc.threads_oneshot === 0) k.pic.unmask(irq);
}

/** irq_finalize_oneshot: the last oneshot thread of the line is done; unmask it. */
export function irq_finalize_oneshot(k: Irq, desc: irq_desc, action: irqaction): void {
  if (!(action.flags & IRQF_ONESHOT)) return;
  if (desc.threads_oneshot > 0) desc.threads_oneshot--;
  if (desc.threads_oneshot === 0 && !(desc.status & (IRQ_DISABLED | IRQ_INPROGRESS))) k.pic.unmask(desc.irq);
}
