// Differential tests of the block translator (translate.ts, blocks.ts, Cpu.run): the same guest runs on
// two machines, one translating aggressively (translateAfter = 1) and one on the plain interpreter
// (translateBlocks = false), and they must agree bit for bit: registers, materialised EFLAGS, segment
// and system state, instruction counts, stop reasons and all of RAM, at every `run` boundary (odd
// budgets, so blocks are cut short at every possible instruction).
//
// - Random loop programs (a small assembler with labels below) in four modes: flat 32-bit ring 0,
//   32-bit code on a 16-bit stack, paged ring 3, real mode. Counted loops make the code hot, so blocks
//   loop on themselves; #DE is skipped by its handler, other faults end a program at a HLT stub.
// - Random bytes in each fuzzMachine mode.
// - Every flag producer on edge values, read by every condition, stored flags read by PUSHFD.
// - Hand-written cases, checked against values computed by hand as well: faults inside hot blocks,
//   self-modifying code, IRQ 0 from the PC's PIT, MMIO, breakpoints, budgets.
// The instrumentation below counts what ran as translated code, so the tests can insist that most
// of it did, and records translations that threw (PageBlocks.add would quietly fall back).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus.js';
import type { InterruptController } from '../interrupts.js';
import { IoBus } from '../io.js';
import { PhysicalMemory } from '../memory.js';
import { PC } from '../platform/pc.js';
import { PageBlocks, REWRITES } from './blocks.js';
import { Cpu } from './cpu.js';
import { enterMode, type FuzzMode, fuzzMachine, rng } from './fuzzMachine.js';
import type { CpuState } from './state.js';
import { type Block, translate } from './translate.js';

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

// --- instrumentation --------------------------------------------------------------------------------

/**
 * What the translator did, over every machine in this file: blocks made, block entries, and
 * instructions retired inside blocks. Counted by wrapping each new block's `run` (the wrapper calls
 * the real one and changes nothing else), so the tests can check that translation really happens.
 * `crashes` lists the translations that threw: PageBlocks.add hides that (the interpreter runs the
 * code instead), which would also hide the code from these tests.
 */
const stats = { translations: 0, runs: 0, instructions: 0, crashes: [] as string[] };
const realAdd = PageBlocks.prototype.add;

beforeAll(() => {
  PageBlocks.prototype.add = function add(this: PageBlocks, c: Cpu, off: number): Block {
    const b = realAdd.call(this, c, off);
    if (b.length === Number.MAX_SAFE_INTEGER) {
      try {
        translate(c, this.frame, this.words, off, c.ip);
      } catch (e) {
        stats.crashes.push(`${hex((c.csBase + c.ip) >>> 0)}: ${e}`);
      }
      return b;
    }
    stats.translations++;
    const run = b.run;
    const wrapped: Block = {
      ...b,
      run: (cpu, words, stop) => {
        const before = cpu.instructionCount;
        stats.runs++;
        try {
          return run(cpu, words, stop);
        } finally {
          stats.instructions += cpu.instructionCount - before;
        }
      },
    };
    this.blocks[off] = wrapped;
    return wrapped;
  };
});

afterAll(() => {
  PageBlocks.prototype.add = realAdd;
});

/** Translations that threw since `since` (PageBlocks.add would hide them): every one fails a test. */
function newCrashes(since: number): string[] {
  return stats.crashes.slice(since);
}

function statsNow(): { translations: number; runs: number; instructions: number; crashes: number } {
  return { ...stats, crashes: stats.crashes.length };
}

// --- machines and comparison ------------------------------------------------------------------------

interface Machine {
  ram: PhysicalMemory;
  bus: MemoryBus;
  io: IoBus;
  cpu: Cpu;
}

const RAM_SIZE = 1 << 20;
/** One port bus for the bare machines (no devices; an IoBus costs milliseconds to build). */
const NO_DEVICES = new IoBus();

/** A bare machine: RAM, bus, ports, CPU; translating with translateAfter = 1, or interpreting. */
function machine(
  translate: boolean,
  pic?: InterruptController,
  translateAfter = 1,
  ramSize = RAM_SIZE,
): Machine {
  const ram = new PhysicalMemory(ramSize);
  const bus = new MemoryBus(ram);
  const io = NO_DEVICES;
  const cpu = new Cpu(bus, io, pic);
  cpu.translateBlocks = translate;
  cpu.translateAfter = translateAfter;
  return { ram, bus, io, cpu };
}

/** getState() without its side effect: materialising EFLAGS would change the lazy-flag state. */
function snapshot(cpu: Cpu): CpuState {
  const fl = cpu.fl;
  const lazy = cpu.lazyMask;
  const s = cpu.getState();
  cpu.fl = fl;
  cpu.lazyMask = lazy;
  return s;
}

/** The first byte where two RAMs differ, described; null when they are equal. */
function ramDifference(a: PhysicalMemory, b: PhysicalMemory): string | null {
  for (let addr = 0; addr < a.size; addr += 4096) {
    const fa = a.frameForRead(addr);
    const fb = b.frameForRead(addr);
    if (fa === fb) continue;
    if (Buffer.from(fa.buffer, fa.byteOffset, 4096).equals(Buffer.from(fb.buffer, fb.byteOffset, 4096)))
      continue;
    for (let i = 0; i < 4096; i++) {
      if (fa[i] !== fb[i]) {
        return `RAM differs first at ${hex(addr + i)}: ${hex(fa[i])} translated, ${hex(fb[i])} interpreted`;
      }
    }
  }
  return null;
}

/** Same CPU state (and RAM): on a mismatch, toEqual prints the differing fields. */
function expectSame(t: Machine, i: Machine, where: string, ram = true): void {
  const a = snapshot(t.cpu);
  const b = snapshot(i.cpu);
  if (JSON.stringify(a) !== JSON.stringify(b)) expect(a, where).toEqual(b);
  if (ram) expect(ramDifference(t.ram, i.ram), where).toBeNull();
}

/** A random odd instruction budget: mostly small, sometimes up to 4095. */
function oddBudget(r: () => number): number {
  const x = r() % 10;
  const span = x < 4 ? 16 : x < 8 ? 256 : 2048;
  return 1 + 2 * (r() % span);
}

/**
 * Runs the machines in the same slices of odd length until they stop or `budget` instructions have
 * run, comparing each with the last one (the interpreter) after every slice, RAM included after every
 * `ramEvery`-th. Returns the instructions run.
 */
function lockstepAll(
  ms: Machine[],
  budget: number,
  where: string,
  sched: () => number,
  ramEvery = 4,
  slices = oddBudget,
): number {
  const ref = ms[ms.length - 1];
  let done = 0;
  for (let slice = 1; done < budget; slice++) {
    const n = Math.min(slices(sched), budget - done) | 1;
    const ran = ms.map((m) => m.cpu.run(n));
    const stopped = ref.cpu.stopReason !== 'limit';
    for (let k = 0; k < ms.length - 1; k++) {
      const at = `${where}, translateAfter ${ms[k].cpu.translateAfter}, slice ${slice} (run(${n}) at instruction ${done})`;
      expect(ran[k], at).toBe(ran[ran.length - 1]);
      expect(ms[k].cpu.stopReason, at).toBe(ref.cpu.stopReason);
      expectSame(ms[k], ref, at, stopped || slice % ramEvery === 0);
    }
    done += ran[ran.length - 1];
    if (stopped) break;
  }
  for (const m of ms.slice(0, -1)) expectSame(m, ref, `${where}, at the end`);
  return done;
}

function lockstep(t: Machine, i: Machine, budget: number, where: string, sched: () => number): number {
  return lockstepAll([t, i], budget, where, sched);
}

// --- a tiny assembler ---------------------------------------------------------------------------------

/** Bytes with labels: `ref` leaves a displacement (rel) or address (abs) that `finish` fills in. */
class Asm {
  readonly bytes: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; size: number; label: string; rel: boolean; end: number }[] = [];

  /** `origin` is the EIP of the first byte. */
  constructor(readonly origin: number) {}

  get pc(): number {
    return this.origin + this.bytes.length;
  }

  emit(...b: number[]): void {
    for (const x of b) this.bytes.push(x & 0xff);
  }

  imm(v: number, size: number): void {
    for (let i = 0; i < size; i++) this.bytes.push((v >>> (8 * i)) & 0xff);
  }

  bind(label: string): void {
    this.labels.set(label, this.pc);
  }

  address(label: string): number | undefined {
    return this.labels.get(label);
  }

  /** A displacement or address of `size` bytes, the last field of its instruction. */
  ref(label: string, size: number, rel: boolean): void {
    const at = this.bytes.length;
    this.imm(0, size);
    this.fixups.push({ at, size, label, rel, end: this.pc });
  }

  finish(): Uint8Array {
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`unbound label ${f.label}`);
      const v = f.rel ? target - f.end : target;
      if (f.size === 1 && (v < -128 || v > 127)) throw new Error(`rel8 to ${f.label} out of range: ${v}`);
      for (let i = 0; i < f.size; i++) this.bytes[f.at + i] = (v >>> (8 * i)) & 0xff;
    }
    return Uint8Array.from(this.bytes);
  }
}

const le = (v: number, size: number) => Array.from({ length: size }, (_, i) => (v >>> (8 * i)) & 0xff);

// --- machine layouts ------------------------------------------------------------------------------

// 32-bit layouts (flat ring 0, paged ring 3). Below 64 KiB: tables and handlers (identity-mapped).
const GDT = 0x800;
const IDT = 0x1000;
const TSS = 0x1800;
const PD = 0x2000;
const PT = 0x3000;
const STUBS32 = 0x6000;
const STACK0 = 0xf000;
const CODE = 0x10000;
const STACK = 0x2f000;
/** The 16-bit stack of 'flat32-stack16': SS based here (unlike DS), SP = STACK16. */
const SS16_BASE = 0x20000;
const STACK16 = 0xf000;
const DATA = 0x40000;
const DATA_SIZE = 0x40000;
const FS_BASE = 0x40000;
const GS_BASE = 0x50000;
// Real mode: segments (paragraphs) and the exception stubs at 0000:0500.
const STUBS16 = 0x500;
const SEG16 = { cs: 0x1000, ds: 0x3000, es: 0x4000, fs: 0x3800, gs: 0x5000, ss: 0x6000 } as const;
const REAL_DATA = 0x30000;
const REAL_DATA_SIZE = 0x40000;

/** #DE handler: skip the 2-byte DIV/IDIV/AAM that faulted. Every other vector halts at its stub. */
const SKIP_DE_32 = [0x83, 0x04, 0x24, 0x02, 0xcf]; // add dword [esp], 2 ; iret
// With a 16-bit stack under 32-bit code: push ebp; movzx ebp, sp; add dword [ebp+4], 2; pop ebp; iret
const SKIP_DE_32_STACK16 = [0x55, 0x0f, 0xb7, 0xec, 0x83, 0x45, 0x04, 0x02, 0x5d, 0xcf];
const SKIP_DE_16 = [0x55, 0x89, 0xe5, 0x83, 0x46, 0x02, 0x02, 0x5d, 0xcf]; // push bp; mov bp,sp; add word [bp+2],2; pop bp; iret
const HALT = [0xf4, 0xeb, 0xfd]; // hlt ; jmp $-1

function descriptor(
  bus: MemoryBus,
  index: number,
  base: number,
  limit: number,
  access: number,
  flags: number,
) {
  const at = GDT + index * 8;
  bus.write32(at, ((base & 0xffff) << 16) | (limit & 0xffff));
  bus.write32(
    at + 4,
    (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff),
  );
}

