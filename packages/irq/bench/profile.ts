import { register } from 'node:module';

register('./bin-loader.mjs', import.meta.url);
const { IRQ_NONE, irqMachine } = await import('../src/index.js');
const { pc, irq, run } = irqMachine();
irq.request_irq(0, () => IRQ_NONE, 0, 'stuck', {});
irq.noirqdebug = true;
pc.io.out8(0x43, 0x34);
pc.io.out8(0x40, 60);
pc.io.out8(0x40, 0);
const t0 = performance.now();
const n = run(() => irq.irq_desc[0].kstat_irqs >= 20000, 100_000_000);
const t1 = performance.now();
console.log(
  'irqs',
  irq.irq_desc[0].kstat_irqs,
  'instr',
  n,
  'ms',
  t1 - t0,
  'irq/s',
  (irq.irq_desc[0].kstat_irqs / (t1 - t0)) * 1000,
);
