// struct irq_desc and struct irqaction: kernel/irq/irqdesc.c, include/linux/irqdesc.h,
// include/linux/interrupt.h. One descriptor per legacy line (NR_IRQS = 16 on the PC's 8259A pair),
// each with its chain of actions (one per request_irq on the line).

import type { Task } from './kthread.js';

export const NR_IRQS = 16;

/** irqreturn_t */
export const IRQ_NONE = 0;
export const IRQ_HANDLED = 1;
export const IRQ_WAKE_THREAD = 2;
export type irqreturn_t = number;

export type irq_handler_t = (irq: number, dev_id: unknown) => irqreturn_t;

/** request_irq flags (include/linux/interrupt.h), with the old SA_* names. */
export const IRQF_TRIGGER_NONE = 0x00000000;
export const IRQF_TRIGGER_RISING = 0x00000001;
export const IRQF_TRIGGER_FALLING = 0x00000002;
export const IRQF_TRIGGER_HIGH = 0x00000004;
export const IRQF_TRIGGER_LOW = 0x00000008;
export const IRQF_TRIGGER_MASK =
  IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW | IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING;
export const IRQF_DISABLED = 0x00000020;
export const IRQF_SAMPLE_RANDOM = 0x00000040;
export const IRQF_SHARED = 0x00000080;
export const IRQF_PROBE_SHARED = 0x00000100;
export const IRQF_TIMER = 0x00000200;
export const IRQF_PERCPU = 0x00000400;
export const IRQF_NOBALANCING = 0x00000800;
export const IRQF_IRQPOLL = 0x00001000;
export const IRQF_ONESHOT = 0x00002000;
export const SA_INTERRUPT = IRQF_DISABLED;
export const SA_SAMPLE_RANDOM = IRQF_SAMPLE_RANDOM;
export const SA_SHIRQ = IRQF_SHARED;

/** irq_desc status bits (the 2.6 IRQ_* flags). */
export const IRQ_INPROGRESS = 0x00000100;
export const IRQ_DISABLED = 0x00000200;
export const IRQ_PENDING = 0x00000400;
export const IRQ_MASKED = 0x00004000;
export const IRQ_SPURIOUS_DISABLED = 0x00800000;
export const IRQ_NOREQUEST = 0x00040000;

/** Thread flags of an action (IRQTF_*). */
export const IRQTF_RUNTHREAD = 0;

export interface irqaction {
  handler: irq_handler_t;
  thread_fn: irq_handler_t | null;
  flags: number;
  name: string;
  dev_id: unknown;
  /** Guest address of the kmalloc'd struct irqaction. */
  addr: number;
  /** The handler thread ("irq/N-name") of a threaded action. */
  thread: Task | null;
  /** IRQTF_RUNTHREAD: the hard handler asked the thread to run. */
  thread_flags: number;
}

export interface irq_desc {
  irq: number;
  /** Chain of actions, in request order. */
  action: irqaction[];
  status: number;
  /** disable_irq() nesting depth. */
  depth: number;
  /** For the unhandled-interrupt detector (spurious.c). */
  irq_count: number;
  irqs_unhandled: number;
  last_unhandled: number;
  /** kstat_irqs: interrupts on this line, CPU 0. */
  kstat_irqs: number;
  /** The irq_chip name ("XT-PIC") and the flow name ("XT") shown in /proc/interrupts. */
  chip_name: string;
  name: string;
  /** Oneshot threads still running (the line stays masked until they are done). */
  threads_oneshot: number;
  /** Interrupts nobody handled, in total. */
  irqs_unhandled_total: number;
}

export function alloc_desc(irq: number): irq_desc {
  return {
    irq,
    action: [],
    status: IRQ_DISABLED,
    depth: 1,
    irq_count: 0,
    irqs_unhandled: 0,
    last_unhandled: 0,
    kstat_irqs: 0,
    chip_name: 'XT-PIC',
    name: 'XT',
    threads_oneshot: 0,
    irqs_unhandled_total: 0,
  };
}

/** sizeof(struct irqaction) on i386 (handler, dev_id, percpu_dev_id, next, thread_fn, thread, secondary, irq, flags, thread_flags, thread_mask, name, dir). */
export const SIZEOF_IRQACTION = 52;
