import { describe, expect, it } from 'vitest';
import { Kthreads, TASK_INTERRUPTIBLE } from './kthread.js';
import { HARDIRQ_OFFSET, Preempt } from './preempt.js';
import {
  DECLARE_TASKLET,
  HI_SOFTIRQ,
  MAX_SOFTIRQ_RESTART,
  NET_RX_SOFTIRQ,
  Softirq,
  TASKLET_SOFTIRQ,
  TASKLET_STATE_SCHED,
} from './softirq.js';

function make() {
  const cpu = { eflags: 0x202 };
  const preempt = new Preempt(cpu);
  const sched = new Kthreads();
  const softirq = new Softirq(preempt, sched);
  return { cpu, preempt, sched, softirq };
}

describe('softirqs', () => {
  it('run on irq_exit, with the softirq count raised and interrupts enabled', () => {
    const { cpu, preempt, softirq } = make();
    const log: string[] = [];
    softirq.open_softirq(NET_RX_SOFTIRQ, () => {
      log.push(`net_rx count=${preempt.count.toString(16)} if=${(cpu.eflags >> 9) & 1}`);
    });
    cpu.eflags = 0x2; // interrupt gate: IF clear
    softirq.irq_enter();
    expect(preempt.count).toBe(HARDIRQ_OFFSET);
    softirq.raise_softirq(NET_RX_SOFTIRQ);
    expect(log).toEqual([]); // not from inside the hardirq
    softirq.irq_exit();
    expect(log).toEqual(['net_rx count=100 if=1']);
    expect(cpu.eflags & 0x200).toBe(0); // back off on return to the stub
    expect(preempt.count).toBe(0);
  });

  it('stop after MAX_SOFTIRQ_RESTART rounds and leave the rest to ksoftirqd/0', () => {
    const { sched, softirq, preempt } = make();
    let runs = 0;
    softirq.open_softirq(NET_RX_SOFTIRQ, () => {
      runs++;
      if (runs < 25) softirq.raise_softirq(NET_RX_SOFTIRQ);
    });
    softirq.irq_enter();
    softirq.raise_softirq(NET_RX_SOFTIRQ);
    softirq.irq_exit();
    expect(runs).toBe(MAX_SOFTIRQ_RESTART);
    const ksoftirqd = sched.list().find((t) => t.comm === 'ksoftirqd/0');
    expect(ksoftirqd).toBeDefined();
    while (runs < 25) sched.run();
    expect(runs).toBe(25);
    expect(preempt.count).toBe(0);
    expect(ksoftirqd?.state).toBe(TASK_INTERRUPTIBLE);
  });

  it('local_bh_disable holds softirqs back until local_bh_enable', () => {
    const { softirq, preempt } = make();
    let runs = 0;
    softirq.open_softirq(NET_RX_SOFTIRQ, () => runs++);
    softirq.local_bh_disable();
    expect(preempt.in_softirq()).toBe(true);
    softirq.irq_enter();
    softirq.raise_softirq(NET_RX_SOFTIRQ);
    softirq.irq_exit();
    expect(runs).toBe(0);
    softirq.local_bh_enable();
    expect(runs).toBe(1);
  });
});

describe('tasklets', () => {
  it('run once per schedule, HI before normal, and a disabled one waits', () => {
    const { softirq } = make();
    const log: string[] = [];
    const t = DECLARE_TASKLET((d) => log.push(`t${d}`), 1);
    const hi = DECLARE_TASKLET((d) => log.push(`hi${d}`), 2);
    softirq.irq_enter();
    softirq.tasklet_schedule(t);
    softirq.tasklet_schedule(t);
    softirq.tasklet_hi_schedule(hi);
    expect(t.state & TASKLET_STATE_SCHED).toBeTruthy();
    softirq.irq_exit();
    expect(log).toEqual(['hi2', 't1']);
    expect(softirq.counts[HI_SOFTIRQ]).toBe(1);
    expect(softirq.counts[TASKLET_SOFTIRQ]).toBe(1);

    softirq.tasklet_disable(t);
    softirq.irq_enter();
    softirq.tasklet_schedule(t);
    softirq.irq_exit();
    expect(log).toEqual(['hi2', 't1']);
    softirq.tasklet_enable(t);
    softirq.irq_enter();
    softirq.irq_exit();
    expect(log).toEqual(['hi2', 't1', 't1']);
  });

  it('a tasklet that reschedules itself runs again later, never nested', () => {
    const { softirq } = make();
    let depth = 0;
    let runs = 0;
    const t = DECLARE_TASKLET(() => {
      depth++;
      expect(depth).toBe(1);
      runs++;
      if (runs < 3) softirq.tasklet_schedule(t);
      depth--;
    });
    softirq.irq_enter();
    softirq.tasklet_schedule(t);
    softirq.irq_exit();
    expect(runs).toBe(3);
  });

  it('tasklet_kill removes a scheduled tasklet', () => {
    const { softirq } = make();
    let runs = 0;
    const t = DECLARE_TASKLET(() => runs++);
    softirq.irq_enter();
    softirq.tasklet_schedule(t);
    softirq.tasklet_kill(t);
    softirq.irq_exit();
    expect(runs).toBe(0);
  });
});
