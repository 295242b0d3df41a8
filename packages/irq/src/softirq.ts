// Softirqs and tasklets: kernel/softirq.c. irq_enter/irq_exit bracket a hard interrupt; on the
// way out, pending softirqs run with the softirq count raised and interrupts enabled, at most
// MAX_SOFTIRQ_RESTART rounds before the rest is left to ksoftirqd. Tasklets ride on HI_SOFTIRQ and
// TASKLET_SOFTIRQ; a tasklet runs on one CPU at a time (TASKLET_STATE_RUN) and once per schedule.

import type { Scheduler, Task } from './kthread.js';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from './kthread.js';
import { HARDIRQ_OFFSET, type Preempt, SOFTIRQ_OFFSET } from './preempt.js';

export const HI_SOFTIRQ = 0;
export const TIMER_SOFTIRQ = 1;
export const NET_TX_SOFTIRQ = 2;
export const NET_RX_SOFTIRQ = 3;
export const BLOCK_SOFTIRQ = 4;
export const IRQ_POLL_SOFTIRQ = 5;
export const TASKLET_SOFTIRQ = 6;
export const SCHED_SOFTIRQ = 7;
export const HRTIMER_SOFTIRQ = 8;
export const RCU_SOFTIRQ = 9;
export const NR_SOFTIRQS = 10;
export const softirq_to_name = [
  'HI',
  'TIMER',
  'NET_TX',
  'NET_RX',
  'BLOCK',
  'IRQ_POLL',
  'TASKLET',
  'SCHED',
  'HRTIMER',
  'RCU',
];
export const MAX_SOFTIRQ_RESTART = 10;
/** SOFTIRQ_DISABLE_OFFSET: local_bh_disable() adds twice the softirq offset. */
export const SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET;

export const TASKLET_STATE_SCHED = 1 << 0;
export const TASKLET_STATE_RUN = 1 << 1;

export interface tasklet_struct {
  /** TASKLET_STATE_SCHED | TASKLET_STATE_RUN */
  state: number;
  /** Disable count: the tasklet runs only at 0. */
  count: number;
  func: (data: number) => void;
  data: number;
}

/** DECLARE_TASKLET / tasklet_init. */
export function tasklet_init(
  t: Partial<tasklet_struct>,
  func: (data: number) => void,
  data: number,
): tasklet_struct {
  const tl = t as tasklet_struct;
  tl.state = 0;
  tl.count = 0;
  tl.func = func;
  tl.data = data;
  return tl;
}

export function DECLARE_TASKLET(func: (data: number) => void, data = 0): tasklet_struct {
  return { state: 0, count: 0, func, data };
}

export class Softirq {
  /** local_softirq_pending() */
  pending = 0;
  readonly vec: (((nr: number) => void) | undefined)[] = new Array(NR_SOFTIRQS).fill(undefined);
  /** Per-softirq run counts (/proc/softirqs). */
  readonly counts = new Array<number>(NR_SOFTIRQS).fill(0);
  private tasklet_vec: tasklet_struct[] = [];
  private tasklet_hi_vec: tasklet_struct[] = [];
  private ksoftirqd: Task | null = null;
  /** Hook run by irq_exit() after the hardirq count drops (the preemption check follows it). */
  onIrqExit: () => void = () => {};
  /** softirq_entry / softirq_exit trace hook. */
  onTrace: ((entry: boolean, vec: number) => void) | null = null;

  constructor(
    private readonly preempt: Preempt,
    private readonly sched: Scheduler,
  ) {
    this.open_softirq(TASKLET_SOFTIRQ, () => this.tasklet_action(false));
    this.open_softirq(HI_SOFTIRQ, () => this.tasklet_action(true));
  }

  open_softirq(nr: number, action: (nr: number) => void): void {
    this.vec[nr] = action;
  }

  /** raise_softirq_irqoff(nr): mark pending; outside interrupt context, wake ksoftirqd. */
  raise_softirq_irqoff(nr: number): void {
    this.pending |= 1 << nr;
    if (!this.preempt.in_interrupt()) this.wakeup_softirqd();
  }

  raise_softirq(nr: number): void {
    const flags = this.preempt.local_irq_save();
    this.raise_softirq_irqoff(nr);
    this.preempt.local_irq_restore(flags);
  }

  /** irq_enter(): entering hard interrupt context. */
  irq_enter(): void {
    this.preempt.add_preempt_count(HARDIRQ_OFFSET);
  }

  /** irq_exit(): leave hardirq context; run pending softirqs unless still in interrupt context. */
  irq_exit(): void {
    this.preempt.sub_preempt_count(HARDIRQ_OFFSET);
    if (!this.preempt.in_interrupt() && this.pending) this.invoke_softirq();
    this.onIrqExit();
  }

  private invoke_softirq(): void {
    this.__do_softirq();
  }

