// The unhandled-interrupt detector of kernel/irq/spurious.c: a line that keeps interrupting with
// nobody claiming it (99,900 of 100,000 unhandled) is reported and disabled.

import type { Irq } from './irq.js';
import {
  IRQ_DISABLED,
  IRQ_HANDLED,
  IRQ_NONE,
  IRQ_SPURIOUS_DISABLED,
  IRQ_WAKE_THREAD,
  type irq_desc,
} from './irqdesc.js';
import { hex8, KERN_EMERG, KERN_ERR } from './printk.js';

/** __report_bad_irq: the nobody-cared (or bogus return value) report with the handler list. */
export function __report_bad_irq(k: Irq, irq: number, desc: irq_desc, action_ret: number): void {
  if (action_ret !== IRQ_HANDLED && action_ret !== IRQ_NONE && (action_ret & ~3) !== 0) {
    k.printk(`${KERN_ERR}irq event ${irq}: bogus return value ${action_ret.toString(16)}\n`);
  } else {
    k.printk(`${KERN_ERR}irq ${irq}: nobody cared (try booting with the "irqpoll" option)\n`);
  }
  k.dump_stack();
  k.printk(`${KERN_ERR}handlers:\n`);
  for (const action of desc.action) {
    const thread = action.thread_fn
      ? ` threaded [<${hex8(action.addr)}>] ${action.thread_fn.name || '?'}`
      : '';
    k.printk(`${KERN_ERR}[<${hex8(action.addr)}>] ${action.handler.name || '?'}${thread}\n`);
  }
}

/** note_interrupt(irq, desc, action_ret): count unhandled interrupts; disable a stuck line. */
export function note_interrupt(k: Irq, irq: number, desc: irq_desc, action_ret: number): void {
  if ((action_ret & ~(IRQ_HANDLED | IRQ_WAKE_THREAD)) !== 0) {
    __report_bad_irq(k, irq, desc, action_ret);
    return;
  }
  if ((action_ret & (IRQ_HANDLED | IRQ_WAKE_THREAD)) === 0) {
    // If we are seeing only the odd spurious IRQ caused by bus asynchronicity then don't
    // eventually trigger an error, otherwise the counter becomes a doomsday timer.
    const jiffies = k.timers.jiffies;
    if (((jiffies - (desc.last_unhandled + Math.floor(k.timers.HZ / 10))) | 0) > 0) desc.irqs_unhandled = 1;
    else desc.irqs_unhandled++;
    desc.irqs_unhandled_total++;
    desc.last_unhandled = jiffies;
  }
  desc.irq_count++;
  if (desc.irq_count < 100000) return;
  desc.irq_count = 0;
  if (desc.irqs_unhandled > 99900) {
    // The interrupt is stuck
    __report_bad_irq(k, irq, desc, action_ret);
    // Now kill the IRQ
    k.printk(`${KERN_EMERG}Disabling IRQ #${irq}\n`);
    desc.status |= IRQ_DISABLED | IRQ_SPURIOUS_DISABLED;
    desc.depth++;
    k.pic.mask(irq);
  }
  desc.irqs_unhandled = 0;
}
