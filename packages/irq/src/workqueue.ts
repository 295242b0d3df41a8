// Workqueues (kernel/workqueue.c, 2.6 style): deferred work that runs in process context in a
// worker kernel thread ("events/0" for schedule_work, "<name>/0" for create_workqueue), so it
// may sleep. A work item is queued once until it has started running (WORK_STRUCT_PENDING).

import { type Scheduler, TASK_INTERRUPTIBLE, TASK_RUNNING, type Task } from './kthread.js';
import type { Timers, timer_list } from './timer.js';
import { DECLARE_WAIT_QUEUE_HEAD, type wait_queue_head, wake_up_all } from './wait.js';

/** A work function; it may return a generator to sleep (`yield` = schedule()). */
export type work_func_t = (work: work_struct) => void | Generator<void, unknown, void>;

export interface work_struct {
  func: work_func_t;
  /** WORK_STRUCT_PENDING: queued and not yet started. */
  pending: boolean;
  wq: workqueue_struct | null;
}

export interface delayed_work {
  work: work_struct;
  timer: timer_list;
}

export interface workqueue_struct {
  name: string;
  worklist: work_struct[];
  worker: Task;
  /** Work items run so far. */
  completed: number;
  /** Work items currently running (0 or 1: one worker). */
  running: number;
  /** Woken whenever a work item finishes (flush_workqueue waits here). */
  done: wait_queue_head;
}

/** INIT_WORK(work, func) */
export function INIT_WORK(work: Partial<work_struct>, func: work_func_t): work_struct {
  const w = work as work_struct;
  w.func = func;
  w.pending = false;
  w.wq = null;
  return w;
}

export function DECLARE_WORK(func: work_func_t): work_struct {
  return { func, pending: false, wq: null };
}

function isGenerator(v: unknown): v is Generator<void, unknown, void> {
  return typeof v === 'object' && v !== null && typeof (v as Generator).next === 'function';
}

export class Workqueues {
  /** The shared queue behind schedule_work ("events"). */
  readonly system_wq: workqueue_struct;

  constructor(
    private readonly sched: Scheduler,
    private readonly timers: Timers,
  ) {
    this.system_wq = this.create_workqueue('events');
  }

  /** create_workqueue(name): a queue with its own worker thread "<name>/0". */
  create_workqueue(name: string): workqueue_struct {
    const sched = this.sched;
    const wq = {
      name,
      worklist: [],
      completed: 0,
      running: 0,
      done: DECLARE_WAIT_QUEUE_HEAD(`${name}-done`),
    } as Omit<workqueue_struct, 'worker'> as workqueue_struct;
    wq.worker = sched.kthread_run(function* worker_thread() {
      for (;;) {
        sched.set_current_state(TASK_INTERRUPTIBLE);
        if (wq.worklist.length === 0) {
          yield;
          continue;
        }
        sched.set_current_state(TASK_RUNNING);
        const work = wq.worklist.shift()!;
        work.pending = false;
        wq.running++;
        const r = work.func(work);
        if (isGenerator(r)) yield* r;
        wq.running--;
        wq.completed++;
        wake_up_all(wq.done);
      }
    }, `${name}/0`);
    return wq;
  }

  create_singlethread_workqueue(name: string): workqueue_struct {
    return this.create_workqueue(name);
  }

  /** destroy_workqueue(wq): stop its worker (pending work is dropped). */
  destroy_workqueue(wq: workqueue_struct): void {
    for (const w of wq.worklist) w.pending = false;
    wq.worklist.length = 0;
    this.sched.kthread_stop(wq.worker);
  }

  /** queue_work(wq, work): false if it was already pending. */
  queue_work(wq: workqueue_struct, work: work_struct): boolean {
    if (work.pending) return false;
    work.pending = true;
    work.wq = wq;
    wq.worklist.push(work);
    this.sched.wake_up_process(wq.worker);
    return true;
  }

  /** schedule_work(work): queue on the shared "events" workqueue. */
  schedule_work(work: work_struct): boolean {
    return this.queue_work(this.system_wq, work);
  }

  INIT_DELAYED_WORK(dwork: Partial<delayed_work>, func: work_func_t): delayed_work {
    const d = dwork as delayed_work;
    d.work = INIT_WORK({}, func);
    d.timer = this.timers.init_timer({});
    return d;
  }

  /** queue_delayed_work(wq, dwork, delay): queue after `delay` jiffies. */
  queue_delayed_work(wq: workqueue_struct, dwork: delayed_work, delay: number): boolean {
    if (dwork.work.pending) return false;
    if (delay === 0) return this.queue_work(wq, dwork.work);
    dwork.work.pending = true;
    dwork.timer.function = () => {
      dwork.work.pending = false;
      this.queue_work(wq, dwork.work);
    };
    this.timers.mod_timer(dwork.timer, this.timers.jiffies + delay);
    return true;
  }

  schedule_delayed_work(dwork: delayed_work, delay: number): boolean {
    return this.queue_delayed_work(this.system_wq, dwork, delay);
  }

  /** cancel_delayed_work(dwork): true if it was pending (timer or queue). */
  cancel_delayed_work(dwork: delayed_work): boolean {
    const hadTimer = this.timers.del_timer(dwork.timer) === 1;
    const q = dwork.work.wq;
    let queued = false;
    if (q) {
      const i = q.worklist.indexOf(dwork.work);
      if (i >= 0) {
        q.worklist.splice(i, 1);
        queued = true;
      }
    }
    dwork.work.pending = false;
    return hadTimer || queued;
  }

  /** flush_workqueue(wq): sleep until everything queued so far has run (a generator). */
  *flush_workqueue(wq: workqueue_struct): Generator<void, void, void> {
    while (wq.worklist.length > 0 || wq.running > 0) {
      const me = this.sched.current();
      if (!me) return;
      this.sched.set_current_state(TASK_INTERRUPTIBLE);
      const entry = { flags: 0, private: me, func: () => (this.sched.wake_up_process(me) ? 1 : 0) };
      wq.done.head.push(entry);
      yield;
      const i = wq.done.head.indexOf(entry);
      if (i >= 0) wq.done.head.splice(i, 1);
    }
  }

  flush_scheduled_work(): Generator<void, void, void> {
    return this.flush_workqueue(this.system_wq);
  }
}
