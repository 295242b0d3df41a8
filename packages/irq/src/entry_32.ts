// The kernel's entry path on the emulated machine: loads the real x86 entry stubs
// (entry_32.asm, mirroring arch/x86/entry/entry_32.S), writes the GDT, TSS and IDT into simulated
// memory, and owns the kernel gate: the I/O port the stubs write to with a pt_regs pointer, whose
// handler runs the TypeScript kernel for that vector before the stub's RESTORE_ALL and iret.
//
// Gate protocol (entry_32.asm): `out KERNEL_GATE_PORT, eax` with eax = pt_regs pointer,
// ecx = vector (or an entry id >= 0x100 registered with `gate_register`), edx = error code.

import type { IoBus } from '@k/x86-cpu';
import { write_gdt, write_tss } from './desc.js';
import ENTRY_32_BIN from './entry_32.bin';
import { type GateHandler, IDT_SIZE, Idt, NR_VECTORS } from './idt.js';
import { hex2, KERN_ERR, nullPrintk, type Printk } from './printk.js';
import { type GuestMemory, PT_ORIG_EAX, user_mode } from './ptrace.js';
import { GDT_SIZE } from './segment.js';
import { type DieCpu, die, unhandled_user_trap } from './traps.js';

/** The otherwise unused I/O port the entry stubs write to (`out 0xee, eax`). */
export const KERNEL_GATE_PORT = 0xee;

/** The entry stubs, assembled from entry_32.asm. */
export const entry_32_bin: Uint8Array = ENTRY_32_BIN;

/** Offsets in entry_32.bin, from its header. */
export interface EntryLayout {
  stubs: number;
  stubSize: number;
  error_code: number;
  common_interrupt: number;
  system_call: number;
  restore_all: number;
  ret_from_exception: number;
  ret_from_intr: number;
  default_idle: number;
  load_descriptors: number;
  port: number;
}

function le32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

/** Reads the header of entry_32.bin ('KENT' then the offsets of its entry points). */
export function entry_layout(bin: Uint8Array = entry_32_bin): EntryLayout {
  if (String.fromCharCode(bin[0], bin[1], bin[2], bin[3]) !== 'KENT') {
    throw new TypeError('entry_32.bin: bad magic (expected "KENT")');
  }
  return {
    stubs: le32(bin, 0x04),
    stubSize: le32(bin, 0x08),
    error_code: le32(bin, 0x0c),
    common_interrupt: le32(bin, 0x10),
    system_call: le32(bin, 0x14),
    restore_all: le32(bin, 0x18),
    ret_from_exception: le32(bin, 0x1c),
    ret_from_intr: le32(bin, 0x20),
    default_idle: le32(bin, 0x24),
    load_descriptors: le32(bin, 0x28),
    port: le32(bin, 0x2c),
  };
}

/** The CPU registers the gate reads (structurally the emulator's Cpu). */
export interface EntryCpu extends DieCpu {
  eax: number;
  ecx: number;
  edx: number;
  esp: number;
  eflags: number;
  requestStop?(): void;
}

/** Who is running, for reports (the kernel core's `current`). */
export interface CurrentTask {
  current_comm(): string;
  current_pid(): number;
}

// Layout of the arch area at `base` (all linear addresses):
const IDT_OFF = 0x0000; // 2 KiB
const GDT_OFF = 0x0800; // 256 bytes
const DESCR_OFF = 0x0900; // gdt_descr (6), pad (2), idt_descr (6)
const TSS_OFF = 0x1000; // 104 bytes + optional 8 KiB + 1 I/O bitmap
const TEXT_OFF = 0x4000; // entry_32.bin
/** Bytes the arch area takes from `base` (IDT, GDT, descriptors, TSS with I/O bitmap, stubs). */
export const ENTRY_AREA_SIZE = 0x6000;