interface Setup32 {
  paged: boolean;
  ring3: boolean;
  /** Linear pages whose PTE is not present. */
  absent?: number[];
  /** Linear pages mapped read-only. */
  readOnly?: number[];
  /** Linear page -> physical page overrides. */
  alias?: [number, number][];
  /** DS limit (byte granular) instead of 4 GiB. */
  dsLimit?: number;
  /** CS limit (byte granular) instead of 4 GiB. */
  csLimit?: number;
  /** SS.B = 0: a 16-bit stack pointer (SP = STACK16) in a 4 GiB stack segment based at SS16_BASE. */
  stack16?: boolean;
  /** ES expand-down with limit DATA - 1: only offsets from DATA up are valid (every access checked slowly). */
  esExpandDown?: boolean;
}

/**
 * 32-bit protected mode: GDT (code/data for rings 0 and 3, a TSS, FS and GS data segments based at
 * FS_BASE and GS_BASE), an IDT whose 32 exception vectors go to 16-byte stubs at STUBS32, and with
 * paging a page table over the first MiB mapping linear page p to physical page p ^ 1 above 64 KiB.
 */
function setup32(m: Machine, o: Setup32): void {
  const { bus, cpu } = m;
  descriptor(bus, 1, 0, 0xfffff, 0x9b, 0xc);
  descriptor(bus, 2, 0, 0xfffff, 0x93, 0xc);
  descriptor(bus, 3, 0, 0xfffff, 0xfb, 0xc);
  descriptor(bus, 4, 0, 0xfffff, 0xf3, 0xc);
  descriptor(bus, 5, TSS, 0x67, 0x89, 0);
  descriptor(bus, 6, FS_BASE, 0xfffff, 0xf3, 0xc);
  descriptor(bus, 7, GS_BASE, 0xfffff, 0xf3, 0xc);
  for (let v = 0; v < 32; v++) {
    const at = STUBS32 + v * 16;
    bus.write32(IDT + v * 8, (0x08 << 16) | (at & 0xffff));
    bus.write32(IDT + v * 8 + 4, (at & 0xffff0000) | 0x8e00);
    bus.writeBytes(at, Uint8Array.from(v !== 0 ? HALT : o.stack16 ? SKIP_DE_32_STACK16 : SKIP_DE_32));
  }
  bus.write32(TSS + 4, STACK0);
  bus.write32(TSS + 8, 0x10);
  if (o.paged) {
    bus.write32(PD, PT | 7);
    for (let p = 0; p < RAM_SIZE >>> 12; p++) {
      let phys = p < 0x10 ? p : p ^ 1;
      for (const [lin, to] of o.alias ?? []) if (lin === p) phys = to;
      const flags = o.absent?.includes(p) ? 0 : o.readOnly?.includes(p) ? 5 : 7;
      bus.write32(PT + p * 4, (phys << 12) | flags);
    }
  }
  cpu.reset();
  cpu.gdtBase = GDT;
  cpu.gdtLimit = 0x3f;
  cpu.idtBase = IDT;
  cpu.idtLimit = 32 * 8 - 1;
  cpu.trSel = 0x28;
  cpu.trBase = TSS;
  cpu.trLimit = 0x67;
  cpu.trAttr = 0x8b;
  cpu.cr0 = cpu.cr0 | 1;
  if (o.paged) {
    cpu.cr3 = PD;
    cpu.cr0 = cpu.cr0 | 0x80010000;
  }
  const r3 = o.ring3;
  cpu.setSegment('cs', {
    selector: r3 ? 0x1b : 0x08,
    base: 0,
    limit: o.csLimit ?? 0xffffffff,
    attributes: o.csLimit === undefined ? (r3 ? 0xc0fb : 0xc09b) : r3 ? 0x40fb : 0x409b,
  });
  const data = { selector: r3 ? 0x23 : 0x10, base: 0, limit: 0xffffffff, attributes: r3 ? 0xc0f3 : 0xc093 };
  cpu.setSegment(
    'ss',
    o.stack16 ? { ...data, base: SS16_BASE, attributes: data.attributes & ~0x4000 } : data,
  );
  cpu.setSegment(
    'es',
    o.esExpandDown ? { ...data, limit: DATA - 1, attributes: (data.attributes & ~0x8000) | 4 } : data,
  );
  cpu.setSegment(
    'ds',
    o.dsLimit === undefined ? data : { ...data, limit: o.dsLimit, attributes: r3 ? 0x40f3 : 0x4093 },
  );
  cpu.setSegment('fs', { selector: 0x33, base: FS_BASE, limit: 0xffffffff, attributes: 0xc0f3 });
  cpu.setSegment('gs', { selector: 0x3b, base: GS_BASE, limit: 0xffffffff, attributes: 0xc0f3 });
  cpu.esp = o.stack16 ? STACK16 : STACK;
}

/** Real mode: exception stubs through the IVT, code at 1000:0000, data segments above. */
function setupReal(m: Machine): void {
  const { bus, cpu } = m;
  cpu.reset();
  for (let v = 0; v < 32; v++) {
    const at = STUBS16 + v * 16;
    bus.write16(v * 4, at);
    bus.write16(v * 4 + 2, 0);
    bus.writeBytes(at, Uint8Array.from(v === 0 ? SKIP_DE_16 : HALT));
  }
  for (const [s, sel] of Object.entries(SEG16)) {
    cpu.setSegment(s as keyof typeof SEG16, {
      selector: sel,
      base: sel << 4,
      limit: 0xffff,
      attributes: s === 'cs' ? 0x9b : 0x93,
    });
  }
  cpu.esp = 0x8000;
}

/** Writes bytes at a linear address, through the page tables when paging is on (host-side: no A/D bits). */
function writeLinear(m: Machine, linear: number, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) {
    const phys = m.cpu.translate(linear + i, false, false);
    if (phys < 0) throw new Error(`linear address ${hex(linear + i)} is not mapped`);
    m.bus.write8(phys, bytes[i]);
  }
}

// --- the random program generator ---------------------------------------------------------------------

type Bits = 16 | 32;
type Size = 8 | 16 | 32;

/** Registers an instruction may write. ECX counts loops and ESP is the stack; in 32-bit code ESI and
 * EBP hold data pointers (other registers become addresses only right after an AND masks them). */
const DATA8 = [0, 2, 3, 4, 6, 7]; // AL DL BL AH DH BH
const DATA32 = [0, 2, 3, 7]; // EAX EDX EBX EDI
const DATA16 = [0, 2, 3, 5, 6, 7]; // AX DX BX BP SI DI (real mode: every address is in its segment)

/** A memory operand: instructions emitted before (masking an index), prefixes, ModR/M onwards. */
interface Mem {
  setup: number[];
  prefixes: number[];
  modrm: (reg: number) => number[];
}

type E = { reg: number; mem?: undefined } | { reg?: undefined; mem: Mem };

interface Pending {
  at: number;
  label: string;
  short: boolean;
}

interface Ctx {
  depth: number;
  sub: boolean;
  shortOpen: boolean;
  pending: Pending[];
  k: number;
}

const SPECIAL = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
];

class ProgramGenerator {
  readonly a: Asm;
  private labels = 0;
  private net = 0;
  private readonly subs: { label: string; args: number }[] = [];
  private readonly slot: number;
  /** ECX is a small count, usable as an index (not in loops whose ECX has a nonzero upper half). */
  private ecxSmall = true;
  /** The data pointers the prologue loads (32-bit code). */
  readonly esi: number;
  readonly ebp: number;

  constructor(
    private readonly r: () => number,
    readonly bits: Bits,
    origin: number,
  ) {
    this.a = new Asm(origin);
    // Where an indirect CALL's target is stored (32-bit: a linear address; 16-bit: a DS offset).
    this.slot = bits === 32 ? DATA + 0x3f000 : 0xfff0;
    this.esi = DATA + 0x8000 + this.n(0x1000);
    this.ebp = DATA + 0x18000 + this.n(0x1000);
  }

  n(k: number): number {
    return this.r() % k;
  }

