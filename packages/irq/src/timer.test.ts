// Time on the emulated PC: the PIT at HZ on IRQ 0, jiffies, timer_list from TIMER_SOFTIRQ,
// msleep in a kernel thread, delayed work.

import { describe, expect, it } from 'vitest';
import { irqMachine } from './machine.js';
import { collectingPrintk } from './testing.js';
import { DEFINE_TIMER, HZ, INITIAL_JIFFIES, time_after, time_before } from './timer.js';

describe('jiffies and timers', () => {
  it('the PIT runs at HZ = 250 on IRQ 0 and advances jiffies once per tick', () => {
    const { pc, irq, run } = irqMachine({ timer: true, printk: collectingPrintk() });
    expect(irq.LATCH()).toBe(4773);
    expect(irq.jiffies).toBe(INITIAL_JIFFIES);
    expect(irq.jiffies_64).toBe(0xfffedb08);
    const t0 = pc.now();
    run(() => irq.jiffies_64 - INITIAL_JIFFIES >= HZ);
    const ns = pc.now() - t0;
    // 250 ticks of 4773 / 1193182 s each: one second of machine time
    expect(Math.abs(ns - 1e9)).toBeLessThan(5e6);
    expect(irq.irq_desc[0].kstat_irqs).toBe(HZ);
    expect(irq.show_interrupts()).toContain('  0:        250    XT-PIC-XT        timer\n');
  });

  it('jiffies wraps five minutes after boot, and time_after copes', () => {
    const { irq, run } = irqMachine({ timer: true });
    irq.timers.jiffies_64 = 0xffffffff;
    const before = irq.jiffies;
    run(() => irq.jiffies_64 >= 0x1_0000_0002);
    expect(irq.jiffies).toBe(2);
    expect(time_after(irq.jiffies, before)).toBe(true);
    expect(time_before(before, irq.jiffies)).toBe(true);
  });

  it('a timer_list runs from the timer softirq when its jiffy comes', () => {
    const { irq, run } = irqMachine({ timer: true });
    const fired: string[] = [];
    const t = DEFINE_TIMER(
      (data) => fired.push(`${data} at +${irq.jiffies - INITIAL_JIFFIES} softirq=${irq.in_softirq()}`),
      7,
    );
    const t2 = DEFINE_TIMER(() => fired.push('deleted'));
    irq.timers.mod_timer(t, irq.jiffies + 10);
    irq.timers.mod_timer(t2, irq.jiffies + 5);
    expect(irq.timers.del_timer(t2)).toBe(1);
    expect(irq.timers.del_timer(t2)).toBe(0);
    run(() => fired.length > 0);
    expect(fired).toEqual(['7 at +10 softirq=true']);
    expect(irq.timers.timer_pending(t)).toBe(false);
    expect(irq.softirq.counts[1]).toBe(1); // TIMER_SOFTIRQ
  });

  it('msleep in a kernel thread sleeps on a timer and is woken by it', () => {
    const { irq, run } = irqMachine({ timer: true });
    const log: number[] = [];
    irq.kthread_run(function* () {
      log.push(irq.jiffies - INITIAL_JIFFIES);
      yield* irq.timers.msleep(100);
      log.push(irq.jiffies - INITIAL_JIFFIES);
    }, 'sleeper');
    run(() => log.length === 2);
    expect(log[0]).toBe(1); // first ran at the first tick's preemption point
    expect(log[1] - log[0]).toBeGreaterThanOrEqual(25); // 100 ms = 25 jiffies, plus one
    expect(log[1] - log[0]).toBeLessThanOrEqual(27);
  });

  it('delayed work runs in events/0 after its delay', () => {
    const { irq, run } = irqMachine({ timer: true });
    const log: string[] = [];
    const dw = irq.workqueues.INIT_DELAYED_WORK({}, () => {
      log.push(`${irq.current_comm()} +${irq.jiffies - INITIAL_JIFFIES}`);
    });
    expect(irq.workqueues.schedule_delayed_work(dw, 20)).toBe(true);
    expect(irq.workqueues.schedule_delayed_work(dw, 20)).toBe(false);
    run(() => log.length === 1);
    expect(log).toEqual(['events/0 +20']);
  });
});
