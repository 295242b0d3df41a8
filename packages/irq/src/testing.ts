// Helpers for tests without a full PC: guest memory by linear address over PhysicalMemory (identity
// mapping, as before paging), and a register file standing in for the CPU at the gate.

import type { PhysicalMemory } from '@k/x86-cpu';
import type { EntryCpu } from './entry_32.js';
import type { GuestMemory } from './ptrace.js';

/** Linear = physical - `offset` .. i.e. linear address `a` is physical `a - offset` (0: identity). */
export function physicalMemory(ram: PhysicalMemory, offset = 0): GuestMemory {
  if (offset === 0) return ram;
  return {
    read8: (a) => ram.read8((a - offset) >>> 0),
    read16: (a) => ram.read16((a - offset) >>> 0),
    read32: (a) => ram.read32((a - offset) >>> 0),
    write8: (a, v) => ram.write8((a - offset) >>> 0, v),
    write16: (a, v) => ram.write16((a - offset) >>> 0, v),
    write32: (a, v) => ram.write32((a - offset) >>> 0, v),
  };
}

/** A register file with the fields the gate reads, for driving the gate by hand. */
export function fakeCpu(): EntryCpu & { stopped: boolean } {
  const cpu = {
    eax: 0,
    ecx: 0,
    edx: 0,
    esp: 0,
    eflags: 0x2,
    cr0: 0x11,
    cr2: 0,
    cr3: 0,
    cr4: 0,
    stopped: false,
    requestStop() {
      cpu.stopped = true;
    },
  };
  return cpu;
}

/** A printk that keeps each message without its level prefix and trailing newline. */
export function collectingPrintk(): ((message: string) => void) & { lines: string[] } {
  const lines: string[] = [];
  const sink = ((message: string) => {
    const text = message.startsWith('\x01') ? message.slice(2) : message;
    lines.push(text.endsWith('\n') ? text.slice(0, -1) : text);
  }) as ((message: string) => void) & { lines: string[] };
  sink.lines = lines;
  return sink;
}

/** Guest memory by linear address through the CPU's own translation (paging included). */
export function cpuMemory(cpu: {
  readLinear8(a: number): number;
  readLinear16(a: number): number;
  readLinear32(a: number): number;
  writeLinear8(a: number, v: number): void;
  writeLinear16(a: number, v: number): void;
  writeLinear32(a: number, v: number): void;
}): GuestMemory {
  return {
    read8: (a) => cpu.readLinear8(a),
    read16: (a) => cpu.readLinear16(a),
    read32: (a) => cpu.readLinear32(a),
    write8: (a, v) => cpu.writeLinear8(a, v),
    write16: (a, v) => cpu.writeLinear16(a, v),
    write32: (a, v) => cpu.writeLinear32(a, v),
  };
}

/** The pieces of a PC an ISA test device touches. */
export interface IsaBus {
  io: {
    register(
      port: number,
      handlers: { read8?: (p: number) => number; write8?: (p: number, v: number) => void },
    ): void;
  };
  pic: { setIrq(irq: number, level: boolean): void };
}

/**
 * A minimal ISA device for tests: one status port (reads 1 while it has an interrupt pending;
 * writing acknowledges) and an interrupt line it may share with others (the line is the OR of
 * every device on it).
 */
export class TestDevice {
  pending = false;
  /** Interrupts raised and acknowledged. */
  raised = 0;
  acked = 0;
  private static lines = new WeakMap<object, Map<number, Set<TestDevice>>>();

  constructor(
    private readonly bus: IsaBus,
    readonly irq: number,
    readonly port: number,
  ) {
    bus.io.register(port, {
      read8: () => (this.pending ? 1 : 0),
      write8: () => this.ack(),
    });
    const byLine = TestDevice.lines.get(bus) ?? new Map<number, Set<TestDevice>>();
    TestDevice.lines.set(bus, byLine);
    const set = byLine.get(irq) ?? new Set<TestDevice>();
    byLine.set(irq, set);
    set.add(this);
  }

  private update(): void {
    const set = TestDevice.lines.get(this.bus)!.get(this.irq)!;
    let level = false;
    for (const d of set) level ||= d.pending;
    this.bus.pic.setIrq(this.irq, level);
  }

  /** The device wants attention: status set, line driven high. */
  fire(): void {
    this.pending = true;
    this.raised++;
    this.update();
  }

  /** The driver acknowledged: status cleared, line released. */
  ack(): void {
    this.pending = false;
    this.acked++;
    this.update();
  }
}