  p(x: number): boolean {
    return this.r() / 4294967296 < x;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.n(xs.length)];
  }

  shuffle(xs: number[]): number[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.n(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }

  fresh(): string {
    return `L${this.labels++}`;
  }

  value(size: Size): number {
    const v = this.p(0.4) ? this.pick(SPECIAL) : this.r();
    return size === 32 ? v >>> 0 : v & ((1 << size) - 1);
  }

  /** Operand size of a word instruction and whether that takes a 66 prefix. */
  osize(): { p66: boolean; size: Size } {
    const p66 = this.p(0.15);
    return { p66, size: (this.bits === 32) !== p66 ? 32 : 16 };
  }

  /** Operand size for a byte (0x66 on a byte instruction changes nothing, but the decoder sees it) or word op. */
  sized(byte: boolean): { p66: boolean; size: Size } {
    return byte ? { p66: this.p(0.05), size: 8 } : this.osize();
  }

  dst(size: Size): number {
    return size === 8 ? this.pick(DATA8) : this.pick(this.bits === 32 ? DATA32 : DATA16);
  }

  seg(write: boolean): number[] {
    if (this.p(0.7)) return [];
    return [this.pick(write ? [0x26, 0x36, 0x3e, 0x64, 0x65] : [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65])];
  }

  /** An offset in the last 1..3 bytes of one of the 16 pages of a 64 KiB segment (split accesses). */
  pageEnd16(): number {
    return this.p(0.05) ? 0xffff - this.n(3) : 0x1000 * (1 + this.n(15)) - 1 - this.n(3);
  }

  /** 16-bit addressing with any ModR/M: every offset lies in the segment. */
  mem16(prefixes: number[]): Mem {
    if (this.p(0.15)) {
      const d = le(this.pageEnd16(), 2);
      return { setup: [], prefixes, modrm: (reg) => [(reg << 3) | 6, ...d] };
    }
    const mod = this.n(3);
    const rm = this.n(8);
    const disp =
      mod === 1 ? [this.n(256)] : mod === 2 || (mod === 0 && rm === 6) ? le(this.n(0x10000), 2) : [];
    return { setup: [], prefixes, modrm: (reg) => [(mod << 6) | (reg << 3) | rm, ...disp] };
  }

  /** AND that bounds a data register for use in an address; returns the register. */
  masked(setup: number[]): number {
    const x = this.pick(DATA32);
    const mask = this.pick([0x3ffc, 0x3fff, 0xfff, 0x7f, 0xffff]);
    if (x === 0 && this.p(0.5)) setup.push(0x25, ...le(mask, 4));
    else setup.push(0x81, 0xe0 | x, ...le(mask, 4));
    return x;
  }

  /** A displacement from `base` to the last 1..3 bytes of a page up to 16 KiB away (split accesses). */
  straddle(base: number): number {
    return ((base + this.n(0x4000) - 0x2000) | 0xfff) - this.n(3) - base;
  }

  /** A memory operand that stays inside the data areas (and out of the code). */
  mem(write: boolean): Mem {
    const p67 = this.p(0.12);
    const a32 = (this.bits === 32) !== p67;
    if (this.bits === 32 && !a32) return this.mem16([0x67, this.pick([0x64, 0x65])]);
    if (this.bits === 16 && !a32) return this.mem16(this.seg(write));
    const prefixes = [...(p67 ? [0x67] : []), ...this.seg(write)];
    const setup: number[] = [];
    if (this.bits === 16) {
      // 32-bit addressing in 16-bit code: only ECX (a small count) and displacements, all < 64 KiB.
      const form = this.ecxSmall ? this.n(3) : 1;
      let bytes: (reg: number) => number[];
      if (form === 0) {
        const scale = this.n(4);
        const d = le(this.n(0xf000), 4);
        bytes = (reg) => [(reg << 3) | 4, (scale << 6) | (1 << 3) | 5, ...d];
      } else if (form === 1) {
        const d = le(this.p(0.3) ? this.pageEnd16() : this.n(0xfff0), 4);
        bytes = (reg) => [(reg << 3) | 5, ...d];
      } else {
        const d = this.n(128);
        bytes = (reg) => [0x40 | (reg << 3) | 1, d];
      }
      return { setup, prefixes, modrm: bytes };
    }
    const d8 = () => [this.n(256)];
    const d32 = (range: number) => le(this.n(range) - (range >> 1), 4);
    const abs = (range: number) => le(DATA + this.n(range), 4);
    let bytes: (reg: number) => number[];
    switch (this.n(10)) {
      case 0:
        bytes = (reg) => [(reg << 3) | 6];
        break;
      case 1: {
        const d = d8();
        bytes = (reg) => [0x40 | (reg << 3) | 6, ...d];
        break;
      }
      case 2: {
        const d = d8();
        bytes = (reg) => [0x40 | (reg << 3) | 5, ...d];
        break;
      }
      case 3: {
        const d = d32(0x8000);
        bytes = (reg) => [0x80 | (reg << 3) | this.pick([5, 6]), ...d];
        break;
      }
      case 4: {
        // ESI or EBP (whose values the prologue set) plus a displacement to the end of a page.
        const rm = this.pick([5, 6]);
        const d = le(this.straddle(rm === 6 ? this.esi : this.ebp), 4);
        bytes = (reg) => [0x80 | (reg << 3) | rm, ...d];
        break;
      }
      case 5: {
        // SIB with a base: ESI, EBP or ESP; index ECX, none or a masked register.
        const base = this.pick([6, 5, 4]);
        const index = this.p(0.4) && this.ecxSmall ? 1 : this.p(0.5) ? 4 : this.masked(setup);
        const sib = (this.n(4) << 6) | (index << 3) | base;
        const mod = base === 5 ? 1 + this.n(2) : this.n(3);
        const d = mod === 1 ? d8() : mod === 2 ? d32(0x8000) : [];
        bytes = (reg) => [(mod << 6) | (reg << 3) | 4, sib, ...d];
        break;
      }
      case 6: {
        // SIB without a base: index * scale + disp32.
        const index = this.p(0.4) && this.ecxSmall ? 1 : this.p(0.5) ? 4 : this.masked(setup);
        const sib = (this.n(4) << 6) | (index << 3) | 5;
        const d = abs(0x20000);
        bytes = (reg) => [(reg << 3) | 4, sib, ...d];
        break;
      }
      case 7: {
        // Absolute, half the time in the last bytes of a page.
        const d = this.p(0.5) ? le(DATA + 0x1000 * (1 + this.n(0x2f)) - 1 - this.n(3), 4) : abs(0x30000);
        bytes = (reg) => [(reg << 3) | 5, ...d];
        break;
      }
      default: {
        const x = this.masked(setup);
        const d = abs(0x20000);
        bytes = (reg) => [0x80 | (reg << 3) | x, ...d];
        break;
      }
    }
    return { setup, prefixes, modrm: bytes };
  }

  /** A ModR/M operand: a register (one the program may write, if `write`) or memory. */
  e(write: boolean, size: Size, regOnly: boolean): E {
    if (regOnly || this.p(0.5)) return { reg: write ? this.dst(size) : this.n(8) };
    return { mem: this.mem(write) };
  }

  /** Emits [setup] prefixes opcode ModR/M... imm. */
  put(p66: boolean, opcode: number[], reg: number, e: E, imm: number[] = []): void {
    const prefixes = p66 ? [0x66] : [];
    if (e.mem) {
      this.a.emit(...e.mem.setup);
      prefixes.push(...e.mem.prefixes);
    }
    const modrm = e.mem ? e.mem.modrm(reg) : [0xc0 | (reg << 3) | e.reg];
    this.a.emit(...this.shuffle(prefixes), ...opcode, ...modrm, ...imm);
  }

  // --- instructions the translator emits inline ---

  alu(regOnly: boolean): void {
    const aop = this.n(8);
    const form = this.n(6);
    const write = aop !== 7;
    if (form === 4) {
      this.a.emit(...(this.p(0.05) ? [0x66] : []), aop * 8 + 4, this.value(8));
      return;
    }
    if (form === 5) {
      const { p66, size } = this.osize();
      this.a.emit(...(p66 ? [0x66] : []), aop * 8 + 5, ...le(this.value(size), size / 8));
      return;
    }
    const { p66, size } = this.sized((form & 1) === 0);
    if (form < 2) this.put(p66, [aop * 8 + form], this.n(8), this.e(write, size, regOnly));
    else this.put(p66, [aop * 8 + form], write ? this.dst(size) : this.n(8), this.e(false, size, regOnly));
  }

  group1(regOnly: boolean): void {
    const op = this.pick([0x80, 0x81, 0x83, 0x82]);
    const aop = this.n(8);
    const { p66, size } = this.sized(op === 0x80 || op === 0x82);
    const imm = op === 0x81 ? le(this.value(size), size / 8) : [this.value(8)];
    this.put(p66, [op], aop, this.e(aop !== 7, size, regOnly), imm);
  }

  test(regOnly: boolean): void {
    const x = this.n(3);
    if (x === 0) {
      const { p66, size } = this.sized(this.p(0.5));
      this.put(p66, [size === 8 ? 0x84 : 0x85], this.n(8), this.e(false, size, regOnly));
    } else if (x === 1) this.a.emit(0xa8, this.value(8));
    else {
      const { p66, size } = this.osize();
      this.a.emit(...(p66 ? [0x66] : []), 0xa9, ...le(this.value(size), size / 8));
    }
  }

  mov(regOnly: boolean): void {
    const x = this.n(5);
    const { p66, size } = this.sized(this.p(0.4));
    const w = size === 8 ? 0 : 1;
    if (x === 0) this.put(p66, [0x88 | w], this.n(8), this.e(true, size, regOnly));
    else if (x === 1) this.put(p66, [0x8a | w], this.dst(size), this.e(false, size, regOnly));
    else if (x === 2)
      this.put(p66, [0xc6 | w], 0, this.e(true, size, regOnly), le(this.value(size), size / 8));
    else if (x === 3 && size !== 8)
      this.put(p66, [0x8c], this.n(6), this.e(true, size, regOnly)); // MOV Ev, Sreg
    else if (size === 8) this.a.emit(0xb0 | this.dst(8), this.value(8));
    else this.a.emit(...(p66 ? [0x66] : []), 0xb8 | this.dst(size), ...le(this.value(size), size / 8));
  }

  moffs(): void {
    const op = 0xa0 + this.n(4);
    const write = op >= 0xa2;
    const pre = this.sized((op & 1) === 0).p66 ? [0x66] : [];
    const p67 = this.p(0.15);
    let off: number[];
    if (this.bits === 32 && !p67) {
      pre.push(...this.seg(write));
      off = le(DATA + this.n(0x30000), 4);
    } else if (this.bits === 32) {
      pre.push(0x67, this.pick([0x64, 0x65]));
      off = le(this.n(0x10000), 2);
    } else if (!p67) {
      pre.push(...this.seg(write));
      off = le(this.n(0x10000), 2);
    } else {
      pre.push(0x67, ...this.seg(write));
      off = le(this.n(0xfff0), 4);
    }
    this.a.emit(...this.shuffle(pre), op, ...off);
  }

  lea(): void {
    const { p66, size } = this.osize();
    // LEA computes any address without touching memory: registers need no masking.
    const p67 = this.p(0.2);
    const a32 = (this.bits === 32) !== p67;
    const mod = this.n(3);
    const rm = this.n(8);
    const tail: number[] = [];
    if (a32) {
      if (rm === 4) tail.push(this.n(256));
      if (mod === 1) tail.push(this.n(256));
      else if (mod === 2 || (mod === 0 && (rm === 5 || (rm === 4 && (tail[0] & 7) === 5))))
        tail.push(...le(this.r(), 4));
    } else if (mod === 1) tail.push(this.n(256));
    else if (mod === 2 || (mod === 0 && rm === 6)) tail.push(...le(this.r(), 2));
    const pre = this.shuffle([...(p66 ? [0x66] : []), ...(p67 ? [0x67] : []), ...this.seg(false)]);
    this.a.emit(...pre, 0x8d, (mod << 6) | (this.dst(size) << 3) | rm, ...tail);
  }

  incDec(regOnly: boolean): void {
    const { p66, size } = this.sized(this.p(0.3));
    if (size !== 8 && this.p(0.6))
      this.a.emit(...(p66 ? [0x66] : []), 0x40 | (this.n(2) << 3) | this.dst(size));
    else this.put(p66, [size === 8 ? 0xfe : 0xff], this.n(2), this.e(true, size, regOnly));
  }

  pushPop(): void {
    const { p66, size } = this.osize();
    const pre = p66 ? [0x66] : [];
    const push = this.net <= -3 ? true : this.net >= 3 ? false : this.p(0.5);
    this.net += push ? 1 : -1;
    if (push) {
      const x = this.n(5);
      if (x < 3) this.a.emit(...pre, 0x50 | this.n(8));
      else if (x === 3) this.a.emit(...pre, 0x6a, this.n(256));
      else this.a.emit(...pre, 0x68, ...le(this.value(size), size / 8));
    } else if (this.p(0.8)) this.a.emit(...pre, 0x58 | this.dst(size));
    else this.put(p66, [0x8f], 0, this.e(true, size, false));
  }

  /** A forward Jcc or JMP over the next 1..4 items (or to the end of the body). */
  forward(ctx: Ctx): void {
    const label = this.fresh();
    const skip = 1 + this.n(4);
    const short = this.p(0.7);
    ctx.pending.push({ at: ctx.k + 1 + skip, label, short });
    const rel = this.bits / 8;
    const x = this.n(10);
    if (x < 7) {
      const cc = this.n(16);
      if (short) {
        this.a.emit(0x70 | cc);
        this.a.ref(label, 1, true);
      } else {
        this.a.emit(0x0f, 0x80 | cc);
        this.a.ref(label, rel, true);
      }
    } else if (x < 9) {
      if (short) {
        this.a.emit(0xeb);
        this.a.ref(label, 1, true);
      } else {
        this.a.emit(0xe9);
        this.a.ref(label, rel, true);
      }
    } else {
      // JMP reg to the label's address.
      const reg = this.dst(this.bits);
      this.a.emit(0xb8 | reg);
      this.a.ref(label, rel, false);
      this.a.emit(0xff, 0xe0 | reg);
    }
  }

  /** CALL to a subroutine (direct, through a register or through memory), maybe with stack arguments. */
  call(): void {
    let sub = this.subs.length > 0 && this.p(0.4) ? this.pick(this.subs) : undefined;
    if (!sub) {
      sub = { label: this.fresh(), args: this.p(0.3) ? 1 + this.n(3) : 0 };
      this.subs.push(sub);
    }
    for (let i = 0; i < sub.args; i++) this.a.emit(0x50 | this.n(8));
    const rel = this.bits / 8;
    const x = this.n(4);
    if (x < 2) {
      this.a.emit(0xe8);
      this.a.ref(sub.label, rel, true);
    } else if (x === 2) {
      const reg = this.dst(this.bits);
      this.a.emit(0xb8 | reg);
      this.a.ref(sub.label, rel, false);
      this.a.emit(0xff, 0xd0 | reg);
    } else if (this.bits === 32) {
      this.a.emit(0xc7, 0x05, ...le(this.slot, 4));
      this.a.ref(sub.label, 4, false);
      this.a.emit(0xff, 0x15, ...le(this.slot, 4));
    } else {
      this.a.emit(0xc7, 0x06, ...le(this.slot, 2));
      this.a.ref(sub.label, 2, false);
      this.a.emit(0xff, 0x16, ...le(this.slot, 2));
    }
  }

  // --- instructions the translator hands to the interpreter ---

  shift(regOnly: boolean): void {
    const op = this.pick([0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3]);
    const { p66, size } = this.sized((op & 1) === 0);
    const imm = op < 0xd0 ? [this.n(40)] : [];
    this.put(p66, [op], this.n(8), this.e(true, size, regOnly), imm);
  }

  group3(regOnly: boolean): void {
    const sub = this.pick([0, 1, 2, 3, 4, 5]);
    const { p66, size } = this.sized(this.p(0.4));
    const imm = sub < 2 ? le(this.value(size), size / 8) : [];
    this.put(p66, [size === 8 ? 0xf6 : 0xf7], sub, this.e(sub === 2 || sub === 3, size, regOnly), imm);
  }

  /** DIV/IDIV of a register, 2 bytes and unprefixed so the #DE handler can skip it. */
  div(): void {
    const byte = this.p(0.3);
    const x = this.n(3);
    if (x === 0) this.a.emit(...(this.bits === 32 ? [0x31, 0xd2] : [0x31, 0xd2]));
    else if (x === 1 && byte) this.a.emit(0x30, 0xe4);
    this.a.emit(byte ? 0xf6 : 0xf7, 0xc0 | ((6 + this.n(2)) << 3) | this.n(8));
  }

  movx(regOnly: boolean): void {
    const op = this.pick([0xb6, 0xb7, 0xbe, 0xbf]);
    const { p66, size } = this.osize();
    this.put(p66, [0x0f, op], this.dst(size), this.e(false, op & 1 ? 16 : 8, regOnly));
  }

  setcc(regOnly: boolean): void {
    this.put(false, [0x0f, 0x90 | this.n(16)], 0, this.e(true, 8, regOnly));
  }

  cmov(regOnly: boolean): void {
    const { p66, size } = this.osize();
    this.put(p66, [0x0f, 0x40 | this.n(16)], this.dst(size), this.e(false, size, regOnly));
  }

  xchg(regOnly: boolean): void {
    const { p66, size } = this.sized(this.p(0.3));
    if (size !== 8 && this.p(0.4)) {
      const reg = this.pick((this.bits === 32 ? DATA32 : DATA16).filter((x) => x !== 0));
      this.a.emit(...(p66 ? [0x66] : []), 0x90 | reg);
    } else this.put(p66, [size === 8 ? 0x86 : 0x87], this.dst(size), this.e(true, size, regOnly));
  }

  flagOp(): void {
    this.a.emit(this.pick([0xf8, 0xf9, 0xf5, 0xfc, 0xfd, 0xf8, 0xf9, 0xf5]));
  }

  /** REP STOS/MOVS with a small count: ECX saved around it, EDI pointed at data. */
  rep(): void {
    const op = this.pick([0xaa, 0xab, 0xa4, 0xa5]);
    const o = this.bits === 16 && (op & 1) !== 0 && this.p(0.5) ? [0x66] : [];
    const src = op < 0xaa ? this.seg(false) : [];
    if (this.bits === 32) {
      this.a.emit(0x51, 0xb9, ...le(this.n(24), 4), 0xbf, ...le(DATA + 0x100 + this.n(0x30000), 4));
      this.a.emit(...this.shuffle([0xf3, ...o, ...src]), op, 0x59);
    } else {
      this.a.emit(0x66, 0x51, 0xb9, ...le(this.n(24), 2), 0xbf, ...le(this.n(0x10000), 2));
      this.a.emit(...this.shuffle([0xf3, ...o, ...src]), op, 0x66, 0x59);
    }
  }

  misc(ctx: Ctx): void {
    const regOnly = ctx.sub;
    const { p66, size } = this.osize();
    const pre = p66 ? [0x66] : [];
    switch (this.n(16)) {
      case 0:
        this.a.emit(...pre, this.pick([0x98, 0x99]));
        break;
      case 1:
        this.a.emit(this.pick([0x9e, 0x9f]));
        break;
      case 2:
        this.a.emit(...(this.bits === 16 ? [0x66] : []), 0x0f, 0xc8 | this.pick(DATA32));
        break;
      case 3:
        this.put(p66, [0x0f, this.pick([0xa3, 0xab, 0xb3, 0xbb])], this.n(8), this.e(false, size, true));
        break;
      case 4:
        this.put(p66, [0x0f, 0xba], 4 + this.n(4), this.e(true, size, regOnly), [this.n(256)]);
        break;
      case 5:
        this.put(p66, [0x0f, this.pick([0xbc, 0xbd, 0xaf])], this.dst(size), this.e(false, size, regOnly));
        break;
      case 6: {
        const op = this.pick([0x69, 0x6b]);
        const imm = op === 0x69 ? le(this.value(size), size / 8) : [this.n(256)];
        this.put(p66, [op], this.dst(size), this.e(false, size, regOnly), imm);
        break;
      }
      case 7:
        this.a.emit(this.pick([0x27, 0x2f, 0x37, 0x3f]));
        break;
      case 8:
        // AAM 0 raises #DE (2 bytes: the handler skips it); AAD.
        this.a.emit(this.pick([0xd4, 0xd5]), this.p(0.2) ? 0 : this.n(256));
        break;
      case 9: {
        const byte = this.p(0.3);
        const s = byte ? 8 : size;
        this.put(byte ? false : p66, [0x0f, byte ? 0xc0 : 0xc1], this.dst(s), this.e(true, s, regOnly));
        break;
      }
      case 10: {
        const byte = this.p(0.3);
        const s = byte ? 8 : size;
        this.put(byte ? false : p66, [0x0f, byte ? 0xb0 : 0xb1], this.n(8), this.e(true, s, regOnly));
        break;
      }
      case 11: {
        const op = this.pick([0xa4, 0xac, 0xa5, 0xad]);
        this.put(p66, [0x0f, op], this.n(8), this.e(true, size, regOnly), op & 1 ? [] : [this.n(40)]);
        break;
      }
      case 12:
        // Not translated at all: ends a block.
        if (!ctx.sub && ctx.depth === 0 && this.p(0.5)) this.put(p66, [0xff], 6, this.e(false, size, false));
        else this.a.emit(0x9c, 0x9d);
        break;
      case 13:
        if (this.bits === 16) this.a.emit(0xd7);
        else this.a.emit(0x90);
        break;
      case 14:
        this.a.emit(0x90);
        break;
      default:
        this.a.emit(0xf5);
        break;
    }
  }

  item(ctx: Ctx): void {
    const regOnly = ctx.sub;
    const w = this.n(100);
    if (w < 17) this.alu(regOnly);
    else if (w < 26) this.group1(regOnly);
    else if (w < 30) this.test(regOnly);
    else if (w < 38) this.mov(regOnly);
    else if (w < 41) this.lea();
    else if (w < 47) this.incDec(regOnly);
    else if (w < 51 && !ctx.sub && ctx.depth === 0) this.pushPop();
    else if (w < 60) this.forward(ctx);
    else if (w < 63 && !ctx.sub) this.call();
    else if (w < 67) this.shift(regOnly);
    else if (w < 70) this.group3(regOnly);
    else if (w < 72) this.div();
    else if (w < 74) this.movx(regOnly);
    else if (w < 76) this.setcc(regOnly);
    else if (w < 78) this.cmov(regOnly);
    else if (w < 80) this.xchg(regOnly);
    else if (w < 82) this.flagOp();
    else if (w < 84 && !ctx.sub) this.rep();
    else if (w < 89) this.misc(ctx);
    else if (w < 92 && !ctx.sub && ctx.depth === 0 && !ctx.shortOpen) this.loop(1);
    else if (w < 95 && !ctx.sub) this.moffs();
    else this.alu(regOnly);
  }

  body(count: number, depth: number, sub: boolean): void {
    const pending: Pending[] = [];
    for (let k = 0; k < count; k++) {
      for (const p of pending) if (p.at === k) this.a.bind(p.label);
      const shortOpen = pending.some((p) => p.short && p.at > k);
      this.item({ depth, sub, shortOpen, pending, k });
    }
    for (const p of pending) if (p.at >= count) this.a.bind(p.label);
  }

  /** A Jcc back to `top` (rel8 when it reaches, sometimes the long form anyway). */
  back(cc: number, top: string): void {
    const target = this.a.address(top)!;
    if (target - (this.a.pc + 2) >= -128 && this.p(0.7)) {
      this.a.emit(0x70 | cc);
      this.a.ref(top, 1, true);
    } else {
      this.a.emit(0x0f, 0x80 | cc);
      this.a.ref(top, this.bits / 8, true);
    }
  }

  /** A counted loop: ECX = count; body; one of several decrement-and-branch forms. */
  loop(depth: number): void {
    const o = this.bits === 16 ? [0x66] : [];
    const count = depth === 0 ? 2 + this.n(40) : 2 + this.n(12);
    let v = this.n(8);
    if (v === 4 && this.bits === 16) v = 1;
    // LOOP counts CX or ECX by the address size: make the rest of ECX nonzero where it must not count.
    const cxOnly = v === 7 || (v === 5 && this.bits === 16);
    if (depth > 0) this.a.emit(...o, 0x51);
    this.a.emit(...o, 0xb9, ...le(cxOnly ? (this.n(0x10000) << 16) | count : count, 4));
    const top = this.fresh();
    this.a.bind(top);
    const small = this.ecxSmall;
    this.ecxSmall = !cxOnly;
    this.body(depth === 0 ? 3 + this.n(25) : 1 + this.n(8), depth, false);
    this.ecxSmall = small;
    const reach = this.a.address(top)! - (this.a.pc + 3) >= -128;
    if ((v === 5 || v === 7) && !reach) v = 0;
    switch (v) {
      case 0:
        this.a.emit(...o, 0x49);
        this.back(0x5, top);
        break;
      case 1:
        this.a.emit(...o, 0x83, 0xe9, 0x01);
        this.back(0x5, top);
        break;
      case 2:
        this.a.emit(...o, 0x49);
        this.back(0xf, top);
        break;
      case 3:
        this.a.emit(...o, 0x83, 0xc1, 0xff);
        this.back(0x2, top);
        break;
      case 4:
        this.a.emit(0x83, 0xf9, 0x01, 0x8d, 0x49, 0xff);
        this.back(0x7, top);
        break;
      case 5:
        this.a.emit(0xe2);
        this.a.ref(top, 1, true);
        break;
      case 7:
        // LOOP with the other address size: CX in 32-bit code; in 16-bit code, ECX only when
        // ECX's upper half is zero, so plain LOOP (CX) there.
        if (this.bits === 32) this.a.emit(0x67);
        this.a.emit(0xe2);
        this.a.ref(top, 1, true);
        break;
      default: {
        const out = this.fresh();
        this.a.emit(...o, 0x49, 0x74);
        this.a.ref(out, 1, true);
        if (this.a.address(top)! - (this.a.pc + 2) >= -128) {
          this.a.emit(0xeb);
          this.a.ref(top, 1, true);
        } else {
          this.a.emit(0xe9);
          this.a.ref(top, this.bits / 8, true);
        }
        this.a.bind(out);
      }
    }
    if (depth > 0) this.a.emit(...o, 0x59);
  }

  program(): Uint8Array {
    if (this.bits === 32) this.a.emit(0xbe, ...le(this.esi, 4), 0xbd, ...le(this.ebp, 4));
    const loops = 1 + this.n(3);
    for (let i = 0; i < loops; i++) {
      this.net = 0;
      this.loop(0);
    }
    this.a.emit(0xf4, 0xeb, 0xfd);
    for (let i = 0; i < this.subs.length; i++) {
      const sub = this.subs[i];
      this.a.bind(sub.label);
      this.body(1 + this.n(8), 0, true);
      if (sub.args) this.a.emit(0xc2, ...le((sub.args * this.bits) / 8, 2));
      else this.a.emit(0xc3);
    }
    return this.a.finish();
  }
}

