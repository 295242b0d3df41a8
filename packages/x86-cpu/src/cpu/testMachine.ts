// Test helper: a bare machine (RAM, bus, port bus, CPU) with code placed in real or protected mode.
import { MemoryBus } from '../bus.js';
import type { InterruptController } from '../interrupts.js';
import { IoBus } from '../io.js';
import { PhysicalMemory } from '../memory.js';
import { Cpu } from './cpu.js';

export interface TestMachine {
  ram: PhysicalMemory;
  bus: MemoryBus;
  io: IoBus;
  cpu: Cpu;
  out: number[];
}

/** A 16 MiB machine whose port 0xE9 output is collected in `out`. */
export function testMachine(pic?: InterruptController): TestMachine {
  const ram = new PhysicalMemory(16 << 20);
  const bus = new MemoryBus(ram);
  const io = new IoBus();
  const out: number[] = [];
  io.register(0xe9, { write8: (_p, v) => out.push(v) });
  const cpu = new Cpu(bus, io, pic);
  return { ram, bus, io, cpu, out };
}

/** Loads real-mode code at 0000:addr and points CS:IP at it. */
export function loadReal(m: TestMachine, addr: number, code: Uint8Array | number[]): void {
  m.bus.writeBytes(addr, Uint8Array.from(code));
  m.cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, attributes: 0x9b });
  m.cpu.eip = addr;
  m.cpu.esp = 0x7000;
}