export interface KernelEntryOptions {
  /** Guest memory by linear address (identity before paging; the kernel core's mapping after). */
  memory: GuestMemory;
  io: IoBus;
  cpu: EntryCpu;
  /** Linear address of a 24 KiB (ENTRY_AREA_SIZE) area for the tables and the stubs. */
  base: number;
  /** TSS esp0: the kernel stack top used on entry from ring 3 (default 0; set per task). */
  esp0?: number;
  /** Give the TSS a full I/O permission bitmap (for ioperm); default: none, every port denied. */
  ioBitmap?: boolean;
  printk?: Printk;
  current?: CurrentTask;
  /** Asked by die(): are we in interrupt context (panic instead of killing the task)? */
  in_interrupt?: () => boolean;
  /**
   * Called after an oops for an exception without a handler. The default stops the CPU
   * (`cpu.requestStop()`), since the faulting instruction cannot be resumed.
   */
  onDie?: (vector: number, regs: number, error_code: number) => void;
}

/**
 * The arch entry environment: GDT (Linux i386 layout), TSS, IDT, the entry stubs, and the kernel
 * gate. Create it, run `load_descriptors` on the CPU (or load GDTR/IDTR/TR directly), register
 * handlers with the `set_*_gate` methods, and every IDT vector enters TypeScript through its stub.
 */
export class KernelEntry {
  readonly memory: GuestMemory;
  readonly cpu: EntryCpu;
  readonly io: IoBus;
  readonly layout: EntryLayout;
  /** Linear addresses of the tables and the stub blob. */
  readonly idt_table: number;
  readonly gdt_table: number;
  readonly tss: number;
  readonly text: number;
  /** { gdt_descr, pad, idt_descr }: pass in EBX to `load_descriptors`. */
  readonly descr: number;
  readonly idt: Idt;
  printk: Printk;
  current: CurrentTask;
  in_interrupt: () => boolean;
  onDie: (vector: number, regs: number, error_code: number) => void;
  /** Called after every gate entry, when the TypeScript handler has returned (tracing, tests). */
  onExit: ((vector: number) => void) | null = null;
  /** Gate entries so far, and how deep the gate is nested right now. */
  entries = 0;
  depth = 0;
  private die_counter = 0;
  private readonly extra = new Map<number, GateHandler>();

  constructor(opts: KernelEntryOptions) {
    this.memory = opts.memory;
    this.cpu = opts.cpu;
    this.io = opts.io;
    this.printk = opts.printk ?? nullPrintk;
    this.current = opts.current ?? { current_comm: () => 'swapper', current_pid: () => 0 };
    this.in_interrupt = opts.in_interrupt ?? (() => false);
    this.onDie = opts.onDie ?? (() => this.cpu.requestStop?.());
    this.layout = entry_layout();
    const base = opts.base >>> 0;
    this.idt_table = base + IDT_OFF;
    this.gdt_table = base + GDT_OFF;
    this.descr = base + DESCR_OFF;
    this.tss = base + TSS_OFF;
    this.text = base + TEXT_OFF;

    const mem = this.memory;
    for (let i = 0; i < entry_32_bin.length; i++) mem.write8(this.text + i, entry_32_bin[i]);
    const tssLimit = write_tss(mem, this.tss, opts.esp0 ?? 0, opts.ioBitmap ?? false);
    write_gdt(mem, this.gdt_table, this.tss, tssLimit);
    // gdt_descr / idt_descr: 16-bit limit, 32-bit base.
    mem.write16(this.descr, GDT_SIZE - 1);
    mem.write32(this.descr + 2, this.gdt_table);
    mem.write16(this.descr + 8, IDT_SIZE - 1);
    mem.write32(this.descr + 10, this.idt_table);

    this.idt = new Idt(mem, this.idt_table, (n) => this.stub(n));
    for (let n = 0; n < NR_VECTORS; n++) this.idt.clear_gate(n);

    this.io.register(KERNEL_GATE_PORT, { write32: (_port, value) => this.enter(value) });
  }

  /** Linear address of vector n's entry stub. */
  stub(n: number): number {
    return (this.text + this.layout.stubs + n * this.layout.stubSize) >>> 0;
  }

  /** Linear addresses of the common paths (for new tasks: a frame whose ESP returns to restore_all). */
  get restore_all(): number {
    return (this.text + this.layout.restore_all) >>> 0;
  }
  get ret_from_intr(): number {
    return (this.text + this.layout.ret_from_intr) >>> 0;
  }
  get default_idle(): number {
    return (this.text + this.layout.default_idle) >>> 0;
  }
  /** Guest routine: EBX = `descr`; lgdt, lidt, reload CS/SS/DS/ES/FS/GS, ltr, lldt 0, ret. */
  get load_descriptors(): number {
    return (this.text + this.layout.load_descriptors) >>> 0;
  }