type ProgramMode = 'flat32' | 'flat32-stack16' | 'paged32-ring3' | 'real16';
const PROGRAM_MODES: readonly ProgramMode[] = ['flat32', 'flat32-stack16', 'paged32-ring3', 'real16'];

/** Paged mode: one data page is read-only and one is absent, so some programs end in a #PF. */
const READ_ONLY_PAGE = (DATA + 0x20000) >>> 12;
const ABSENT_PAGE = (DATA + 0x28000) >>> 12;

/** The machine of each mode, empty. */
function setupMode(m: Machine, mode: ProgramMode): void {
  if (mode === 'real16') setupReal(m);
  else if (mode === 'paged32-ring3') {
    setup32(m, { paged: true, ring3: true, readOnly: [READ_ONLY_PAGE], absent: [ABSENT_PAGE] });
  } else if (mode === 'flat32-stack16') setup32(m, { paged: false, ring3: false, stack16: true });
  else setup32(m, { paged: false, ring3: false, esExpandDown: true });
}

interface Program {
  origin: number;
  code: Uint8Array;
}

function generate(mode: ProgramMode, seed: number): Program {
  const r = rng(seed);
  const bits: Bits = mode === 'real16' ? 16 : 32;
  // Code starts anywhere in its first page, so loops sometimes straddle a page boundary.
  const start = CODE + (r() % 0xff0);
  const origin = bits === 16 ? start - (SEG16.cs << 4) : start;
  const code = new ProgramGenerator(r, bits, origin).program();
  return { origin, code };
}

