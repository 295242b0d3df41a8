// Kernel threads and the little scheduler the IRQ layer needs: workqueue workers, threaded IRQ
// handlers and ksoftirqd are kernel threads, and a sleeper on a wait queue is a task. A thread's
// body is a generator: `yield` is schedule(). The kernel core can supply its own Scheduler (with
// real kernel stacks and context switches); this default one runs runnable threads, in process
// context, at the preemption point on the way out of an interrupt and whenever `run()` is called.
// Mirrors kernel/kthread.c and the try_to_wake_up/schedule contract of kernel/sched/core.c.

export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;
export const TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;
export const TASK_DEAD = 64;

/** What a kernel thread body yields to: nothing (yield is schedule()). */
export type Schedule = Generator<void, void, void>;
/** A kernel thread body. */
export type ThreadFn = () => Generator<void, unknown, void>;

export interface Task {
  pid: number;
  comm: string;
  /** TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE or TASK_DEAD. */
  state: number;
  /** A signal is pending (signal_pending()). */
  sigpending: boolean;
}

/** The scheduler services the IRQ layer uses; the kernel core may provide its own. */
export interface Scheduler {
  /** `current`, or null while guest code with no TypeScript task (the idle loop, a user program) runs. */
  current(): Task | null;
  kthread_run(fn: ThreadFn, name: string): Task;
  /** try_to_wake_up(task, TASK_NORMAL): true if the task was sleeping and is now runnable. */
  wake_up_process(task: Task): boolean;
  /** Wakes the task only if its state is in `state`. */
  wake_up_state(task: Task, state: number): boolean;
  set_current_state(state: number): void;
  /** TIF_NEED_RESCHED: a wake-up made a task runnable. */
  need_resched: boolean;
  /** The preemption point on return from an interrupt to a preemptible context. */
  schedule_from_irq(): void;
  /** Stops a kernel thread (kthread_stop): it is not run again. */
  kthread_stop(task: Task): void;
}

interface KTask extends Task {
  body: Generator<void, unknown, void>;
  queued: boolean;
}

/** The default Scheduler: runs TypeScript kernel threads to their next schedule() in FIFO order. */
export class Kthreads implements Scheduler {
  private readonly runqueue: KTask[] = [];
  private readonly tasks = new Map<number, KTask>();
  private cur: KTask | null = null;
  private running = false;
  private nextPid: number;
  /** Called around a run of threads: enter/leave process context (IF on, preempt_count 0). */
  enter: () => () => void = () => () => {};
  /** Set when a wake-up made a task runnable (TIF_NEED_RESCHED). */
  need_resched = false;
  /** Context switches so far. */
  switches = 0;

  constructor(firstPid = 2) {
    this.nextPid = firstPid;
  }

  current(): Task | null {
    return this.cur;
  }

  kthread_create(fn: ThreadFn, name: string): Task {
    const task: KTask = {
      pid: this.nextPid++,
      comm: name.slice(0, 15),
      state: TASK_UNINTERRUPTIBLE,
      sigpending: false,
      body: fn(),
      queued: false,
    };
    this.tasks.set(task.pid, task);
    return task;
  }

  kthread_run(fn: ThreadFn, name: string): Task {
    const task = this.kthread_create(fn, name);
    this.wake_up_process(task);
    return task;
  }

  kthread_stop(task: Task): void {
    const t = task as KTask;
    t.state = TASK_DEAD;
    t.body.return(undefined);
    this.tasks.delete(t.pid);
  }

  wake_up_process(task: Task): boolean {
    return this.wake_up_state(task, TASK_NORMAL);
  }

  wake_up_state(task: Task, state: number): boolean {
    const t = task as KTask;
    if (!(t.state & state) || t.state === TASK_DEAD) return false;
    t.state = TASK_RUNNING;
    if (!t.queued && t !== this.cur) {
      t.queued = true;
      this.runqueue.push(t);
    }
    this.need_resched = true;
    return true;
  }

  set_current_state(state: number): void {
    if (this.cur) this.cur.state = state;
  }

  /** Threads and their states, for ps-like reports. */
  list(): Task[] {
    return [...this.tasks.values()];
  }

  schedule_from_irq(): void {
    this.run();
  }

  /**
   * Runs runnable threads until none is left (or `budget` slices have run, so a thread that
   * never sleeps cannot hang the host). Returns the number of thread slices run.
   */
  run(budget = 100_000): number {
    if (this.running || this.runqueue.length === 0) {
      this.need_resched = false;
      return 0;
    }
    this.running = true;
    const leave = this.enter();
    let slices = 0;
    try {
      while (this.runqueue.length > 0 && slices < budget) {
        const t = this.runqueue.shift()!;
        t.queued = false;
        if (t.state === TASK_DEAD) continue;
        const prev = this.cur;
        this.cur = t;
        this.switches++;
        slices++;
        let done = false;
        try {
          done = t.body.next().done === true;
        } finally {
          this.cur = prev;
        }
        if (done) {
          t.state = TASK_DEAD;
          this.tasks.delete(t.pid);
        } else if (t.state === TASK_RUNNING && !t.queued) {
          // yielded while runnable (cond_resched / woken before it slept): run again later
          t.queued = true;
          this.runqueue.push(t);
        }
      }
    } finally {
      this.need_resched = this.runqueue.length > 0;
      this.running = false;
      leave();
    }
    return slices;
  }
}
