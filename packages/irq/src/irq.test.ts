// The seed's interrupt scenarios, end to end on the emulated PC: device line -> 8259A -> IDT ->
// entry stub -> kernel gate -> do_IRQ -> handlers -> EOI/unmask -> iret.

import { describe, expect, it } from 'vitest';
import {
  IRQ_HANDLED,
  IRQ_NONE,
  IRQ_WAKE_THREAD,
  IRQF_DISABLED,
  IRQF_ONESHOT,
  IRQF_SAMPLE_RANDOM,
  IRQF_SHARED,
} from './irqdesc.js';
import { TASK_INTERRUPTIBLE } from './kthread.js';
import { irqMachine } from './machine.js';
import { DECLARE_TASKLET } from './softirq.js';
import { collectingPrintk, TestDevice } from './testing.js';
import { DECLARE_WAIT_QUEUE_HEAD, ERESTARTSYS } from './wait.js';
import { DECLARE_WORK } from './workqueue.js';

function setup() {
  const printk = collectingPrintk();
  const procs: string[] = [];
  const m = irqMachine({
    printk,
    proc: {
      register_irq_proc: (irq) => procs.push(`/proc/irq/${irq}/`),
      register_handler_proc: (irq, name) => procs.push(`/proc/irq/${irq}/${name}/`),
      unregister_handler_proc: (irq, name) => procs.push(`-/proc/irq/${irq}/${name}/`),
    },
  });
  const idle = () => m.pc.cpu.halted;
  return { ...m, printk, procs, idle };
}

describe('a shared line with two devices', () => {
  it('runs both handlers; the one whose device interrupted claims it', () => {
    const { pc, irq, run, procs } = setup();
    const a = new TestDevice(pc, 5, 0x300);
    const b = new TestDevice(pc, 5, 0x310);
    const calls: string[] = [];
    const handler = (name: string, port: number) =>
      function (this: unknown, _irq: number, dev: unknown) {
        const mine = pc.io.in8(port) === 1;
        calls.push(`${name}:${mine ? 'HANDLED' : 'NONE'}:${irq.in_irq()}`);
        if (!mine) return IRQ_NONE;
        pc.io.out8(port, 0); // acknowledge at the device
        expect(dev).toBe(name === 'devA' ? a : b);
        return IRQ_HANDLED;
      };
    expect(irq.request_irq(5, handler('devA', 0x300), IRQF_SHARED, 'devA', a)).toBe(0);
    expect(irq.request_irq(5, handler('devB', 0x310), IRQF_SHARED, 'devB', b)).toBe(0);
    expect(procs).toEqual([
      '/proc/irq/2/',
      '/proc/irq/2/cascade/',
      '/proc/irq/5/',
      '/proc/irq/5/devA/',
      '/proc/irq/5/devB/',
    ]);
    expect(pc.pic.imr & (1 << 5)).toBe(0);

    const gateBefore = irq.entry.entries;
    b.fire();
    run(() => b.acked === 1);
    run(() => pc.cpu.halted, 1000);
    expect(calls).toEqual(['devA:NONE:true', 'devB:HANDLED:true']);
    expect(irq.entry.entries).toBe(gateBefore + 1);
    expect(irq.irq_desc[5].kstat_irqs).toBe(1);
    expect(pc.pic.isr).toBe(0); // EOI sent
    expect(pc.pic.imr & (1 << 5)).toBe(0); // unmasked again
    expect(irq.preempt_count()).toBe(0);
    expect(irq.show_interrupts()).toContain('  5:          1    XT-PIC-XT        devA, devB\n');
  });

  it('refuses mismatched requests with the kernel return codes, and free_irq removes one dev_id', () => {
    const { pc, irq, run, printk, procs } = setup();
    const a = new TestDevice(pc, 5, 0x300);
    const b = new TestDevice(pc, 5, 0x310);
    const seen: string[] = [];
    const ha = () => {
      seen.push('a');
      if (!a.pending) return IRQ_NONE;
      a.ack();
      return IRQ_HANDLED;
    };
    const hb = () => {
      seen.push('b');
      if (!b.pending) return IRQ_NONE;
      b.ack();
      return IRQ_HANDLED;
    };
    expect(irq.request_irq(5, ha, IRQF_SHARED, 'devA', null)).toBe(-22); // -EINVAL: shared without dev_id
    expect(irq.request_irq(5, ha, IRQF_SHARED, 'devA', a)).toBe(0);
    expect(irq.request_irq(5, hb, 0, 'devB', b)).toBe(-16); // -EBUSY: not shareable
    expect(printk.lines).toContain('IRQ handler type mismatch for IRQ 5');
    expect(printk.lines).toContain('current handler: devA');
    expect(irq.request_irq(2, hb, 0, 'devB', b)).toBe(-16); // the cascade owns IRQ 2
    expect(irq.request_irq(16, hb, 0, 'devB', b)).toBe(-22);
    expect(irq.request_irq(5, hb, IRQF_SHARED, 'devB', b)).toBe(0);

    expect(irq.free_irq(5, a)).toBe('devA');
    expect(procs).toContain('-/proc/irq/5/devA/');
    b.fire();
    run(() => b.acked === 1);
    expect(seen).toEqual(['b']);
    expect(pc.pic.imr & (1 << 5)).toBe(0);
    expect(irq.free_irq(5, a)).toBe(null);
    expect(printk.lines).toContain('Trying to free already-free IRQ 5');
    expect(irq.free_irq(5, b)).toBe('devB');
    expect(pc.pic.imr & (1 << 5)).toBe(1 << 5); // last handler gone: line masked
  });

  it('runs IRQF_DISABLED handlers with interrupts off and others with them on', () => {
    const { pc, irq, run } = setup();
    const d = new TestDevice(pc, 3, 0x2f8);
    const e = new TestDevice(pc, 4, 0x3f8);
    const flags: boolean[] = [];
    irq.request_irq(
      3,
      () => {
        flags.push(irq.irqs_disabled());
        d.ack();
        return IRQ_HANDLED;
      },
      IRQF_DISABLED,
      'slow',
      d,
    );
    irq.request_irq(
      4,
      () => {
        flags.push(irq.irqs_disabled());
        e.ack();
        return IRQ_HANDLED;
      },
      0,
      'fast',
      e,
    );
    d.fire();
    run(() => d.acked === 1);
    e.fire();
    run(() => e.acked === 1);
    expect(flags).toEqual([true, false]);
  });
});