  set_intr_gate(n: number, handler: GateHandler): void {
    this.idt.set_intr_gate(n, handler);
  }
  set_trap_gate(n: number, handler: GateHandler): void {
    this.idt.set_trap_gate(n, handler);
  }
  set_system_intr_gate(n: number, handler: GateHandler): void {
    this.idt.set_system_intr_gate(n, handler);
  }
  set_system_trap_gate(n: number, handler: GateHandler): void {
    this.idt.set_system_trap_gate(n, handler);
  }
  set_system_gate(n: number, handler: GateHandler): void {
    this.idt.set_system_trap_gate(n, handler);
  }

  /**
   * Registers a non-IDT entry (id >= 0x100): guest code that builds a pt_regs frame itself, loads
   * ECX = id and writes the frame pointer to the gate (the kernel core's boot entry, for example).
   */
  gate_register(id: number, handler: GateHandler): void {
    if (!Number.isInteger(id) || id < NR_VECTORS) {
      throw new RangeError(`gate_register: id ${id} must be an integer >= 0x100 (0..255 are IDT vectors)`);
    }
    this.extra.set(id, handler);
  }

  /** TSS.esp0: the kernel stack the CPU switches to on entry from ring 3 (load_sp0). */
  load_sp0(esp0: number): void {
    this.memory.write32(this.tss + 4, esp0);
  }

  /** ioperm(from, num, turn_on) on the TSS I/O bitmap (needs `ioBitmap: true`). Returns 0 or -EINVAL. */
  ioperm(from: number, num: number, turn_on: boolean): number {
    if (this.memory.read16(this.tss + 102) !== 104 || from < 0 || num < 0 || from + num > 65536) return -22;
    for (let port = from; port < from + num; port++) {
      const a = this.tss + 104 + (port >>> 3);
      const bit = 1 << (port & 7);
      const b = this.memory.read8(a);
      this.memory.write8(a, turn_on ? b & ~bit : b | bit);
    }
    return 0;
  }

  /** The kernel gate: the stub's OUT lands here with eax = pt_regs pointer. */
  private enter(regs: number): void {
    const vector = this.cpu.ecx >>> 0;
    const error_code = this.cpu.edx >>> 0;
    this.entries++;
    this.depth++;
    try {
      const handler = vector < NR_VECTORS ? this.idt.handlers[vector] : this.extra.get(vector);
      if (handler) handler(regs >>> 0, error_code, vector);
      else this.unhandled(regs >>> 0, error_code, vector);
    } finally {
      this.depth--;
    }
    this.onExit?.(vector);
  }

  /** A vector with no handler: exceptions oops, other vectors are reported as unexpected. */
  private unhandled(regs: number, error_code: number, vector: number): void {
    if (vector >= 0x20 && vector < NR_VECTORS) {
      // ack_bad_irq(): an interrupt on a vector nobody set up.
      this.printk(`${KERN_ERR}unexpected IRQ trap at vector ${hex2(vector)}\n`);
      return;
    }
    this.oops(regs, error_code, vector);
  }

  /** die() for an exception: the kernel's report, then `onDie`. */
  oops(regs: number, error_code: number, vector: number): void {
    const comm = this.current.current_comm();
    const pid = this.current.current_pid();
    if (vector < 0x20 && user_mode(this.memory, regs)) {
      unhandled_user_trap(this.printk, this.memory, regs, vector, error_code, comm, pid, this.cpu.cr2 ?? 0);
    } else {
      die(
        {
          printk: this.printk,
          memory: this.memory,
          cpu: this.cpu,
          comm,
          pid,
          counter: ++this.die_counter,
          in_interrupt: this.in_interrupt(),
        },
        vector,
        regs,
        error_code,
      );
    }
    this.onDie(vector, regs, error_code);
  }

  /** regs->orig_ax as a signed number (-1 for exceptions, ~vector for IRQs, nr for syscalls). */
  orig_eax(regs: number): number {
    return this.memory.read32(regs + PT_ORIG_EAX) | 0;
  }
}