/** Builds the machine for `mode` with random registers and data, and loads the program. */
function load(m: Machine, mode: ProgramMode, seed: number, prog: Program): void {
  const r = rng(seed ^ 0x5a5a5a5a);
  setupMode(m, mode);
  const dataStart = mode === 'real16' ? REAL_DATA : DATA;
  const dataSize = mode === 'real16' ? REAL_DATA_SIZE : DATA_SIZE;
  const words = new Int32Array(dataSize / 4);
  for (let i = 0; i < words.length; i++) words[i] = r();
  m.bus.writeBytes(dataStart, new Uint8Array(words.buffer));
  const cpu = m.cpu;
  for (let i = 0; i < 8; i++) cpu.r32[i] = r();
  cpu.eflags = (r() & 0xcd5) | 2;
  if (mode === 'real16') {
    cpu.esp = (r() & 0xffff0000) | 0x8000;
    cpu.ecx = 0;
    writeLinear(m, (SEG16.cs << 4) + prog.origin, prog.code);
  } else {
    // With a 16-bit stack only SP moves: the rest of ESP is random.
    cpu.esp = mode === 'flat32-stack16' ? (r() & 0xffff0000) | STACK16 : STACK;
    writeLinear(m, prog.origin, prog.code);
  }
  cpu.eip = prog.origin;
}

/** Runs one random program on both machines; returns the instructions it ran. */
function runProgram(mode: ProgramMode, seed: number): number {
  const prog = generate(mode, seed);
  const t = machine(true);
  const i = machine(false);
  load(t, mode, seed, prog);
  load(i, mode, seed, prog);
  expectSame(t, i, 'after loading');
  return lockstep(t, i, 60_000, `${mode} program seed ${seed}`, rng(seed + 1));
}

// K_BLOCK_PROGRAMS sets the programs per mode and K_BLOCK_SEED the first seed, for longer runs; a
// failure names its mode and seed, and runProgram(mode, seed) replays exactly that program.
const PROGRAMS = Number(process.env.K_BLOCK_PROGRAMS ?? 40);
const FIRST_SEED = Number(process.env.K_BLOCK_SEED ?? 0);

describe('random loop programs: translated and interpreted machines agree', () => {
  for (const mode of PROGRAM_MODES) {
    it(`${mode}: ${PROGRAMS} programs`, () => {
      const before = statsNow();
      let total = 0;
      const base = 0x100000 * (PROGRAM_MODES.indexOf(mode) + 1) + FIRST_SEED;
      for (let k = 0; k < PROGRAMS; k++) total += runProgram(mode, base + k);
      const blockInstructions = stats.instructions - before.instructions;
      // The comparison is only worth something if most of the work really ran as translated code.
      expect(newCrashes(before.crashes)).toEqual([]);
      expect(stats.translations - before.translations).toBeGreaterThan(PROGRAMS * 5);
      expect(
        blockInstructions / total,
        `${blockInstructions} of ${total} instructions in blocks`,
      ).toBeGreaterThan(0.5);
    });
  }

  it('the generator covers the instructions it is meant to (checked by disassembling its output)', () => {
    const seen = new Set<string>();
    const prefixes = new Set<number>();
    for (const mode of ['flat32', 'real16'] as const) {
      for (let seed = 1; seed <= 60; seed++) {
        const { code } = generate(mode, seed);
        const cpu = machine(false).cpu;
        for (let at = 0; at < code.length; ) {
          const d = cpu.disassemble(code, at, { bits: mode === 'real16' ? 16 : 32 });
          expect(d.text, `${mode} seed ${seed} at ${at}`).not.toBe('(bad)');
          seen.add(d.text.split(' ')[0]);
          for (
            let k = at;
            k < at + d.length && [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67].includes(code[k]);
            k++
          )
            prefixes.add(code[k]);
          at += d.length;
        }
      }
    }
    const mnemonics = [
      'jo jno jb jnb jz jnz jbe ja js jns jp jnp jl jnl jle jg jmp call ret loop hlt push pop',
      'add or adc sbb and sub xor cmp test mov lea inc dec xchg movzx movsx',
      'shl shr sar rol mul imul div idiv neg not clc cmc cld std rep bswap bt xadd cmpxchg shld aam',
    ];
    for (const m of mnemonics.join(' ').split(' ')) expect(seen, m).toContain(m);
    expect([...seen].some((m) => m.startsWith('set'))).toBe(true);
    expect([...seen].some((m) => m.startsWith('cmov'))).toBe(true);
    expect([...prefixes].sort((x, y) => x - y)).toEqual([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67]);
  });
});

// --- random bytes --------------------------------------------------------------------------------------

describe('random bytes: translated and interpreted machines agree', () => {
  // With translateAfter = 1 almost every instruction of random code gets translated (at about a
  // millisecond a block), so the budgets are small where much of it is valid code; K_BLOCK_FUZZ
  // multiplies them.
  const scale = Number(process.env.K_BLOCK_FUZZ ?? 1);
  const budgets: [FuzzMode, number][] = [
    ['real', 2500],
    ['pm16', 2500],
    ['flat32', 10_000],
    ['paged-ring3', 40_000],
  ];
  for (const [k, [mode, budget]] of budgets.entries()) {
    it(`${mode}: ${budget * scale} instructions`, () => {
      const t = fuzzMachine(mode, 0xb10c + k);
      const i = fuzzMachine(mode, 0xb10c + k);
      t.m.cpu.translateAfter = 1;
      i.m.cpu.translateBlocks = false;
      const sched = rng(0xf00d + k);
      const crashes = stats.crashes.length;
      let done = 0;
      for (let round = 0; done < budget * scale; round++) {
        enterMode(t.m, mode, t.r);
        enterMode(i.m, mode, i.r);
        for (let slice = 0; slice < 3; slice++) {
          const n = (oddBudget(sched) % 400) | 1;
          const a = t.m.cpu.run(n);
          const b = i.m.cpu.run(n);
          const where = `${mode} round ${round} slice ${slice}`;
          expect(a, where).toBe(b);
          expect(t.m.cpu.stopReason, where).toBe(i.m.cpu.stopReason);
          expectSame(t.m, i.m, where, false);
          done += a;
        }
        if (round % 16 === 15) expectSame(t.m, i.m, `${mode} round ${round}`);
      }
      expectSame(t.m, i.m, `${mode} at the end`);
      expect(newCrashes(crashes)).toEqual([]);
    });
  }
});

// --- hand-written cases --------------------------------------------------------------------------------

/** The machines of a hand-written case: translating at once, translating at the default heat, interpreting. */
function trio(build: (m: Machine) => void): Machine[] {
  return [machine(true), machine(true, undefined, 32), machine(false)].map((m) => {
    build(m);
    return m;
  });
}

/** Runs every machine to its stop in the same odd slices, comparing them with the last (the interpreter). */
function runAll(ms: Machine[], budget: number, where: string): void {
  lockstepAll(ms, budget, where, rng(budget));
}

const ring0Stack = (m: Machine, depth: number) => m.bus.read32(STACK0 - 4 * depth);

// --- every flag producer on edge values ---------------------------------------------------------------

describe('flags: every producer on edge values, read by every condition', () => {
  // For each table entry (A, B, C): EAX = A, EBX = B, CF = C & 1 (SHR EDX, 1 sets it), then the
  // instruction under test, SETcc [EDI+j] for the eight even conditions (the odd ones negate them),
  // a Jcc (the form's index picks the condition) over an LEA, the result, and PUSHFD (all six flags,
  // AF included, as the block stored them). Every form is one section of a loop over the table.
  const VALUES = [0, 1, 0x40, 0x7f, 0x80, 0xff, 0x8000, 0x7fffffff, 0x80000000, 0xffffffff];
  const TABLE = DATA;
  const OUT = 0x100000;
  const forms: number[][] = [];
  for (const o16 of [[], [0x66]]) {
    for (let aop = 0; aop < 8; aop++) forms.push([aop * 8, 0xd8], [...o16, aop * 8 + 1, 0xd8]);
    forms.push([0x84, 0xd8], [...o16, 0x85, 0xd8]);
    forms.push(
      [0xfe, 0xc0],
      [0xfe, 0xc8],
      [...o16, 0x40],
      [...o16, 0x48],
      [0xf6, 0xd8],
      [...o16, 0xf7, 0xd8],
    );
    forms.push([...o16, 0x0f, 0xaf, 0xc3], [...o16, 0x6b, 0xc3, 0x7f], [...o16, 0x6b, 0xc3, 0x81]);
    forms.push([...o16, 0x69, 0xc3, ...(o16.length ? [0x81, 0x01] : [0x01, 0x00, 0x01, 0x00])]);
    // SHL SHR SAR (inline for constant counts) around the operand sizes; ROL and RCR (interpreter).
    for (const kind of [4, 5, 7]) {
      const modrm = 0xc0 | (kind << 3);
      forms.push([0xd0, modrm], [...o16, 0xd1, modrm]);
      for (const n of [0, 7, 8, 9, 16, 31]) forms.push([0xc0, modrm, n], [...o16, 0xc1, modrm, n]);
    }
    for (const kind of [0, 3]) forms.push([0xc0, 0xc0 | (kind << 3), 9], [...o16, 0xd1, 0xc0 | (kind << 3)]);
  }
  const distinct = forms.filter((op, k) => forms.findIndex((x) => x.join() === op.join()) === k);

  function build(m: Machine): void {
    setup32(m, { paged: false, ring3: false });
    const entries: number[] = [];
    for (const a of VALUES) for (const b of VALUES) entries.push(a, b, 0, a, b, 1);
    m.bus.writeBytes(TABLE, new Uint8Array(Uint32Array.from(entries).buffer));
    const a = new Asm(CODE);
    a.emit(0xbe, ...le(TABLE, 4), 0xbf, ...le(OUT, 4), 0xbd, ...le(entries.length / 3, 4));
    a.bind('top');
    for (const [k, op] of distinct.entries()) {
      a.emit(0x8b, 0x06, 0x8b, 0x5e, 0x04, 0x8b, 0x56, 0x08, 0xd1, 0xea, ...op);
      for (let j = 0; j < 8; j++) a.emit(0x0f, 0x90 | (2 * j), 0x47, j);
      a.emit(0x70 | (k & 15), 0x03, 0x8d, 0x40, 0x01); // jcc over lea eax, [eax+1]
      a.emit(0x89, 0x47, 0x08, 0x9c, 0x8f, 0x47, 0x0c, 0x83, 0xc7, 0x10);
    }
    // INC/DEC as the first flag producer of a block (POPFD ends the one before), read by the CF
    // conditions into registers (nothing that could fault), their flags dead afterwards (TEST): CF
    // must come from the CPU, ZF from the INC/DEC.
    for (const op of [[0xfe, 0xc0], [0xfe, 0xc8], [0x66, 0x40], [0x66, 0x48], [0x40], [0x48]]) {
      a.emit(0x8b, 0x06, 0x8b, 0x5e, 0x04, 0x8b, 0x56, 0x08, 0xd1, 0xea, 0x9c, 0x9d, ...op);
      // setb bl ; setbe bh ; seta cl ; setae ch ; cmovbe edx, eax ; test eax, eax
      a.emit(
        0x0f,
        0x92,
        0xc3,
        0x0f,
        0x96,
        0xc7,
        0x0f,
        0x97,
        0xc1,
        0x0f,
        0x93,
        0xc5,
        0x0f,
        0x46,
        0xd0,
        0x85,
        0xc0,
      );
      // mov [edi], ebx ; mov [edi+4], ecx ; mov [edi+8], edx ; mov [edi+12], eax ; add edi, 16
      a.emit(0x89, 0x1f, 0x89, 0x4f, 0x04, 0x89, 0x57, 0x08, 0x89, 0x47, 0x0c, 0x83, 0xc7, 0x10);
    }
    a.emit(0x83, 0xc6, 0x0c, 0x4d, 0x0f, 0x85);
    a.ref('top', 4, true);
    a.emit(0xf4);
    writeLinear(m, CODE, a.finish());
    m.cpu.eip = CODE;
  }

  it(`${distinct.length + 6} instruction forms x ${VALUES.length ** 2 * 2} operand pairs`, () => {
    const t = machine(true, undefined, 1, 4 << 20);
    const i = machine(false, undefined, 1, 4 << 20);
    build(t);
    build(i);
    const before = statsNow();
    // Long slices of odd length (the random programs test short ones).
    lockstepAll([t, i], 5_000_000, 'flag matrix', rng(3), 4, (r) => 20_001 + 2 * (r() % 10_000));
    expect(i.cpu.stopReason).toBe('hlt');
    expect(i.cpu.edi).toBe(OUT + 16 * (distinct.length + 6) * VALUES.length ** 2 * 2);
    expect(stats.instructions - before.instructions).toBeGreaterThan(i.cpu.instructionCount / 2);
  });
});

