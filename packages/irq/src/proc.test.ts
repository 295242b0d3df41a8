// /proc/interrupts in the kernel's layout, and read back by util-linux lsirq.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IRQ_HANDLED, IRQ_NONE, IRQF_SHARED } from './irqdesc.js';
import { irqMachine } from './machine.js';
import { collectingPrintk, TestDevice } from './testing.js';
import { INITIAL_JIFFIES } from './timer.js';

function busyMachine() {
  const m = irqMachine({ timer: true, printk: collectingPrintk() });
  const { pc, irq, run } = m;
  const a = new TestDevice(pc, 5, 0x300);
  const b = new TestDevice(pc, 5, 0x310);
  const kbd = new TestDevice(pc, 1, 0x1060);
  const claim = (d: TestDevice) => () => {
    if (!d.pending) return IRQ_NONE;
    d.ack();
    return IRQ_HANDLED;
  };
  irq.request_irq(5, claim(a), IRQF_SHARED, 'eth0', a);
  irq.request_irq(5, claim(b), IRQF_SHARED, 'snd_sb', b);
  irq.request_irq(1, claim(kbd), 0, 'i8042', kbd);
  for (const d of [a, b, a, kbd]) {
    d.fire();
    run(() => !d.pending);
  }
  run(() => irq.jiffies - INITIAL_JIFFIES >= 100);
  return m;
}

/** Runs lsirq on `text` bind-mounted over /proc/interrupts in a private mount namespace. */
function lsirq(text: string): { interrupts: { irq: string; total: number; name: string | null }[] } | string {
  try {
    execFileSync('lsirq', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'util-linux lsirq is not installed';
  }
  const file = join(mkdtempSync(join(tmpdir(), 'irq-proc-')), 'interrupts');
  writeFileSync(file, text);
  try {
    const out = execFileSync(
      'unshare',
      ['--mount', 'sh', '-c', `mount --bind '${file}' /proc/interrupts && lsirq --json`],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return JSON.parse(out);
  } catch (e) {
    return `cannot bind-mount over /proc/interrupts in a private mount namespace (${(e as Error).message.split('\n')[0]})`;
  }
}

describe('/proc/interrupts', () => {
  it('has the kernel layout: CPU0 header, XT-PIC lines, shared names joined, NMI/LOC/SPU/ERR', () => {
    const { irq } = busyMachine();
    const t0 = irq.irq_desc[0].kstat_irqs;
    expect(irq.show_interrupts()).toBe(
      [
        '           CPU0       ',
        `  0: ${String(t0).padStart(10)}    XT-PIC-XT        timer`,
        '  1:          1    XT-PIC-XT        i8042',
        '  2:          0    XT-PIC-XT        cascade',
        '  5:          3    XT-PIC-XT        eth0, snd_sb',
        'NMI:          0   Non-maskable interrupts',
        'LOC:          0   Local timer interrupts',
        'SPU:          0   Spurious interrupts',
        'ERR:          0',
        '',
      ].join('\n'),
    );
  });

  it('is read by util-linux lsirq with the same counts', (ctx) => {
    const { irq } = busyMachine();
    const text = irq.show_interrupts();
    const result = lsirq(text);
    if (typeof result === 'string') {
      console.warn(`skipping the lsirq check: ${result}`);
      ctx.skip();
      return;
    }
    const byIrq = new Map(result.interrupts.map((i) => [i.irq, i]));
    expect(byIrq.get('0')).toEqual({ irq: '0', total: irq.irq_desc[0].kstat_irqs, name: 'XT-PIC-XT timer' });
    expect(byIrq.get('1')?.total).toBe(1);
    expect(byIrq.get('5')).toEqual({ irq: '5', total: 3, name: 'XT-PIC-XT eth0, snd_sb' });
    expect(byIrq.get('NMI')?.total).toBe(0);
    expect(byIrq.get('ERR')?.total).toBe(irq.pic.irq_err_count);
  });

  it('/proc/softirqs counts the timer softirq', () => {
    const { irq } = busyMachine();
    const text = irq.show_softirqs();
    expect(text.split('\n')[0]).toBe(`${' '.repeat(20)}CPU0       `);
    expect(text).toMatch(/^ {10}HI: {10}0$/m);
    expect(text).toMatch(/^ {7}TIMER: +\d+$/m);
  });
});
