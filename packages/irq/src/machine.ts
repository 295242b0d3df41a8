// A ready-to-run emulated PC with this package's kernel side installed: flat 32-bit protected
// mode without paging (linear = physical), the GDT/IDT/TSS and entry stubs loaded by the real
// `load_descriptors` routine, the 8259A initialised, and the CPU in the idle loop (sti; hlt).
// Tests, the README example and the benchmark start from here; the kernel core does the same
// from code32_start with its own memory map.

import { PC } from '@k/x86-cpu';
import { Irq, type IrqOptions } from './irq.js';
import type { Printk } from './printk.js';

export interface IrqMachineOptions {
  ramSize?: number;
  printk?: Printk;
  /** Where the IDT/GDT/TSS/stubs go (physical = linear). */
  base?: number;
  /** Top of the kernel stack (also TSS.esp0). */
  stackTop?: number;
  /** Program the PIT for HZ and install the timer interrupt. */
  timer?: boolean;
  proc?: IrqOptions['proc'];
  kzalloc?: IrqOptions['kzalloc'];
  kfree?: IrqOptions['kfree'];
}

export interface IrqMachine {
  pc: PC;
  irq: Irq;
  /** Runs the guest until `done()` (checked between slices) or `max` instructions. */
  run(done?: () => boolean, max?: number): number;
}

export function irqMachine(opts: IrqMachineOptions = {}): IrqMachine {
  const pc = new PC({ ramSize: opts.ramSize ?? 4 * 1024 * 1024 });
  const base = opts.base ?? 0x10000;
  const stackTop = opts.stackTop ?? 0x90000;
  const irq = Irq.create({
    memory: pc.memory,
    io: pc.io,
    cpu: pc.cpu,
    base,
    esp0: stackTop,
    printk: opts.printk,
    proc: opts.proc,
    kzalloc: opts.kzalloc,
    kfree: opts.kfree,
  });
  const { entry } = irq;
  const cpu = pc.cpu;
  // Flat protected mode with interrupts off; load_descriptors does lgdt/lidt/far return/ltr and
  // returns into the idle loop.
  const flat = (selector: number, access: number) => ({
    selector,
    base: 0,
    limit: 0xffffffff,
    attributes: access | 0xc000,
  });
  const s = cpu.getState();
  s.cr0 |= 1;
  s.cs = flat(0x60, 0x9b);
  s.ss = flat(0x68, 0x93);
  s.ds = flat(0x68, 0x93);
  s.es = flat(0x68, 0x93);
  s.eflags = 0x2;
  s.eip = entry.load_descriptors;
  s.ebx = entry.descr;
  s.esp = stackTop - 4;
  s.halted = false;
  cpu.setState(s);
  pc.memory.write32(stackTop - 4, entry.default_idle);
  irq.init_IRQ();
  const run = (done: () => boolean = () => false, max = 50_000_000): number => {
    let total = 0;
    // Check after every kernel entry, so the run stops right after the event it waits for.
    entry.onExit = () => {
      if (done()) cpu.requestStop();
    };
    try {
      while (total < max && !done()) {
        const r = pc.run(Math.min(1_000_000, max - total));
        total += r.instructions;
        if (r.reason === 'limit') continue;
        if (r.reason !== 'hlt' || r.instructions === 0) break; // stop (done, or an oops), or nothing can wake it
      }
    } finally {
      entry.onExit = null;
    }
    return total;
  };
  // Run load_descriptors up to the idle loop's HLT.
  for (let i = 0; i < 100 && !cpu.halted; i++) pc.run(1);
  if (opts.timer) irq.time_init();
  return { pc, irq, run };
}