describe('faults inside a hot block are delivered exactly as by the interpreter', () => {
  // 32-bit:  L: add ebx,eax ; dec edx ; mov eax,[esi] ; add esi,0x400 ; dec ecx ; jnz L ; hlt
  // Pass j reads [ESI0 + 0x400*(j-1)]; the read of pass P is the first to touch the page at X.
  const LOOP = [0x01, 0xc3, 0x4a, 0x8b, 0x06, 0x81, 0xc6, 0x00, 0x04, 0x00, 0x00, 0x49, 0x75, 0xf2, 0xf4];
  const L = CODE + 0x7f0; // the block runs across no page boundary; the data does
  const X = 0x80000;
  const P = 50;
  const N = 100;

  /** EAX0 = -1, EBX0 = 1, every word read before X is -1: from pass 3 on, ADD EBX,EAX carries. */
  function build(m: Machine, o: Setup32): void {
    setup32(m, o);
    writeLinear(m, L, Uint8Array.from(LOOP));
    for (let j = 0; j < P - 1; j++)
      writeLinear(m, X - 0x400 * (P - 1) + 0x400 * j, Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    const c = m.cpu;
    c.eax = 0xffffffff;
    c.ebx = 1;
    c.ecx = N;
    c.edx = P - 1;
    c.esi = X - 0x400 * (P - 1);
    c.eflags = 0x2;
    c.eip = L;
  }

  // At the fault: CF from this pass's ADD EBX,EAX (1), the rest from DEC EDX (0 -> -1: SF AF PF).
  const FLAGS_AT_FAULT = 0x97;

  function expectRegisters(m: Machine): void {
    const c = m.cpu;
    expect(c.eax).toBe(0xffffffff);
    expect(c.ebx).toBe((1 - P) >>> 0);
    expect(c.ecx).toBe(N - (P - 1));
    expect(c.edx).toBe(0xffffffff);
    expect(c.esi).toBe(X);
  }

  it('#PF on a not-present page, from ring 3 with paging: CR2, error code, EIP, flags, count', () => {
    const ms = trio((m) => build(m, { paged: true, ring3: true, absent: [X >>> 12] }));
    runAll(ms, 10_000, '#PF');
    for (const m of ms) {
      const c = m.cpu;
      expect(c.stopReason).toBe('hlt');
      expect(c.eip).toBe(STUBS32 + 14 * 16 + 1);
      // 6 instructions a pass for P-1 passes, then ADD, DEC and the faulting MOV, then the stub's HLT.
      expect(c.instructionCount).toBe(6 * (P - 1) + 3 + 1);
      expect(c.cr2).toBe(X);
      expect(c.esp).toBe(STACK0 - 24);
      expect(ring0Stack(m, 1)).toBe(0x23); // SS
      expect(ring0Stack(m, 2)).toBe(STACK); // ESP
      expect(ring0Stack(m, 3)).toBe(FLAGS_AT_FAULT); // EFLAGS
      expect(ring0Stack(m, 4)).toBe(0x1b); // CS
      expect(ring0Stack(m, 5)).toBe(L + 3); // EIP: the MOV
      expect(ring0Stack(m, 6)).toBe(4); // error code: user, read, not present
      expectRegisters(m);
    }
  });

  it('#GP past the DS limit, ring 0: EIP, error code, flags, count', () => {
    const ms = trio((m) => build(m, { paged: false, ring3: false, dsLimit: X - 1 }));
    runAll(ms, 10_000, '#GP');
    for (const m of ms) {
      const c = m.cpu;
      expect(c.stopReason).toBe('hlt');
      expect(c.eip).toBe(STUBS32 + 13 * 16 + 1);
      expect(c.instructionCount).toBe(6 * (P - 1) + 3 + 1);
      expect(c.cr2).toBe(0);
      expect(c.esp).toBe(STACK - 16);
      const at = (k: number) => m.bus.read32(STACK - 4 * k);
      expect([at(1), at(2), at(3), at(4)]).toEqual([FLAGS_AT_FAULT, 0x08, L + 3, 0]);
      expectRegisters(m);
    }
  });

  it('#PF on a write to a read-only page by an ADD whose flags are dead afterwards', () => {
    // L: add [esi], eax ; add esi, 0x400 ; dec ecx ; jnz L ; hlt    (ring 3; the page at X read-only)
    // The ADD's own flags are overwritten by the next ADD, so only the fault makes them visible, and
    // it must not: a read-modify-write that cannot write faults before changing anything (the
    // pushed EFLAGS are those before the ADD).
    const code = [0x01, 0x06, 0x81, 0xc6, 0x00, 0x04, 0x00, 0x00, 0x49, 0x75, 0xf5, 0xf4];
    const build = (m: Machine) => {
      setup32(m, { paged: true, ring3: true, readOnly: [X >>> 12] });
      writeLinear(m, L, Uint8Array.from(code));
      for (let j = 0; j < P; j++)
        writeLinear(m, X - 0x400 * (P - 1) + 0x400 * j, Uint8Array.from(le(0x7fffffff, 4)));
      m.cpu.eax = 1;
      m.cpu.ecx = N;
      m.cpu.esi = X - 0x400 * (P - 1);
      m.cpu.eip = L;
    };
    const before = machine(false);
    build(before);
    before.cpu.run(4 * (P - 1)); // up to the faulting ADD
    const flagsBefore = before.cpu.eflags;
    const ms = trio(build);
    runAll(ms, 10_000, 'write fault');
    for (const m of ms) {
      const c = m.cpu;
      expect(ring0Stack(m, 3)).toBe(flagsBefore);
      expect(c.eip).toBe(STUBS32 + 14 * 16 + 1);
      expect(c.instructionCount).toBe(4 * (P - 1) + 1 + 1);
      expect(c.cr2).toBe(X);
      expect([ring0Stack(m, 5), ring0Stack(m, 6)]).toEqual([L, 7]); // EIP; error code: user, write, present
      expect(m.cpu.readLinear32(X)).toBe(0x7fffffff); // not written
      expect(m.cpu.readLinear32(X - 0x400)).toBe(0x80000000);
    }
  });

  for (const [name, code, bytes] of [
    ['dword read', [0x8b, 0x06], 4],
    ['dword write', [0x89, 0x06], 4],
    ['word read', [0x66, 0x8b, 0x06], 2],
    ['word write', [0x66, 0x89, 0x06], 2],
  ] as const) {
    it(`#GP from a ${name} straddling the DS limit (the block's inline check covers its last byte)`, () => {
      // L: mov eax,[esi] / mov [esi],eax ; inc esi ; dec ecx ; jnz L ; hlt    ESI walks up to the limit,
      // which lies inside a page (at a page end the access would be split and take the slow path anyway).
      const LIMIT = 0x7ff7f;
      const loop = [...code, 0x46, 0x49, 0x75, 0x100 - (code.length + 4), 0xf4];
      const ms = trio((m) => {
        setup32(m, { paged: false, ring3: false, dsLimit: LIMIT });
        writeLinear(m, L, Uint8Array.from(loop));
        m.cpu.ecx = 1000;
        m.cpu.esi = LIMIT - 40;
        m.cpu.eip = L;
      });
      runAll(ms, 10_000, name);
      // Passes at ESI = LIMIT-40 .. LIMIT-bytes+1 run; the access at LIMIT-bytes+2 faults.
      const passes = 40 - bytes + 2;
      for (const m of ms) {
        expect(m.cpu.eip).toBe(STUBS32 + 13 * 16 + 1);
        expect(m.cpu.esi).toBe(LIMIT - bytes + 2);
        expect(m.cpu.instructionCount).toBe(4 * passes + 1 + 1);
        expect(m.bus.read32(STACK - 12)).toBe(L);
      }
    });
  }

  it('#GP from a word read at offset 0xFFFF in real mode', () => {
    // L: mov ax,[si] ; inc si ; dec cx ; jnz L ; hlt    (DS = 3008: offset 0xFFFF is inside a page)
    const ms = trio((m) => {
      setupReal(m);
      m.cpu.setSegment('ds', { selector: 0x3008, base: 0x30080, limit: 0xffff, attributes: 0x93 });
      m.bus.writeBytes(0x10000, Uint8Array.of(0x8b, 0x04, 0x46, 0x49, 0x75, 0xfa, 0xf4));
      m.cpu.ecx = 1000;
      m.cpu.esi = 0xffff - 30;
      m.cpu.eip = 0;
    });
    runAll(ms, 10_000, 'real-mode wrap');
    for (const m of ms) {
      expect(m.cpu.eip).toBe(STUBS16 + 13 * 16 + 1);
      expect(m.cpu.instructionCount).toBe(4 * 30 + 1 + 1);
      expect(m.bus.read16((SEG16.ss << 4) + 0x8000 - 6)).toBe(0); // IP of the MOV
    }
  });

  it('#GP from a taken Jcc whose target lies past the CS limit, on the last pass of a hot loop', () => {
    // L: inc eax ; cmp eax, K ; je 0x20000 ; dec ecx ; jnz L ; hlt     with the CS limit 0x1FFFF.
    const K = 40;
    const at = CODE + 0xf80;
    const next = at + 1 + 5 + 6;
    const d = 0x20000 - next;
    const code = [0x40, 0x3d, ...le(K, 4), 0x0f, 0x84, ...le(d, 4), 0x49, 0x75, 0xf1, 0xf4];
    const ms = trio((m) => {
      setup32(m, { paged: false, ring3: false, csLimit: 0x1ffff });
      writeLinear(m, at, Uint8Array.from(code));
      m.cpu.eax = 0;
      m.cpu.ecx = 1000;
      m.cpu.eflags = 0x2;
      m.cpu.eip = at;
    });
    runAll(ms, 10_000, 'Jcc past the limit');
    for (const m of ms) {
      const c = m.cpu;
      expect(c.eip).toBe(STUBS32 + 13 * 16 + 1);
      expect(c.instructionCount).toBe(5 * (K - 1) + 3 + 1);
      const s = (k: number) => m.bus.read32(STACK - 4 * k);
      // EFLAGS of CMP with equal operands: ZF PF.
      expect([s(1), s(2), s(3), s(4)]).toEqual([0x46, 0x08, at + 6, 0]);
      expect(c.eax).toBe(K);
      expect(c.ecx).toBe(1000 - (K - 1));
    }
  });

  it('#DE from a DIV in a hot loop (the divisor counts down to zero; the handler skips the DIV)', () => {
    // L: mov eax, 1000 ; xor edx, edx ; div ebx ; add edi, eax ; dec ebx ; jns L ; hlt
    const code = [0xb8, ...le(1000, 4), 0x31, 0xd2, 0xf7, 0xf3, 0x01, 0xc7, 0x4b, 0x79, 0xf2, 0xf4];
    const ms = trio((m) => {
      setup32(m, { paged: false, ring3: false });
      writeLinear(m, CODE, Uint8Array.from(code));
      m.cpu.ebx = 9;
      m.cpu.edi = 0;
      m.cpu.eip = CODE;
    });
    runAll(ms, 10_000, '#DE');
    let expected = 0;
    for (let b = 9; b >= 1; b--) expected += Math.floor(1000 / b);
    for (const m of ms) {
      const c = m.cpu;
      // Ten passes (EBX = 9 .. 0) of 6 instructions, the DIV by zero counting as one, the stub's ADD
      // and IRET, the HLT; the skipped DIV left EAX = 1000, which the last pass adds to EDI.
      expect(c.instructionCount).toBe(10 * 6 + 2 + 1);
      expect(c.edi).toBe(expected + 1000);
      expect(c.ebx).toBe(0xffffffff);
      expect(c.eip).toBe(CODE + code.length);
    }
  });
});

describe('self-modifying code', () => {
  const N = 60;
  const L = CODE + 0x100;

  function flat(code: number[]): Machine[] {
    return trio((m) => {
      setup32(m, { paged: false, ring3: false });
      writeLinear(m, L, Uint8Array.from(code));
      m.cpu.eax = 0;
      m.cpu.ecx = N;
      m.cpu.eip = L;
    });
  }

  it('a hot loop patching the immediate of its own ADD: the new value takes effect on the next pass', () => {
    // L: add eax, 1000 ; mov [L+1], ecx ; dec ecx ; jnz L ; hlt
    const ms = flat([0x05, ...le(1000, 4), 0x89, 0x0d, ...le(L + 1, 4), 0x49, 0x75, 0xf2, 0xf4]);
    runAll(ms, 10_000, 'patch for the next pass');
    // Pass 1 adds 1000, pass j >= 2 adds the ECX stored by pass j-1: N - j + 2.
    for (const m of ms) {
      expect(m.cpu.eax).toBe(1000 + (N * (N + 1)) / 2 - 1);
      expect(m.cpu.instructionCount).toBe(4 * N + 1);
    }
  });

  it('the same through a second linear mapping of the code page (paging)', () => {
    // The code page's frame is also mapped at linear page 0x90; the loop writes through that alias.
    const alias = 0x90000 + (L & 0xfff) + 1;
    const code = [0x05, ...le(1000, 4), 0x89, 0x0d, ...le(alias, 4), 0x49, 0x75, 0xf2, 0xf4];
    const ms = trio((m) => {
      setup32(m, { paged: true, ring3: false, alias: [[0x90, (L >>> 12) ^ 1]] });
      writeLinear(m, L, Uint8Array.from(code));
      m.cpu.eax = 0;
      m.cpu.ecx = N;
      m.cpu.eip = L;
    });
    runAll(ms, 10_000, 'patch through an alias');
    for (const m of ms) expect(m.cpu.eax).toBe(1000 + (N * (N + 1)) / 2 - 1);
  });

  it('code rewritten by the host between runs (an immediate, then an opcode)', () => {
    // L: add eax, 7 ; dec ecx ; jnz L ; hlt
    for (const [offset, patch, k, expected] of [
      [1, le(100, 4), 3 * 20 + 1, 7 * 21 + 100 * (N - 21)],
      [0, [0x2d], 3 * 33 + 1, 7 * 34 - 7 * (N - 34)], // ADD -> SUB
    ] as const) {
      const ms = flat([0x05, ...le(7, 4), 0x49, 0x75, 0xf8, 0xf4]);
      for (const m of ms) expect(m.cpu.run(k)).toBe(k);
      expectSame(ms[0], ms[2], 'before the patch');
      for (const m of ms) m.bus.writeBytes(L + offset, Uint8Array.from(patch));
      runAll(ms, 10_000, `host patch at +${offset}`);
      for (const m of ms) {
        expect(m.cpu.eax).toBe(expected >>> 0);
        expect(m.cpu.instructionCount).toBe(3 * N + 1);
      }
    }
  });

  // A store that patches a later instruction of the same block takes effect in that very pass, as
  // on the interpreter (which fetches the new bytes). The loop stores ECX >> 3 into the immediate of
  // its ADD, so the value changes only every 8th pass, while a block translated from the old bytes
  // is still valid when the pass starts.
  it('a store patching a later instruction of the same block takes effect in that pass', () => {
    // L: mov edx, ecx ; shr edx, 3 ; mov [L+12], edx ; add eax, 0 ; dec ecx ; jnz L ; hlt
    const code = [
      0x89,
      0xca,
      0xc1,
      0xea,
      0x03,
      0x89,
      0x15,
      ...le(L + 12, 4),
      0x05,
      0,
      0,
      0,
      0,
      0x49,
      0x75,
      0xed,
      0xf4,
    ];
    const ms = flat(code);
    runAll(ms, 10_000, 'same-pass patch');
    let expected = 0;
    for (let c = 1; c <= N; c++) expected += c >> 3;
    for (const m of ms) expect(m.cpu.eax).toBe(expected);
  });

  it('the same, the patch made by an instruction the block hands to the interpreter (REP STOSB)', () => {
    // L: mov eax, ecx ; shr eax, 3 ; push ecx ; mov ecx, 1 ; mov edi, L+21 ; rep stosb ; pop ecx ;
    //    add ebx, imm32 (its low byte at L+21) ; dec ecx ; jnz L ; hlt
    const code = [0x89, 0xc8, 0xc1, 0xe8, 0x03, 0x51, 0xb9, ...le(1, 4), 0xbf, ...le(L + 21, 4), 0xf3, 0xaa];
    code.push(0x59, 0x81, 0xc3, 0, 0, 0, 0, 0x49, 0x75, 0xe4, 0xf4);
    const ms = flat(code);
    runAll(ms, 10_000, 'patch by REP STOSB');
    let expected = 0;
    for (let c = 1; c <= N; c++) expected += c >> 3;
    for (const m of ms) expect(m.cpu.ebx).toBe(expected);
  });

  it('the same, patching on every pass', () => {
    // L: mov [L+7], ecx ; add eax, 0 ; dec ecx ; jnz L ; hlt    (pass j adds N - j + 1)
    const ms = flat([0x89, 0x0d, ...le(L + 7, 4), 0x05, 0, 0, 0, 0, 0x49, 0x75, 0xf2, 0xf4]);
    runAll(ms, 10_000, 'same-pass patch, every pass');
    for (const m of ms) expect(m.cpu.eax).toBe((N * (N + 1)) / 2);
  });

  it('code rewritten on every pass stops being translated after REWRITES rewrites', () => {
    // As above with 2,000 passes, translating at once: without the limit every pass would compile.
    const passes = 2000;
    const m = machine(true);
    setup32(m, { paged: false, ring3: false });
    writeLinear(m, L, Uint8Array.of(0x89, 0x0d, ...le(L + 7, 4), 0x05, 0, 0, 0, 0, 0x49, 0x75, 0xf2, 0xf4));
    m.cpu.ecx = passes;
    m.cpu.eip = L;
    const before = statsNow();
    m.cpu.run(10 * passes);
    expect(m.cpu.stopReason).toBe('hlt');
    expect(m.cpu.eax).toBe((passes * (passes + 1)) / 2);
    const translations = statsNow().translations - before.translations;
    expect(translations).toBeGreaterThan(0);
    // Two addresses (the MOV's and the ADD's) go stale on every pass: without the limit this would be
    // about two translations per pass, 4,000 in all.
    expect(translations).toBeLessThanOrEqual(2 * REWRITES + 2);
    expect(REWRITES).toBeLessThanOrEqual(8);
  });
});

// With a 66 prefix in 16-bit code a near JMP/CALL/Jcc has a 32-bit displacement and target: one whose
// low 16 bits fall in the block's own page must still get the CS limit check (a regression test: the
// translator once took such branches and faulted an instruction later, at the fetch).
describe('o32 near branches in 16-bit code to a target beyond the CS limit raise #GP(0) at the branch', () => {
  // Real mode at 0000:1000:  L: inc ax ; dec cx ; jnz L ; <branch to 0x11000> ; hlt
  for (const [name, branch] of [
    ['jmp rel32', [0x66, 0xe9]],
    ['jz rel32', [0x66, 0x0f, 0x84]],
    ['call rel32', [0x66, 0xe8]],
  ] as const) {
    it(name, () => {
      const ms = trio((m) => {
        const next = 0x1004 + branch.length + 4;
        setupReal(m);
        m.cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, attributes: 0x9b });
        m.cpu.setSegment('ss', { selector: 0, base: 0, limit: 0xffff, attributes: 0x93 });
        m.bus.writeBytes(
          0x1000,
          Uint8Array.from([0x40, 0x49, 0x75, 0xfc, ...branch, ...le(0x11000 - next, 4), 0xf4]),
        );
        m.cpu.ecx = 10;
        m.cpu.eax = 0;
        m.cpu.eip = 0x1000;
      });
      runAll(ms, 1000, name);
      // 10 passes of 3, the faulting branch, the #GP stub's HLT; the IP pushed is the branch's.
      for (const m of ms) {
        expect([m.cpu.instructionCount, m.bus.read16(0x8000 - 6), m.cpu.eip]).toEqual([
          32,
          0x1004,
          STUBS16 + 13 * 16 + 1,
        ]);
      }
    });
  }
});

