// The interrupt descriptor table in simulated memory and the TypeScript handler behind each gate.
// Mirrors arch/x86/kernel/idt.c: set_intr_gate (DPL 0, IF cleared), set_trap_gate (DPL 0, IF
// kept), set_system_intr_gate / set_system_trap_gate (DPL 3: reachable with `int n` from ring 3,
// as vector 0x80 is). Every gate points at vector n's real entry stub; the handler registered with
// it runs when that stub reaches the kernel gate.

import { GATE_INTERRUPT, GATE_TRAP, pack_gate } from './desc.js';
import type { GuestMemory } from './ptrace.js';
import { __KERNEL_CS } from './segment.js';

export const NR_VECTORS = 256;
export const IDT_ENTRIES = NR_VECTORS;
export const IDT_SIZE = IDT_ENTRIES * 8;
export const FIRST_EXTERNAL_VECTOR = 0x20;
export const IA32_SYSCALL_VECTOR = 0x80;
export const SYSCALL_VECTOR = IA32_SYSCALL_VECTOR;

/**
 * A TypeScript handler behind a gate: `regs` is the linear address of the pt_regs frame on the
 * kernel stack, `error_code` the CPU's error code (0 when the vector has none), `vector` the gate.
 * It may rewrite the frame (a syscall's return value into PT_EAX) or switch ESP to another task's
 * kernel stack; the stub then does RESTORE_ALL and iret from whatever ESP is.
 */
export type GateHandler = (regs: number, error_code: number, vector: number) => void;

export class Idt {
  /** The TypeScript handler behind each vector (undefined: the default for that vector runs). */
  readonly handlers: (GateHandler | undefined)[] = new Array(NR_VECTORS).fill(undefined);

  constructor(
    private readonly mem: GuestMemory,
    /** Linear address of the table (IDTR base). */
    readonly base: number,
    /** Linear address of vector n's entry stub. */
    private readonly stub: (n: number) => number,
  ) {}

  private set_gate(n: number, type: number, dpl: number, handler: GateHandler | undefined): void {
    if (!Number.isInteger(n) || n < 0 || n >= NR_VECTORS) {
      throw new RangeError(`idt: vector ${n} is outside 0..255`);
    }
    const [lo, hi] = pack_gate(type, this.stub(n), dpl, __KERNEL_CS);
    this.mem.write32(this.base + n * 8, lo);
    this.mem.write32(this.base + n * 8 + 4, hi);
    this.handlers[n] = handler;
  }

  /** An interrupt gate, DPL 0: IF is cleared on entry (IRQs, #PF). */
  set_intr_gate(n: number, handler: GateHandler): void {
    this.set_gate(n, GATE_INTERRUPT, 0, handler);
  }

  /** A trap gate, DPL 0: IF is left as it was (most exceptions). */
  set_trap_gate(n: number, handler: GateHandler): void {
    this.set_gate(n, GATE_TRAP, 0, handler);
  }

  /** An interrupt gate, DPL 3: ring 3 may `int n` (vector 0x80 in newer kernels). */
  set_system_intr_gate(n: number, handler: GateHandler): void {
    this.set_gate(n, GATE_INTERRUPT, 3, handler);
  }

  /** A trap gate, DPL 3 (2.6's set_system_gate: int3, into, and vector 0x80). */
  set_system_trap_gate(n: number, handler: GateHandler): void {
    this.set_gate(n, GATE_TRAP, 3, handler);
  }

  /** The 2.6 name of set_system_trap_gate. */
  set_system_gate(n: number, handler: GateHandler): void {
    this.set_system_trap_gate(n, handler);
  }

  /** Points vector n at its stub as a DPL 0 interrupt gate with no handler (the default runs). */
  clear_gate(n: number): void {
    this.set_gate(n, GATE_INTERRUPT, 0, undefined);
  }

  /** The gate descriptor as written: type (0xe/0xf), DPL, offset, selector, present. */
  gate(n: number): { type: number; dpl: number; offset: number; selector: number; present: boolean } {
    const lo = this.mem.read32(this.base + n * 8);
    const hi = this.mem.read32(this.base + n * 8 + 4);
    return {
      type: (hi >>> 8) & 0xf,
      dpl: (hi >>> 13) & 3,
      offset: ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0,
      selector: lo >>> 16,
      present: (hi & 0x8000) !== 0,
    };
  }
}