describe('bottom halves', () => {
  it('a threaded handler: the hard half wakes irq/N-name, which runs in process context', () => {
    const { pc, irq, run } = setup();
    const d = new TestDevice(pc, 6, 0x3f0);
    const log: string[] = [];
    const hard = () => {
      log.push(`hard in_irq=${irq.in_irq()}`);
      return IRQ_WAKE_THREAD;
    };
    const thread = () => {
      log.push(
        `thread ${irq.current_comm()} in_interrupt=${irq.in_interrupt()} irqs_disabled=${irq.irqs_disabled()}`,
      );
      log.push(`line masked while thread runs: ${(pc.pic.imr & (1 << 6)) !== 0}`);
      d.ack();
      return IRQ_HANDLED;
    };
    expect(irq.request_threaded_irq(6, hard, thread, IRQF_ONESHOT, 'floppy', d)).toBe(0);
    const t = irq.irq_desc[6].action[0].thread!;
    expect(t.comm).toBe('irq/6-floppy');
    d.fire();
    run(() => d.acked === 1);
    expect(log).toEqual([
      'hard in_irq=true',
      'thread irq/6-floppy in_interrupt=false irqs_disabled=false',
      'line masked while thread runs: true',
    ]);
    expect(pc.pic.imr & (1 << 6)).toBe(0); // oneshot: unmasked after the thread
    expect(t.state).toBe(TASK_INTERRUPTIBLE);
    // handler = NULL needs IRQF_ONESHOT
    expect(irq.request_threaded_irq(7, null, thread, 0, 'x', d)).toBe(-22);
  });

  it('a top half schedules a tasklet, which runs once, in softirq context, on irq exit', () => {
    const { pc, irq, run } = setup();
    const d = new TestDevice(pc, 10, 0x330);
    const log: string[] = [];
    const events: unknown[] = [];
    irq.trace = (ev) => events.push(ev);
    const t = DECLARE_TASKLET((data) => {
      log.push(`tasklet ${data} in_softirq=${irq.in_softirq()} in_irq=${irq.in_irq()}`);
    }, 42);
    irq.request_irq(
      10,
      () => {
        d.ack();
        irq.tasklet_schedule(t);
        irq.tasklet_schedule(t); // already scheduled: once
        log.push('top half');
        return IRQ_HANDLED;
      },
      0,
      'eth0',
      d,
    );
    d.fire();
    run(() => log.length === 2);
    expect(log).toEqual(['top half', 'tasklet 42 in_softirq=true in_irq=false']);
    expect(irq.softirq.counts[6]).toBe(1); // TASKLET_SOFTIRQ
    expect(events).toEqual([
      { event: 'irq_handler_entry', irq: 10, name: 'eth0' },
      { event: 'irq_handler_exit', irq: 10, ret: IRQ_HANDLED },
      { event: 'softirq_entry', vec: 6 },
      { event: 'softirq_exit', vec: 6 },
    ]);
    expect(irq.show_softirqs()).toMatch(/^ {5}TASKLET: {10}1$/m);
  });

  it('a handler queues work that runs in the events/0 worker thread', () => {
    const { pc, irq, run } = setup();
    const d = new TestDevice(pc, 11, 0x340);
    const log: string[] = [];
    const work = DECLARE_WORK(() => {
      log.push(`${irq.current_comm()} in_interrupt=${irq.in_interrupt()}`);
    });
    irq.request_irq(
      11,
      () => {
        d.ack();
        irq.workqueues.schedule_work(work);
        return IRQ_HANDLED;
      },
      0,
      'usb',
      d,
    );
    d.fire();
    run(() => log.length === 1);
    expect(log).toEqual(['events/0 in_interrupt=false']);
  });
});