// --- interrupts ---------------------------------------------------------------------------------------

describe('interrupts', () => {
  /**
   * A PC in real mode running a hot loop with IF=1 while the PIT (mode 2, `divisor`) raises IRQ 0; the
   * handler counts in memory and sends EOI. Every INTA is logged with the instruction count and EIP.
   */
  function timedPc(translate: boolean, divisor: number): { pc: PC; acks: number[][] } {
    const pc = new PC({ ramSize: 1 << 20 });
    pc.cpu.translateBlocks = translate;
    pc.cpu.translateAfter = 1;
    const acks: number[][] = [];
    const ack = pc.pic.acknowledge.bind(pc.pic);
    pc.pic.acknowledge = () => {
      acks.push([pc.cpu.instructionCount, pc.cpu.eip]);
      return ack();
    };
    // sti ; mov ecx, 20000 ; L: add ax,bx ; adc dx,7 ; inc si ; shl di,1 ; jc skip ; xor bp,ax ;
    // skip: imul ax,bx ; dec ecx ; jnz L ; cli ; hlt
    const a = new Asm(0x1000);
    a.emit(0xfb, 0x66, 0xb9, ...le(20_000, 4));
    a.bind('L');
    a.emit(0x01, 0xd8, 0x83, 0xd2, 0x07, 0x46, 0xd1, 0xe7, 0x72);
    a.ref('skip', 1, true);
    a.emit(0x31, 0xc5);
    a.bind('skip');
    a.emit(0x0f, 0xaf, 0xc3, 0x66, 0x49, 0x75);
    a.ref('L', 1, true);
    a.emit(0xfa, 0xf4);
    pc.bus.writeBytes(0x1000, a.finish());
    // IRQ 0 handler (vector 8): push ax ; inc word [cs:0x3000] ; mov al,0x20 ; out 0x20,al ; pop ax ; iret
    pc.bus.writeBytes(
      0x2000,
      Uint8Array.of(0x50, 0x2e, 0xff, 0x06, 0x00, 0x30, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf),
    );
    pc.bus.write16(8 * 4, 0x2000);
    pc.bus.write16(8 * 4 + 2, 0);
    const cpu = pc.cpu;
    cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, attributes: 0x9b });
    cpu.eip = 0x1000;
    cpu.esp = 0x8000;
    cpu.eax = 0x1234;
    cpu.ebx = 0x8765;
    cpu.edi = 1;
    // PIC: ICW1-4 (vectors 8-15), only IRQ 0 unmasked; PIT channel 0: mode 2, lobyte/hibyte.
    for (const [port, v] of [
      [0x20, 0x11],
      [0x21, 0x08],
      [0x21, 0x04],
      [0x21, 0x01],
      [0x21, 0xfe],
      [0x43, 0x34],
      [0x40, divisor & 0xff],
      [0x40, divisor >> 8],
    ])
      pc.io.out8(port, v);
    return { pc, acks };
  }

  for (const divisor of [7, 23]) {
    it(`IRQ 0 from the PIT (divisor ${divisor}) interrupts a hot loop at the same instructions`, () => {
      const t = timedPc(true, divisor);
      const i = timedPc(false, divisor);
      const sched = rng(divisor);
      const before = statsNow();
      for (let slice = 0; slice < 10_000; slice++) {
        const n = oddBudget(sched);
        const a = t.pc.run(n);
        const b = i.pc.run(n);
        expect(a).toEqual(b);
        expect(snapshot(t.pc.cpu)).toEqual(snapshot(i.pc.cpu));
        if (a.reason !== 'limit') break;
      }
      expect(i.pc.cpu.stopReason).toBe('hlt');
      expect(t.acks).toEqual(i.acks);
      // They land all over the loop, not at one point of it.
      expect(new Set(i.acks.map(([, eip]) => eip)).size).toBeGreaterThan(4);
      const interrupts = i.pc.bus.read16(0x3000);
      expect(i.acks.length).toBe(interrupts);
      // About 838 ns of machine time (one instruction each) per PIT tick.
      expect(interrupts).toBeGreaterThan(Math.floor(160_000 / (838 * divisor)));
      expect(JSON.stringify(t.pc.saveState())).toBe(JSON.stringify(i.pc.saveState()));
      expect(stats.instructions - before.instructions).toBeGreaterThan(100_000);
    });
  }

  // A device's MMIO handler may raise an interrupt (or request a stop) from inside a block: the
  // interpreter polls INTR before the next instruction, and a block must leave there too rather than
  // at its end (a regression test: a looping block once delayed it to the end of the loop).
  describe('an interrupt raised by an MMIO write inside a hot loop is taken after that instruction', () => {
    function mmioMachine(translate: boolean): { m: Machine; acks: number[] } {
      let pending = false;
      const acks: number[] = [];
      const m = machine(translate, {
        intr: () => pending,
        acknowledge: () => {
          pending = false;
          acks.push(m.cpu.instructionCount);
          return 0x20;
        },
      });
      let writes = 0;
      m.bus.mapMmio(0xa0000, 0x1000, {
        read8: () => 0,
        write8: () => {
          if (++writes % 5 === 0) pending = true;
        },
      });
      setupReal(m);
      m.bus.writeBytes(0x600, Uint8Array.of(0xcf)); // iret
      m.bus.write16(0x20 * 4, 0x600);
      m.bus.write16(0x20 * 4 + 2, 0);
      // L: mov [es:0], al ; inc bx ; dec cx ; jnz L ; hlt      (ES = A000)
      m.bus.writeBytes(0x10000, Uint8Array.of(0x26, 0xa2, 0, 0, 0x43, 0x49, 0x75, 0xf8, 0xf4));
      m.cpu.setSegment('es', { selector: 0xa000, base: 0xa0000, limit: 0xffff, attributes: 0x93 });
      m.cpu.eip = 0;
      m.cpu.ecx = 20;
      m.cpu.eflags = 0x202;
      return { m, acks };
    }

    it('a stop requested by the device ends the run right after that instruction', () => {
      const runs = [true, false].map((translate) => {
        const { m } = mmioMachine(translate);
        let writes = 0;
        m.bus.mapMmio(0xa1000, 0x1000, {
          read8: () => 0,
          write8: () => {
            if (++writes === 7) m.cpu.requestStop();
          },
        });
        m.cpu.setSegment('es', { selector: 0xa100, base: 0xa1000, limit: 0xffff, attributes: 0x93 });
        m.cpu.eflags = 0x2;
        const n = m.cpu.run(1000);
        return [n, m.cpu.stopReason, m.cpu.eip, m.cpu.ebx];
      });
      // Six passes of 4 instructions, then the seventh MOV.
      expect(runs[1]).toEqual([25, 'stop', 4, 6]);
      expect(runs[0]).toEqual(runs[1]);
    });

    it('translated and interpreted alike, after every fifth MOV', () => {
      const t = mmioMachine(true);
      const i = mmioMachine(false);
      lockstep(t.m, i.m, 1000, 'MMIO interrupts', rng(5));
      // Each interrupt (the IRET counts) follows a fifth MOV: after 17 instructions, then every 21.
      expect(i.acks).toEqual([17, 38, 59, 80]);
      expect(t.acks).toEqual(i.acks);
    });
  });
});

