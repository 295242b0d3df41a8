import { describe, expect, it } from 'vitest';
import { Kthreads, TASK_RUNNING, TASK_UNINTERRUPTIBLE } from './kthread.js';
import {
  DECLARE_WAIT_QUEUE_HEAD,
  ERESTARTSYS,
  init_waitqueue_head,
  type WaitContext,
  wait_event,
  wait_event_interruptible,
  wake_up,
  wake_up_all,
  wake_up_interruptible,
} from './wait.js';

function ctx(): WaitContext & { sched: Kthreads } {
  return { sched: new Kthreads(), might_sleep: () => true };
}

describe('wait queues', () => {
  it('wait_event sleeps uninterruptibly until the condition holds; wake_up_interruptible does not wake it', () => {
    const c = ctx();
    const wq = DECLARE_WAIT_QUEUE_HEAD('q');
    let cond = false;
    let done = false;
    const t = c.sched.kthread_run(function* () {
      yield* wait_event(c, wq, () => cond);
      done = true;
    }, 'w');
    c.sched.run();
    expect(t.state).toBe(TASK_UNINTERRUPTIBLE);
    cond = true;
    expect(wake_up_interruptible(wq)).toBe(0);
    c.sched.run();
    expect(done).toBe(false);
    expect(wake_up(wq)).toBe(1);
    expect(t.state).toBe(TASK_RUNNING);
    c.sched.run();
    expect(done).toBe(true);
  });

  it('a wake-up with the condition still false puts the sleeper back to sleep', () => {
    const c = ctx();
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let n = 0;
    let ret = -1;
    c.sched.kthread_run(function* () {
      ret = yield* wait_event_interruptible(c, wq, () => n >= 2);
    }, 'w');
    c.sched.run();
    n = 1;
    wake_up(wq);
    c.sched.run();
    expect(ret).toBe(-1);
    expect(wq.head.length).toBe(1);
    n = 2;
    wake_up(wq);
    c.sched.run();
    expect(ret).toBe(0);
    expect(wq.head.length).toBe(0);
  });

  it('wake_up wakes every non-exclusive waiter; wake_up_all too', () => {
    const c = ctx();
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    init_waitqueue_head(wq);
    let go = false;
    const woke: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      c.sched.kthread_run(function* () {
        yield* wait_event(c, wq, () => go);
        woke.push(name);
      }, name);
    }
    c.sched.run();
    go = true;
    expect(wake_up_all(wq)).toBe(3);
    c.sched.run();
    expect(woke).toEqual(['c', 'b', 'a']); // prepare_to_wait adds at the head, as list_add does
  });

  it('refuses to sleep where sleeping is not allowed', () => {
    const c = { sched: new Kthreads(), might_sleep: () => false };
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let ret = 0;
    c.sched.kthread_run(function* () {
      ret = yield* wait_event_interruptible(c, wq, () => false);
    }, 'w');
    c.sched.run();
    expect(ret).toBe(-ERESTARTSYS);
    expect(wq.head.length).toBe(0);
  });
});
