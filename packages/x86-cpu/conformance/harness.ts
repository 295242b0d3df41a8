// Runs SingleStepTests-format single-instruction tests (the layout of
// shared/conformance/x86-real-mode-286, see its README) against the CPU in real mode and reports
// pass/fail per opcode, after the documented masks and the expected-failure list.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MemoryBus } from '../src/bus.js';
import { Cpu } from '../src/cpu/cpu.js';
import { IoBus } from '../src/io.js';
import { PhysicalMemory } from '../src/memory.js';
import { expectedFailure } from './expected-failures.js';

type Regs = Record<string, number>;
interface TestCase {
  idx: number;
  name: string;
  bytes: number[];
  initial: { regs: Regs; ram: [number, number][] };
  final: { regs: Regs; ram: [number, number][] };
  exception?: { number: number; flag_address: number };
  hash: string;
}

export interface OpcodeResult {
  opcode: string;
  total: number;
  passed: number;
  /** Failures listed in expected-failures.ts (with their reason). */
  expected: number;
  /** Failures not on the list: each is a bug to fix. */
  unexpected: number;
  /** A few unexpected failures, for diagnosis. */
  samples: string[];
}

export interface ConformanceResult {
  dir: string;
  total: number;
  passed: number;
  expected: number;
  unexpected: number;
  opcodes: OpcodeResult[];
}

const REGS16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const SEGS = ['es', 'cs', 'ss', 'ds'];

/** The repository root (the folder with pnpm-workspace.yaml) above this file. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('conformance: cannot find the repository root (pnpm-workspace.yaml)');
    dir = up;
  }
  return dir;
}

/** The shared real-mode slice: shared/conformance/x86-real-mode-286 beside the repository. */
export function defaultDir(): string {
  return resolve(repoRoot(), '..', 'shared', 'conformance', 'x86-real-mode-286');
}

interface Meta {
  opcodes: Record<string, { 'flags-mask'?: number; reg?: Record<string, { 'flags-mask'?: number }> }>;
}

function flagsMask(meta: Meta, opcode: string): number {
  const [op, reg] = opcode.split('.');
  const entry = meta.opcodes[op];
  if (!entry) return 0xffff;
  if (reg !== undefined) return entry.reg?.[reg]?.['flags-mask'] ?? entry['flags-mask'] ?? 0xffff;
  return entry['flags-mask'] ?? 0xffff;
}

const hex = (v: number, w = 4) => v.toString(16).padStart(w, '0');

/** Runs one test; returns null when it passes, else a description of the first differences. */
/** One machine reused by every test; RAM frames a test touched are dropped afterwards. */
const ram = new PhysicalMemory(16 << 20);
const bus = new MemoryBus(ram);
const cpu = new Cpu(bus, new IoBus());

function clearRam(t: TestCase): void {
  for (const list of [t.initial.ram, t.final.ram]) {
    for (const [a] of list) ram.fill(a & ~0xfff, 4096, 0);
  }
}

export function runTest(t: TestCase, mask: number): string | null {
  try {
    return runOne(t, mask);
  } finally {
    clearRam(t);
  }
}