// --- translation happens -----------------------------------------------------------------------------

describe('translation really happens', () => {
  // L: add eax, ebx ; adc edx, 0 ; inc esi ; dec ecx ; jnz L ; hlt
  const L = CODE + 0x40;
  const N = 2000;
  const build = (m: Machine) => {
    setup32(m, { paged: false, ring3: false });
    writeLinear(m, L, Uint8Array.of(0x01, 0xd8, 0x83, 0xd2, 0x00, 0x46, 0x49, 0x75, 0xf7, 0xf4));
    m.cpu.ebx = 0x9e3779b9;
    m.cpu.ecx = N;
    m.cpu.eip = L;
  };

  it('a hot loop becomes one block that loops on itself: a handful of dispatches for all passes', () => {
    const [t, t32, i] = trio(build);
    const counts = [t, t32, i].map((m) => {
      const before = statsNow();
      m.cpu.run(100_000);
      return { runs: stats.runs - before.runs, instructions: stats.instructions - before.instructions };
    });
    for (const m of [t, t32]) {
      expect(m.cpu.instructionCount).toBe(5 * N + 1);
      expectSame(m, i, `translateAfter ${m.cpu.translateAfter}`);
      const block = m.cpu.fetchBlocks?.blocks[L & 0xfff];
      expect(block?.eip).toBe(L);
      expect(block?.length).toBe(5);
    }
    // translateAfter 1: nearly every instruction in blocks, in very few block entries.
    expect(counts[0].instructions).toBeGreaterThan(5 * N - 10);
    expect(counts[0].runs).toBeLessThan(10);
    // translateAfter 32: interpreted for the first 32 passes, then translated.
    expect(counts[1].instructions).toBeGreaterThan(5 * (N - 33));
    expect(counts[1].runs).toBeLessThan(10);
    // The interpreter makes no blocks.
    expect(counts[2]).toEqual({ runs: 0, instructions: 0 });
    expect(i.cpu.fetchBlocks?.blocks[L & 0xfff]).toBeUndefined();
  });

  it('breakpoints inside a translated loop stop both machines at the same instructions', () => {
    const [t, , i] = trio(build);
    for (const m of [t, i]) m.cpu.run(301); // hot and translated
    for (const bp of [L + 5, L, L + 6]) {
      for (const m of [t, i]) m.cpu.addBreakpoint(bp);
      for (let k = 0; k < 5; k++) {
        const a = t.cpu.run(1001);
        const b = i.cpu.run(1001);
        expect([a, t.cpu.stopReason, t.cpu.eip]).toEqual([b, i.cpu.stopReason, i.cpu.eip]);
        expect(i.cpu.stopReason).toBe('breakpoint');
        expect(i.cpu.eip).toBe(bp);
        expectSame(t, i, `breakpoint at ${hex(bp)}, stop ${k}`, false);
      }
      for (const m of [t, i]) m.cpu.removeBreakpoint(bp);
    }
    lockstep(t, i, 100_000, 'after the breakpoints', rng(9));
    expect(i.cpu.instructionCount).toBe(5 * N + 1);
  });

  it('a block with a 16-bit IMUL and a PUSH runs as on the interpreter', () => {
    // L: imul ax, bx, 5 ; push ax ; pop dx ; dec cx ; jnz L ; hlt     (real mode; its locals once
    // collided: IMUL's per-instruction p0 and PUSH's counter-named p0)
    const ms = trio((m) => {
      setupReal(m);
      m.bus.writeBytes(0x10000, Uint8Array.of(0x6b, 0xc3, 0x05, 0x50, 0x5a, 0x49, 0x75, 0xf8, 0xf4));
      m.cpu.ebx = 3;
      m.cpu.ecx = 10;
      m.cpu.eip = 0;
    });
    runAll(ms, 1000, 'IMUL and PUSH');
    for (const m of ms)
      expect([m.cpu.eax & 0xffff, m.cpu.edx & 0xffff, m.cpu.instructionCount]).toEqual([15, 15, 51]);
  });

  // Once compiled to invalid JavaScript: CMOVcc's per-instruction v1 met a memory read's counter-named v1.
  it('a block with a CMOVcc reading memory after another memory read compiles', () => {
    // mov ax,[si] ; cmovz bx,cx ; cmovz bx,[si] ; hlt     (real mode)
    const m = machine(true);
    setupReal(m);
    m.bus.writeBytes(0x10000, Uint8Array.of(0x8b, 0x04, 0x0f, 0x44, 0xd9, 0x0f, 0x44, 0x1c, 0xf4));
    m.cpu.eip = 0;
    const frame = m.bus.frameForRead(0x10)!;
    const words = new Int32Array(frame.buffer, frame.byteOffset, 1024);
    expect(translate(m.cpu, frame, words, 0, 0)?.length).toBe(3);
  });

  it('instruction budgets cut a looping block at the exact instruction', () => {
    const [t, , i] = trio(build);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 11, 13, 97, 501, 4999]) {
      expect(t.cpu.run(n)).toBe(n);
      expect(i.cpu.run(n)).toBe(n);
      expectSame(t, i, `after run(${n})`, false);
    }
  });
});
