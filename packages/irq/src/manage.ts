// Installing and removing interrupt handlers: kernel/irq/manage.c. request_threaded_irq checks
// the request, allocates the irqaction (kzalloc, GFP_KERNEL), and __setup_irq adds it to the line:
// a second action only if both agree to share; the first one enables the line and makes
// /proc/irq/N/ appear. free_irq removes the action whose dev_id matches and shuts the line down
// when the last one goes.

import { irq_finalize_oneshot } from './handle.js';
import type { Irq } from './irq.js';
import {
  IRQ_DISABLED,
  IRQ_HANDLED,
  IRQ_INPROGRESS,
  IRQ_NOREQUEST,
  IRQ_PENDING,
  IRQ_SPURIOUS_DISABLED,
  IRQ_WAKE_THREAD,
  IRQF_ONESHOT,
  IRQF_PROBE_SHARED,
  IRQF_SHARED,
  IRQF_TRIGGER_MASK,
  IRQTF_RUNTHREAD,
  type irq_handler_t,
  type irqaction,
  NR_IRQS,
  SIZEOF_IRQACTION,
} from './irqdesc.js';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from './kthread.js';
import { KERN_ERR } from './printk.js';

export const EINVAL = 22;
export const EBUSY = 16;
export const ENOMEM = 12;
export const ENOSYS = 38;

/** irq_default_primary_handler: the hard half of a handler=NULL threaded request. */
export const irq_default_primary_handler: irq_handler_t = function irq_default_primary_handler() {
  return IRQ_WAKE_THREAD;
};

/** no_action: the handler of the cascade line. */
export const no_action: irq_handler_t = function no_action() {
  return 0;
};

function irq_thread(k: Irq, irq: number, action: irqaction) {
  const desc = k.irq_desc[irq];
  return function* irq_thread_fn(): Generator<void, void, void> {
    for (;;) {
      k.sched.set_current_state(TASK_INTERRUPTIBLE);
      if (!(action.thread_flags & (1 << IRQTF_RUNTHREAD))) {
        yield;
        continue;
      }
      k.sched.set_current_state(TASK_RUNNING);
      action.thread_flags &= ~(1 << IRQTF_RUNTHREAD);
      action.thread_fn?.(irq, action.dev_id);
      irq_finalize_oneshot(k, desc, action);
    }
  };
}

/** __setup_irq(irq, desc, new): add an action to a line. Returns 0 or -EBUSY. */
export function __setup_irq(k: Irq, irq: number, action: irqaction): number {
  const desc = k.irq_desc[irq];
  let shared = false;
  const old = desc.action[0];
  if (old) {
    // Can't share interrupts unless both agree to and are the same type (level, edge, oneshot).
    if (
      !(old.flags & action.flags & IRQF_SHARED) ||
      (old.flags ^ action.flags) & IRQF_TRIGGER_MASK ||
      (old.flags ^ action.flags) & IRQF_ONESHOT
    ) {
      if (!(action.flags & IRQF_PROBE_SHARED)) {
        k.printk(`${KERN_ERR}IRQ handler type mismatch for IRQ ${irq}\n`);
        k.printk(`${KERN_ERR}current handler: ${old.name}\n`);
        k.dump_stack();
      }
      return -EBUSY;
    }
    shared = true;
  }
  if (action.thread_fn) {
    action.thread = k.sched.kthread_run(irq_thread(k, irq, action), `irq/${irq}-${action.name}`);
  }
  desc.action.push(action);
  if (!shared) {
    desc.status &= ~(IRQ_DISABLED | IRQ_INPROGRESS | IRQ_PENDING | IRQ_SPURIOUS_DISABLED);
    desc.depth = 0;
    desc.threads_oneshot = 0;
    k.pic.unmask(irq); // irq_startup
  }
  desc.irq_count = 0;
  desc.irqs_unhandled = 0;
  // A shared line disabled as spurious is tried again with the new handler (it may be the one).
  if (shared && desc.status & IRQ_SPURIOUS_DISABLED) {
    desc.status &= ~IRQ_SPURIOUS_DISABLED;
    __enable_irq(k, irq);
  }
  k.register_irq_proc(irq);
  k.register_handler_proc(irq, action.name);
  return 0;
}

