// /proc/interrupts and /proc/softirqs as text producers: kernel/irq/proc.c show_interrupts() with
// arch_show_interrupts() of arch/x86/kernel/irq.c, and fs/proc/softirqs.c. The kernel core wires
// them to procfs; this package never imports procfs.

import type { irq_desc } from './irqdesc.js';
import { NR_SOFTIRQS, softirq_to_name } from './softirq.js';

export interface InterruptsSource {
  irq_desc: readonly irq_desc[];
  /** NMIs, local APIC timer interrupts, spurious APIC interrupts (0 on an XT-PIC machine). */
  nmi_count: number;
  apic_timer_irqs: number;
  irq_spurious_count: number;
  /** irq_err_count: spurious 8259A interrupts. */
  irq_err_count: number;
}

const pad = (s: string, w: number) => s.padStart(w, ' ');

/** show_interrupts(): the whole /proc/interrupts text for one CPU. */
export function show_interrupts(src: InterruptsSource): string {
  const nr_irqs = src.irq_desc.length;
  let prec = 3;
  for (let j = 1000; prec < 10 && j <= nr_irqs; ++prec) j *= 10;
  let out = `${' '.repeat(prec + 8)}${'CPU0'.padEnd(11, ' ')}\n`;
  for (const desc of src.irq_desc) {
    const any_count = desc.kstat_irqs;
    if (desc.action.length === 0 && !any_count) continue;
    out += `${pad(String(desc.irq), prec)}: `;
    out += `${pad(String(desc.kstat_irqs), 10)} `;
    out += ` ${pad(desc.chip_name, 8)}`;
    out += `-${desc.name.padEnd(8, ' ')}`;
    if (desc.action.length > 0) out += `  ${desc.action.map((a) => a.name).join(', ')}`;
    out += '\n';
  }
  out += `${pad('NMI', prec)}: ${pad(String(src.nmi_count), 10)}   Non-maskable interrupts\n`;
  out += `${pad('LOC', prec)}: ${pad(String(src.apic_timer_irqs), 10)}   Local timer interrupts\n`;
  out += `${pad('SPU', prec)}: ${pad(String(src.irq_spurious_count), 10)}   Spurious interrupts\n`;
  out += `${pad('ERR', prec)}: ${pad(String(src.irq_err_count), 10)}\n`;
  return out;
}

/** show_softirqs(): /proc/softirqs. */
export function show_softirqs(counts: readonly number[]): string {
  let out = `${' '.repeat(20)}${'CPU0'.padEnd(11, ' ')}\n`;
  for (let i = 0; i < NR_SOFTIRQS; i++) {
    out += `${pad(softirq_to_name[i], 12)}: ${pad(String(counts[i] ?? 0), 10)}\n`;
  }
  return out;
}