  /** do_softirq(): from process context (local_bh_enable, ksoftirqd). */
  do_softirq(): void {
    if (this.preempt.in_interrupt()) return;
    const flags = this.preempt.local_irq_save();
    if (this.pending) this.__do_softirq();
    this.preempt.local_irq_restore(flags);
  }

  /** __do_softirq(): run pending softirqs with interrupts on, up to MAX_SOFTIRQ_RESTART rounds. */
  __do_softirq(): void {
    let restart = MAX_SOFTIRQ_RESTART;
    let pending = this.pending;
    this.preempt.add_preempt_count(SOFTIRQ_OFFSET);
    for (;;) {
      this.pending = 0;
      this.preempt.local_irq_enable();
      for (let nr = 0; pending; nr++, pending >>>= 1) {
        if (pending & 1) {
          this.counts[nr]++;
          this.onTrace?.(true, nr);
          this.vec[nr]?.(nr);
          this.onTrace?.(false, nr);
        }
      }
      this.preempt.local_irq_disable();
      pending = this.pending;
      if (pending && --restart) continue;
      break;
    }
    this.preempt.sub_preempt_count(SOFTIRQ_OFFSET);
    if (this.pending) this.wakeup_softirqd();
  }

  /** local_bh_disable() / local_bh_enable() */
  local_bh_disable(): void {
    this.preempt.add_preempt_count(SOFTIRQ_DISABLE_OFFSET);
  }
  local_bh_enable(): void {
    this.preempt.sub_preempt_count(SOFTIRQ_DISABLE_OFFSET);
    if (!this.preempt.in_interrupt() && this.pending) this.do_softirq();
  }

  private wakeup_softirqd(): void {
    if (!this.ksoftirqd) {
      const self = this;
      this.ksoftirqd = this.sched.kthread_run(function* () {
        for (;;) {
          self.sched.set_current_state(TASK_RUNNING);
          self.do_softirq();
          // run_ksoftirqd: sleep only when nothing is pending; otherwise let others run first
          if (!self.pending) self.sched.set_current_state(TASK_INTERRUPTIBLE);
          yield;
        }
      }, 'ksoftirqd/0');
      return;
    }
    this.sched.wake_up_process(this.ksoftirqd);
  }

  /** tasklet_schedule(t): queue it unless already scheduled. */
  tasklet_schedule(t: tasklet_struct): void {
    if (t.state & TASKLET_STATE_SCHED) return;
    t.state |= TASKLET_STATE_SCHED;
    const flags = this.preempt.local_irq_save();
    this.tasklet_vec.push(t);
    this.raise_softirq_irqoff(TASKLET_SOFTIRQ);
    this.preempt.local_irq_restore(flags);
  }

  tasklet_hi_schedule(t: tasklet_struct): void {
    if (t.state & TASKLET_STATE_SCHED) return;
    t.state |= TASKLET_STATE_SCHED;
    const flags = this.preempt.local_irq_save();
    this.tasklet_hi_vec.push(t);
    this.raise_softirq_irqoff(HI_SOFTIRQ);
    this.preempt.local_irq_restore(flags);
  }

  tasklet_disable_nosync(t: tasklet_struct): void {
    t.count++;
  }
  tasklet_disable(t: tasklet_struct): void {
    t.count++;
  }
  tasklet_enable(t: tasklet_struct): void {
    t.count--;
  }

  /** tasklet_kill(t): make sure it is not scheduled (it is never running here on return). */
  tasklet_kill(t: tasklet_struct): void {
    this.tasklet_vec = this.tasklet_vec.filter((x) => x !== t);
    this.tasklet_hi_vec = this.tasklet_hi_vec.filter((x) => x !== t);
    t.state &= ~TASKLET_STATE_SCHED;
  }

  private tasklet_action(hi: boolean): void {
    this.preempt.local_irq_disable();
    const list = hi ? this.tasklet_hi_vec : this.tasklet_vec;
    if (hi) this.tasklet_hi_vec = [];
    else this.tasklet_vec = [];
    this.preempt.local_irq_enable();
    for (const t of list) {
      if (!(t.state & TASKLET_STATE_RUN)) {
        t.state |= TASKLET_STATE_RUN; // tasklet_trylock
        if (t.count === 0) {
          t.state &= ~TASKLET_STATE_SCHED;
          t.func(t.data);
          t.state &= ~TASKLET_STATE_RUN;
          continue;
        }
        t.state &= ~TASKLET_STATE_RUN;
      }
      // disabled or running elsewhere: put it back and try again later
      this.preempt.local_irq_disable();
      (hi ? this.tasklet_hi_vec : this.tasklet_vec).push(t);
      this.pending |= 1 << (hi ? HI_SOFTIRQ : TASKLET_SOFTIRQ);
      this.preempt.local_irq_enable();
    }
  }
}