/** request_threaded_irq(irq, handler, thread_fn, irqflags, devname, dev_id) */
export function request_threaded_irq(
  k: Irq,
  irq: number,
  handler: irq_handler_t | null,
  thread_fn: irq_handler_t | null,
  irqflags: number,
  devname: string,
  dev_id: unknown,
): number {
  // Lockdep wants atomic interrupt handlers; shared interrupts need a dev_id to tell them apart.
  if (irqflags & IRQF_SHARED && (dev_id === null || dev_id === undefined || dev_id === 0)) return -EINVAL;
  if (!Number.isInteger(irq) || irq < 0 || irq >= NR_IRQS) return -EINVAL;
  const desc = k.irq_desc[irq];
  if (desc.status & IRQ_NOREQUEST) return -EINVAL;
  if (!handler) {
    if (!thread_fn) return -EINVAL;
    handler = irq_default_primary_handler;
  }
  if (handler === irq_default_primary_handler && !(irqflags & IRQF_ONESHOT)) {
    k.printk(`${KERN_ERR}Threaded irq requested with handler=NULL and !ONESHOT for irq ${irq}\n`);
    return -EINVAL;
  }
  const addr = k.kzalloc(SIZEOF_IRQACTION);
  if (!addr) return -ENOMEM;
  const action: irqaction = {
    handler,
    thread_fn,
    flags: irqflags,
    name: devname,
    dev_id,
    addr,
    thread: null,
    thread_flags: 0,
  };
  const retval = __setup_irq(k, irq, action);
  if (retval) k.kfree(addr);
  return retval;
}

/** request_irq(irq, handler, flags, name, dev) */
export function request_irq(
  k: Irq,
  irq: number,
  handler: irq_handler_t,
  flags: number,
  name: string,
  dev: unknown,
): number {
  return request_threaded_irq(k, irq, handler, null, flags, name, dev);
}

/** free_irq(irq, dev_id): remove the action with this dev_id; returns its devname, or null. */
export function free_irq(k: Irq, irq: number, dev_id: unknown): string | null {
  if (!Number.isInteger(irq) || irq < 0 || irq >= NR_IRQS) return null;
  const desc = k.irq_desc[irq];
  const i = desc.action.findIndex((a) => a.dev_id === dev_id);
  if (i < 0) {
    k.WARN(`Trying to free already-free IRQ ${irq}`);
    return null;
  }
  const [action] = desc.action.splice(i, 1);
  if (desc.action.length === 0) {
    desc.status |= IRQ_DISABLED;
    k.pic.mask(irq); // irq_shutdown
  }
  k.unregister_handler_proc(irq, action.name);
  if (action.thread) k.sched.kthread_stop(action.thread);
  k.kfree(action.addr);
  return action.name;
}

/** disable_irq_nosync(irq): mask the line; nests. */
export function disable_irq_nosync(k: Irq, irq: number): void {
  const desc = k.irq_desc[irq];
  if (!desc) return;
  if (!desc.depth++) {
    desc.status |= IRQ_DISABLED;
    k.pic.mask(irq);
  }
}

/** disable_irq(irq): as disable_irq_nosync, and the handler is not running on return (UP). */
export function disable_irq(k: Irq, irq: number): void {
  disable_irq_nosync(k, irq);
}

function __enable_irq(k: Irq, irq: number): void {
  const desc = k.irq_desc[irq];
  switch (desc.depth) {
    case 0:
      k.WARN(`Unbalanced enable for IRQ ${irq}`);
      break;
    case 1:
      desc.status &= ~IRQ_DISABLED;
      desc.depth = 0;
      if (desc.action.length > 0 && desc.threads_oneshot === 0) k.pic.unmask(irq);
      break;
    default:
      desc.depth--;
  }
}

/** enable_irq(irq): undo one disable_irq; the line is unmasked when the depth reaches zero. */
export function enable_irq(k: Irq, irq: number): void {
  if (!k.irq_desc[irq]) return;
  __enable_irq(k, irq);
}

/** setup_irq(irq, action): install a static action (the cascade, the timer) without allocating. */
export function setup_irq(k: Irq, irq: number, handler: irq_handler_t, flags: number, name: string): number {
  return __setup_irq(k, irq, {
    handler,
    thread_fn: null,
    flags,
    name,
    dev_id: null,
    addr: 0,
    thread: null,
    thread_flags: 0,
  });
}

export { IRQ_HANDLED };
