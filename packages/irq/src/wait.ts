// Wait queues: include/linux/wait.h and kernel/sched/wait.c. A wait_queue_head holds entries, each
// naming a task and a wake function; wake_up() walks them and wakes the tasks. The wait_event*
// family are generators a kernel thread runs with `yield*` (each `yield` is one schedule()).

import {
  type Scheduler,
  TASK_INTERRUPTIBLE,
  TASK_NORMAL,
  TASK_RUNNING,
  TASK_UNINTERRUPTIBLE,
  type Task,
} from './kthread.js';

export const WQ_FLAG_EXCLUSIVE = 0x01;
export const ERESTARTSYS = 512;

export type wait_queue_func_t = (
  wq_entry: wait_queue_entry,
  mode: number,
  flags: number,
  key: unknown,
) => number;

export interface wait_queue_entry {
  flags: number;
  private: Task | null;
  func: wait_queue_func_t;
}

export interface wait_queue_head {
  name: string;
  head: wait_queue_entry[];
}

/** init_waitqueue_head(wq_head) */
export function init_waitqueue_head(wq: wait_queue_head): void {
  wq.head = [];
}

/** DECLARE_WAIT_QUEUE_HEAD(name): a statically initialised head. */
export function DECLARE_WAIT_QUEUE_HEAD(name = 'wq'): wait_queue_head {
  return { name, head: [] };
}

/** default_wake_function / autoremove_wake_function: wake the entry's task if it is in `mode`. */
export function default_wake_function(sched: Scheduler): wait_queue_func_t {
  return (wq_entry, mode) => (wq_entry.private && sched.wake_up_state(wq_entry.private, mode) ? 1 : 0);
}

/** DEFINE_WAIT(name) for the current task. */
export function init_wait_entry(sched: Scheduler, flags = 0): wait_queue_entry {
  return { flags, private: sched.current(), func: default_wake_function(sched) };
}

export function add_wait_queue(wq: wait_queue_head, e: wait_queue_entry): void {
  e.flags &= ~WQ_FLAG_EXCLUSIVE;
  wq.head.unshift(e);
}

export function add_wait_queue_exclusive(wq: wait_queue_head, e: wait_queue_entry): void {
  e.flags |= WQ_FLAG_EXCLUSIVE;
  wq.head.push(e);
}

export function remove_wait_queue(wq: wait_queue_head, e: wait_queue_entry): void {
  const i = wq.head.indexOf(e);
  if (i >= 0) wq.head.splice(i, 1);
}

export function waitqueue_active(wq: wait_queue_head): boolean {
  return wq.head.length > 0;
}

/** prepare_to_wait(): queue the entry (once) and set the task state. */
export function prepare_to_wait(
  sched: Scheduler,
  wq: wait_queue_head,
  e: wait_queue_entry,
  state: number,
): void {
  e.flags &= ~WQ_FLAG_EXCLUSIVE;
  if (!wq.head.includes(e)) wq.head.unshift(e);
  sched.set_current_state(state);
}

export function prepare_to_wait_exclusive(
  sched: Scheduler,
  wq: wait_queue_head,
  e: wait_queue_entry,
  state: number,
): void {
  e.flags |= WQ_FLAG_EXCLUSIVE;
  if (!wq.head.includes(e)) wq.head.push(e);
  sched.set_current_state(state);
}

/** finish_wait(): back to TASK_RUNNING and off the queue. */
export function finish_wait(sched: Scheduler, wq: wait_queue_head, e: wait_queue_entry): void {
  sched.set_current_state(TASK_RUNNING);
  remove_wait_queue(wq, e);
}

/**
 * __wake_up(wq_head, mode, nr_exclusive, key): wakes every non-exclusive waiter and up to
 * `nr_exclusive` exclusive ones (0: all). Returns the number of tasks woken.
 */
export function __wake_up(
  wq: wait_queue_head,
  mode: number,
  nr_exclusive: number,
  key: unknown = null,
): number {
  let woken = 0;
  for (const e of [...wq.head]) {
    const ret = e.func(e, mode, 0, key);
    if (ret) woken++;
    if (ret && e.flags & WQ_FLAG_EXCLUSIVE && --nr_exclusive === 0) break;
  }
  return woken;
}

/** wake_up(x): TASK_NORMAL sleepers, one exclusive. */
export const wake_up = (wq: wait_queue_head): number => __wake_up(wq, TASK_NORMAL, 1);
export const wake_up_nr = (wq: wait_queue_head, nr: number): number => __wake_up(wq, TASK_NORMAL, nr);
export const wake_up_all = (wq: wait_queue_head): number => __wake_up(wq, TASK_NORMAL, 0);
/** wake_up_interruptible(x): only TASK_INTERRUPTIBLE sleepers. */
export const wake_up_interruptible = (wq: wait_queue_head): number => __wake_up(wq, TASK_INTERRUPTIBLE, 1);
export const wake_up_interruptible_all = (wq: wait_queue_head): number =>
  __wake_up(wq, TASK_INTERRUPTIBLE, 0);

/** What wait_event needs besides the queue: the scheduler and might_sleep(). */
export interface WaitContext {
  sched: Scheduler;
  /** might_sleep(): reports and returns false when sleeping is not allowed here. */
  might_sleep(): boolean;
}

/**
 * wait_event(wq_head, condition): sleep in TASK_UNINTERRUPTIBLE until `condition()` is true.
 * In atomic context (or with no task to put to sleep) it reports and returns without sleeping.
 */
export function* wait_event(
  ctx: WaitContext,
  wq: wait_queue_head,
  condition: () => boolean,
): Generator<void, void, void> {
  if (condition()) return;
  if (!ctx.might_sleep() || !ctx.sched.current()) return;
  const e = init_wait_entry(ctx.sched);
  for (;;) {
    prepare_to_wait(ctx.sched, wq, e, TASK_UNINTERRUPTIBLE);
    if (condition()) break;
    yield;
  }
  finish_wait(ctx.sched, wq, e);
}

/**
 * wait_event_interruptible(wq_head, condition): like wait_event in TASK_INTERRUPTIBLE; returns 0
 * when the condition came true, -ERESTARTSYS when a signal arrived first (or sleeping was refused).
 */
export function* wait_event_interruptible(
  ctx: WaitContext,
  wq: wait_queue_head,
  condition: () => boolean,
): Generator<void, number, void> {
  if (condition()) return 0;
  if (!ctx.might_sleep()) return -ERESTARTSYS;
  const task = ctx.sched.current();
  if (!task) return -ERESTARTSYS;
  const e = init_wait_entry(ctx.sched);
  let ret = 0;
  for (;;) {
    prepare_to_wait(ctx.sched, wq, e, TASK_INTERRUPTIBLE);
    if (condition()) break;
    if (task.sigpending) {
      ret = -ERESTARTSYS;
      break;
    }
    yield;
  }
  finish_wait(ctx.sched, wq, e);
  return ret;
}
