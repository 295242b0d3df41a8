// Builds machines in each CPU mode over random memory, for the fuzz test and the opcode-table test.
import type { Cpu } from './cpu.js';
import { type TestMachine, testMachine } from './testMachine.js';

export type FuzzMode = 'real' | 'pm16' | 'flat32' | 'paged-ring3';

/** A small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const GDT = 0x800;
const IDT = 0x1000;
const TSS = 0x1800;
const PD = 0x10000;
const PT = 0x11000;
export const CODE = 0x20000;
export const CODE_SIZE = 0x40000;

function desc(m: TestMachine, at: number, base: number, limit: number, access: number, flags: number): void {
  m.bus.write32(at, ((base & 0xffff) << 16) | (limit & 0xffff));
  m.bus.write32(
    at + 4,
    (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff),
  );
}

/** Writes descriptor tables, a TSS and page tables for `mode` (tables live below CODE). */
export function buildTables(m: TestMachine, mode: FuzzMode, r: () => number): void {
  const gate32 = mode !== 'pm16';
  // GDT: 1 code0, 2 data0, 3 code3, 4 data3, 5 TSS, 6 code16, 7 data16
  desc(m, GDT + 8, 0, 0xfffff, 0x9b, 0xc);
  desc(m, GDT + 16, 0, 0xfffff, 0x93, 0xc);
  desc(m, GDT + 24, 0, 0xfffff, 0xfb, 0xc);
  desc(m, GDT + 32, 0, 0xfffff, 0xf3, 0xc);
  desc(m, GDT + 40, TSS, 0x67 + 0x2000 / 8, 0x89, 0);
  desc(m, GDT + 48, 0, 0xffff, 0x9b, 0);
  desc(m, GDT + 56, 0, 0xffff, 0x93, 0);
  const codeSel = mode === 'pm16' ? 48 : 8;
  for (let v = 0; v < 256; v++) {
    const target = CODE + (r() % CODE_SIZE);
    const off = mode === 'pm16' ? target & 0xffff : target;
    const dpl = v >= 0x20 ? 3 : 0;
    const type = gate32 ? (v & 1 ? 0xf : 0xe) : v & 1 ? 7 : 6;
    m.bus.write32(IDT + v * 8, (codeSel << 16) | (off & 0xffff));
    m.bus.write32(IDT + v * 8 + 4, (off & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8));
  }
  m.bus.write32(TSS + 4, 0x9000); // esp0
  m.bus.write32(TSS + 8, 16); // ss0
  m.bus.write16(TSS + 0x66, 0x68); // I/O bitmap
  for (let i = 0; i < 0x2000; i++) m.bus.write8(TSS + 0x68 + i, r() & 1 ? 0xff : 0);
  // Page tables: identity map 4 MiB; random pages read-only or absent, tables supervisor-only.
  m.bus.write32(PD, PT | 7);
  for (let p = 0; p < 1024; p++) {
    const a = p << 12;
    let flags = 7;
    if (a >= CODE && a < CODE + CODE_SIZE) {
      const x = r() % 16;
      if (x === 0) flags = 0;
      else if (x === 1) flags = 5;
      else if (x === 2) flags = 3;
    } else if (a < CODE) flags = 3;
    m.bus.write32(PT + p * 4, a | flags);
  }
}

/** Loads a fresh random register state for `mode` with EIP somewhere in the random code. */
export function enterMode(m: TestMachine, mode: FuzzMode, r: () => number): void {
  const cpu: Cpu = m.cpu;
  cpu.reset();
  for (let i = 0; i < 8; i++) cpu.r32[i] = r();
  cpu.eflags = r() & 0x0cd5;
  const ip = CODE + (r() % CODE_SIZE);
  if (mode === 'real') {
    const seg = (ip >>> 4) & 0xf000;
    cpu.setSegment('cs', { selector: seg, base: seg << 4, limit: 0xffff, attributes: 0x9b });
    for (const s of ['ds', 'es', 'ss', 'fs', 'gs'] as const) {
      const sel = r() & 0x3fff;
      cpu.setSegment(s, { selector: sel, base: sel << 4, limit: 0xffff, attributes: 0x93 });
    }
    cpu.eip = ip - (seg << 4);
    return;
  }
  cpu.gdtBase = GDT;
  cpu.gdtLimit = 0x3f;
  cpu.idtBase = IDT;
  cpu.idtLimit = 0x7ff;
  cpu.trSel = 40;
  cpu.trBase = TSS;
  cpu.trLimit = 0x67 + 0x2000 / 8;
  cpu.trAttr = 0x8b;
  cpu.cr0 = cpu.cr0 | 1;
  const seg = (sel: number, attr: number, limit = 0xffffffff) => ({
    selector: sel,
    base: 0,
    limit,
    attributes: attr,
  });
  if (mode === 'pm16') {
    cpu.setSegment('cs', seg(48, 0x9b, 0xffff));
    for (const s of ['ds', 'es', 'ss', 'fs', 'gs'] as const) cpu.setSegment(s, seg(56, 0x93, 0xffff));
    const base = ip & 0xffff0000;
    cpu.setSegment('cs', { selector: 48, base, limit: 0xffff, attributes: 0x9b });
    cpu.eip = ip - base;
    cpu.esp = 0x9000;
    return;
  }
  if (mode === 'flat32') {
    cpu.setSegment('cs', seg(8, 0xc09b));
    for (const s of ['ds', 'es', 'ss', 'fs', 'gs'] as const) cpu.setSegment(s, seg(16, 0xc093));
    cpu.eip = ip;
    cpu.esp = CODE + (r() % CODE_SIZE);
    return;
  }
  cpu.cr3 = PD;
  cpu.cr0 = cpu.cr0 | 0x80010000;
  cpu.setSegment('cs', seg(27, 0xc0fb));
  for (const s of ['ds', 'es', 'ss', 'fs', 'gs'] as const) cpu.setSegment(s, seg(35, 0xc0f3));
  cpu.eip = ip;
  cpu.esp = CODE + (r() % CODE_SIZE);
}

/** A 16 MiB machine with random bytes in the code area and tables for `mode`. */
export function fuzzMachine(mode: FuzzMode, seed: number): { m: TestMachine; r: () => number } {
  const m = testMachine();
  const r = rng(seed);
  const bytes = new Uint8Array(CODE_SIZE);
  for (let i = 0; i < CODE_SIZE; i += 4) {
    const v = r();
    bytes[i] = v;
    bytes[i + 1] = v >>> 8;
    bytes[i + 2] = v >>> 16;
    bytes[i + 3] = v >>> 24;
  }
  m.bus.writeBytes(CODE, bytes);
  buildTables(m, mode, r);
  return { m, r };
}