function runOne(t: TestCase, mask: number): string | null {
  cpu.reset();
  for (const [a, v] of t.initial.ram) bus.write8(a, v);
  const r = t.initial.regs;
  for (let i = 0; i < 8; i++) cpu.r16[i << 1] = r[REGS16[i]];
  for (let s = 0; s < 4; s++) {
    const sel = r[SEGS[s]];
    cpu.setSegment(s, { selector: sel, base: sel << 4, limit: 0xffff, attributes: s === 1 ? 0x9b : 0x93 });
  }
  cpu.eip = r.ip;
  cpu.eflags = (r.flags & 0x0fff) | 2;
  cpu.run(16);
  const diffs: string[] = [];
  if (!cpu.halted) diffs.push(`did not halt (${cpu.stopReason})`);
  const f = t.final.regs;
  for (let i = 0; i < 8; i++) {
    const want = f[REGS16[i]] ?? r[REGS16[i]];
    const got = cpu.r16[i << 1];
    if (want !== got) diffs.push(`${REGS16[i]}=${hex(got)} want ${hex(want)}`);
  }
  for (let s = 0; s < 4; s++) {
    const want = f[SEGS[s]] ?? r[SEGS[s]];
    const got = cpu.segSel[s];
    if (want !== got) diffs.push(`${SEGS[s]}=${hex(got)} want ${hex(want)}`);
  }
  const wantIp = f.ip ?? r.ip;
  if (cpu.eip !== wantIp) diffs.push(`ip=${hex(cpu.eip)} want ${hex(wantIp)}`);
  const wantFlags = f.flags ?? r.flags;
  const gotFlags = cpu.eflags & 0xffff;
  if ((gotFlags & mask & 0x0fff) !== (wantFlags & mask & 0x0fff)) {
    diffs.push(`flags=${hex(gotFlags)} want ${hex(wantFlags)} (mask ${hex(mask)})`);
  }
  // The recorded flag_address is rounded down to even when SP is odd; locate the pushed FLAGS word
  // from the final SS:SP instead (IP, CS, FLAGS are pushed in that order).
  const fa = t.exception ? ((f.ss ?? r.ss) << 4) + (((f.sp ?? r.sp) + 4) & 0xffff) : -1;
  for (const [a, v] of t.final.ram) {
    let got = bus.read8(a);
    let want = v;
    if (a === fa || a === fa + 1) {
      const m = a === fa ? mask & 0xff : (mask >> 8) & 0x0f;
      got &= m;
      want &= m;
    }
    if (got !== want) diffs.push(`[${hex(a, 5)}]=${hex(got, 2)} want ${hex(want, 2)}`);
  }
  return diffs.length === 0 ? null : diffs.slice(0, 6).join(', ');
}

export interface RunOptions {
  /** Only opcodes whose file name starts with one of these. */
  only?: string[];
  /** Run every n-th test of each file (1 = all). */
  stride?: number;
}

export function runConformance(dir: string, options: RunOptions = {}): ConformanceResult {
  const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Meta;
  const revoked = new Set<string>();
  const revPath = join(dir, 'revocation_list.txt');
  if (existsSync(revPath)) {
    for (const line of readFileSync(revPath, 'utf8').split('\n')) {
      const h = line.trim();
      if (h && !h.startsWith('#')) revoked.add(h);
    }
  }
  const files = readdirSync(join(dir, 'tests'))
    .filter((f) => f.endsWith('.json.gz') || f.endsWith('.json'))
    .sort();
  const result: ConformanceResult = { dir, total: 0, passed: 0, expected: 0, unexpected: 0, opcodes: [] };
  const stride = options.stride ?? 1;
  for (const file of files) {
    const opcode = file.replace(/\.json(\.gz)?$/, '');
    if (options.only && !options.only.some((p) => opcode.startsWith(p))) continue;
    const raw = readFileSync(join(dir, 'tests', file));
    const tests = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as TestCase[];
    const mask = flagsMask(meta, opcode);
    const res: OpcodeResult = { opcode, total: 0, passed: 0, expected: 0, unexpected: 0, samples: [] };
    for (let i = 0; i < tests.length; i += stride) {
      const t = tests[i];
      if (revoked.has(t.hash)) continue;
      res.total++;
      let diff: string | null;
      try {
        diff = runTest(t, mask);
      } catch (e) {
        diff = `host exception: ${(e as Error).message}`;
      }
      if (diff === null) res.passed++;
      else if (expectedFailure(opcode, t)) res.expected++;
      else {
        res.unexpected++;
        if (res.samples.length < 3)
          res.samples.push(`#${t.idx} ${t.name} [${t.bytes.map((b) => hex(b, 2)).join(' ')}]: ${diff}`);
      }
    }
    result.total += res.total;
    result.passed += res.passed;
    result.expected += res.expected;
    result.unexpected += res.unexpected;
    result.opcodes.push(res);
  }
  return result;
}
