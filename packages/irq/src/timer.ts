// Time: jiffies and jiffies_64 advanced by the timer interrupt at HZ, and timer_list timers run from
// TIMER_SOFTIRQ (kernel/time/timer.c, include/linux/jiffies.h). schedule_timeout / msleep are
// generators for kernel threads.

import { type Scheduler, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE } from './kthread.js';
import { type Softirq, TIMER_SOFTIRQ } from './softirq.js';

export const HZ = 250;
/** INITIAL_JIFFIES: jiffies wrap five minutes after boot, so wrap bugs show early. */
export const INITIAL_JIFFIES = (-300 * HZ) >>> 0;
export const MAX_SCHEDULE_TIMEOUT = 0x7fffffff;

export interface timer_list {
  /** jiffies value at which it fires. */
  expires: number;
  function: ((data: number) => void) | null;
  data: number;
  /** timer_pending(): queued and not yet run. */
  pending: boolean;
  /** Order of arming, to keep same-jiffy timers in FIFO order. */
  seq: number;
}

/** time_after(a, b): a is later than b, modulo wrap-around. */
export const time_after = (a: number, b: number): boolean => ((b - a) | 0) < 0;
export const time_before = (a: number, b: number): boolean => time_after(b, a);
export const time_after_eq = (a: number, b: number): boolean => ((a - b) | 0) >= 0;
export const time_before_eq = (a: number, b: number): boolean => time_after_eq(b, a);

export function DEFINE_TIMER(fn: (data: number) => void, data = 0): timer_list {
  return { expires: 0, function: fn, data, pending: false, seq: 0 };
}

export class Timers {
  readonly HZ: number;
  /** jiffies_64 (a number: exact up to 2^53 ticks). */
  jiffies_64: number;
  private readonly pending: timer_list[] = [];
  private seq = 0;

  constructor(
    private readonly softirq: Softirq,
    private readonly sched: Scheduler,
    hz = HZ,
  ) {
    this.HZ = hz;
    this.jiffies_64 = (-300 * hz) >>> 0;
    softirq.open_softirq(TIMER_SOFTIRQ, () => this.run_timer_softirq());
  }

  /** jiffies: the low 32 bits of jiffies_64. */
  get jiffies(): number {
    return this.jiffies_64 % 0x1_0000_0000;
  }

  get_jiffies_64(): number {
    return this.jiffies_64;
  }

  msecs_to_jiffies(m: number): number {
    return Math.ceil((m * this.HZ) / 1000);
  }
  jiffies_to_msecs(j: number): number {
    return Math.floor((j * 1000) / this.HZ);
  }

  init_timer(t: Partial<timer_list>): timer_list {
    const timer = t as timer_list;
    timer.pending = false;
    timer.expires ??= 0;
    timer.function ??= null;
    timer.data ??= 0;
    timer.seq = 0;
    return timer;
  }

  setup_timer(t: Partial<timer_list>, fn: (data: number) => void, data: number): timer_list {
    const timer = this.init_timer(t);
    timer.function = fn;
    timer.data = data;
    return timer;
  }

  timer_pending(t: timer_list): boolean {
    return t.pending;
  }

  /** mod_timer(timer, expires): (re)arm; returns 1 if it was pending. */
  mod_timer(t: timer_list, expires: number): number {
    const was = this.detach(t);
    t.expires = expires >>> 0;
    t.pending = true;
    t.seq = ++this.seq;
    this.pending.push(t);
    return was ? 1 : 0;
  }

  /** add_timer(timer): arm at timer.expires. */
  add_timer(t: timer_list): void {
    this.mod_timer(t, t.expires);
  }

  /** del_timer(timer): returns 1 if it was pending. */
  del_timer(t: timer_list): number {
    return this.detach(t) ? 1 : 0;
  }

  del_timer_sync(t: timer_list): number {
    return this.del_timer(t);
  }

  private detach(t: timer_list): boolean {
    if (!t.pending) return false;
    const i = this.pending.indexOf(t);
    if (i >= 0) this.pending.splice(i, 1);
    t.pending = false;
    return true;
  }

  /** do_timer(ticks): advance jiffies_64 (from the timer interrupt). */
  do_timer(ticks: number): void {
    this.jiffies_64 += ticks;
  }

  /** run_local_timers(): raise TIMER_SOFTIRQ when a timer is due. */
  run_local_timers(): void {
    const now = this.jiffies;
    for (const t of this.pending) {
      if (time_after_eq(now, t.expires)) {
        this.softirq.raise_softirq(TIMER_SOFTIRQ);
        return;
      }
    }
  }

  /** run_timer_softirq / __run_timers: run every expired timer, oldest deadline first. */
  run_timer_softirq(): void {
    const now = this.jiffies;
    const due = this.pending
      .filter((t) => time_after_eq(now, t.expires))
      .sort((a, b) => (a.expires - b.expires) | 0 || a.seq - b.seq);
    for (const t of due) {
      if (!t.pending || !time_after_eq(now, t.expires)) continue;
      this.detach(t);
      t.function?.(t.data);
    }
  }

  /** Timers armed and not yet run. */
  get nr_pending(): number {
    return this.pending.length;
  }

  /**
   * schedule_timeout(timeout): sleep (in the state the caller set) until woken or `timeout`
   * jiffies pass. Returns the jiffies left (0 when it timed out).
   */
  *schedule_timeout(timeout: number): Generator<void, number, void> {
    const task = this.sched.current();
    if (!task || timeout >= MAX_SCHEDULE_TIMEOUT) {
      yield;
      return timeout;
    }
    const expire = (this.jiffies + timeout) >>> 0;
    const timer = this.setup_timer({}, () => this.sched.wake_up_process(task), 0);
    this.mod_timer(timer, expire);
    yield;
    this.del_timer_sync(timer);
    const left = (expire - this.jiffies) | 0;
    return Math.max(left, 0);
  }

  *schedule_timeout_interruptible(timeout: number): Generator<void, number, void> {
    this.sched.set_current_state(TASK_INTERRUPTIBLE);
    return yield* this.schedule_timeout(timeout);
  }

  *schedule_timeout_uninterruptible(timeout: number): Generator<void, number, void> {
    this.sched.set_current_state(TASK_UNINTERRUPTIBLE);
    return yield* this.schedule_timeout(timeout);
  }

  /** msleep(msecs): sleep at least msecs milliseconds. */
  *msleep(msecs: number): Generator<void, void, void> {
    let timeout = this.msecs_to_jiffies(msecs) + 1;
    while (timeout) timeout = yield* this.schedule_timeout_uninterruptible(timeout);
  }
}