describe('wait queues', () => {
  it('a process sleeping on a wait queue is woken by an interrupt', () => {
    const { pc, irq, run } = setup();
    const d = new TestDevice(pc, 1, 0x60 + 0x1000);
    const wq = DECLARE_WAIT_QUEUE_HEAD('kbd');
    let data = 0;
    const log: string[] = [];
    irq.request_irq(
      1,
      () => {
        d.ack();
        data = 0x1e;
        irq.wake_up_interruptible(wq);
        return IRQ_HANDLED;
      },
      0,
      'i8042',
      d,
    );
    const reader = irq.kthread_run(function* () {
      log.push('reading');
      const ret = yield* irq.wait_event_interruptible(wq, () => data !== 0);
      log.push(`woke ret=${ret} data=${data.toString(16)} comm=${irq.current_comm()}`);
    }, 'reader');
    // The scheduler runs the reader at the next preemption point; let it get to sleep.
    (irq.sched as unknown as { run(): number }).run();
    expect(log).toEqual(['reading']);
    expect(reader.state).toBe(TASK_INTERRUPTIBLE);
    expect(wq.head.length).toBe(1);
    run(() => pc.cpu.halted, 10_000);
    expect(log).toEqual(['reading']); // still asleep: nothing happened
    d.fire();
    run(() => log.length === 2);
    expect(log[1]).toBe('woke ret=0 data=1e comm=reader');
    expect(wq.head.length).toBe(0);
  });

  it('wait_event_interruptible returns -ERESTARTSYS when a signal arrives first', () => {
    const { irq } = setup();
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let ret = 1;
    const t = irq.kthread_run(function* () {
      ret = yield* irq.wait_event_interruptible(wq, () => false);
    }, 'sleeper');
    const sched = irq.sched as unknown as { run(): number };
    sched.run();
    expect(t.state).toBe(TASK_INTERRUPTIBLE);
    irq.send_sig(t);
    sched.run();
    expect(ret).toBe(-ERESTARTSYS);
  });
});

describe('misbehaving devices and handlers', () => {
  it('a storm on a line nobody handles: "nobody cared", then the line is disabled', () => {
    const { pc, irq, run, printk } = setup();
    irq.request_irq(
      0,
      function stuck_handler() {
        return IRQ_NONE;
      },
      0,
      'stuck',
      {},
    );
    // The PIT, fast: mode 2, divisor 60 (about 20 kHz); nobody claims its interrupts.
    pc.io.out8(0x43, 0x34);
    pc.io.out8(0x40, 60);
    pc.io.out8(0x40, 0);
    run(() => printk.lines.includes('Disabling IRQ #0'), 100_000_000);
    const i = printk.lines.indexOf('irq 0: nobody cared (try booting with the "irqpoll" option)');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(printk.lines.slice(i)).toContain('handlers:');
    expect(printk.lines.some((l) => /^\[<[0-9a-f]{8}>\] stuck_handler$/.test(l))).toBe(true);
    expect(printk.lines.at(-1)).toBe('Disabling IRQ #0');
    expect(irq.irq_desc[0].kstat_irqs).toBe(100_000);
    expect(pc.pic.imr & 1).toBe(1);
    const before = irq.irq_desc[0].kstat_irqs;
    run(undefined, 200_000);
    expect(irq.irq_desc[0].kstat_irqs).toBe(before); // no more interrupts from it
  });

  it('sleeping in a handler is refused with the kernel BUG report', () => {
    const { pc, irq, run, printk } = setup();
    const d = new TestDevice(pc, 9, 0x350);
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let result = 0;
    irq.request_irq(
      9,
      () => {
        d.ack();
        const g = irq.wait_event_interruptible(wq, () => false);
        const r = g.next();
        result = r.done ? (r.value as number) : 1;
        return IRQ_HANDLED;
      },
      0,
      'acpi',
      d,
    );
    d.fire();
    run(() => d.acked === 1);
    expect(result).toBe(-ERESTARTSYS);
    expect(printk.lines).toContain(
      'BUG: sleeping function called from invalid context at include/linux/wait.h:0',
    );
    expect(printk.lines).toContain('in_atomic(): 1, irqs_disabled(): 0, pid: 0, name: swapper/0');
  });

  it('IRQF_SAMPLE_RANDOM feeds interrupt timing into the entropy pool', () => {
    const { pc, irq, run } = setup();
    const d = new TestDevice(pc, 12, 0x360);
    irq.request_irq(
      12,
      () => {
        d.ack();
        return IRQ_HANDLED;
      },
      IRQF_SAMPLE_RANDOM,
      'mouse',
      d,
    );
    for (let i = 0; i < 3; i++) {
      d.fire();
      run(() => d.acked === i + 1);
      run(undefined, 1000);
    }
    expect(irq.random.samples).toBe(3);
    expect(irq.random.entropy_avail).toBeGreaterThan(0);
    expect(irq.random.pool.some((w) => w !== 0)).toBe(true);
  });
});
