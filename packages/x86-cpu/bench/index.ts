// Guest MIPS of @k/x86-cpu (with its block translator, and its interpreter alone) against v86 (JIT and interpreter) on three nasm ROM loops, each booted as
// the BIOS from the reset vector on both emulators: (a) a 32-bit register loop in flat protected
// mode, (b) a sieve over 4 MiB with 4 KiB paging, (c) a 16-bit real-mode register loop. Each ROM
// writes POST 0x10 when its timed section starts and 0x11 when it ends; MIPS = instructions counted
// by the emulator between the two markers / wall time between them. Our CPU's runs are capped by a
// time budget (it then reports the instructions done so far over the time taken). v86 runs are
// stretched (the ROMs repeat their timed section [0x7F00] times) to about 2 s after two calibration
// runs, so its JIT is measured warm rather than while it is still compiling.
//
// Usage: pnpm --filter @k/x86-cpu bench [--runs 5] [--budget-ms 4000] [--only ours|v86] [--json]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PC } from '../src/platform/pc.js';

const WORKLOADS = [
  { id: 'a', name: '32-bit register loop (flat protected mode)', rom: 'bench_loop32.bin', defaultRepeat: 1 },
  { id: 'b', name: '32-bit sieve over 4 MiB, 4 KiB paging', rom: 'bench_sieve.bin', defaultRepeat: 2 },
  { id: 'c', name: '16-bit register loop (real mode)', rom: 'bench_loop16.bin', defaultRepeat: 1 },
] as const;

interface Sample {
  mips: number;
  instructions: number;
  ms: number;
  complete: boolean;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('--runs', '5'));
const budgetMs = Number(arg('--budget-ms', '4000'));
const only = arg('--only', 'all');
const json = process.argv.includes('--json');

function loadRom(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../roms/${file}`, import.meta.url)));
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One run on our CPU: the PC as `k-sim rom` builds it, timed between POST 0x10 and 0x11. With
 * `translate` false the block translator is off: the interpreter alone.
 */
function runOurs(rom: Uint8Array, translate: boolean): Sample {
  let t0 = -1;
  let c0 = 0;
  let t1 = -1;
  let c1 = 0;
  const pc: PC = new PC({
    ramSize: 32 << 20,
    rom,
    onPost: (code) => {
      if (code === 0x10) {
        t0 = performance.now();
        c0 = pc.cpu.instructionCount;
      } else if (code === 0x11) {
        t1 = performance.now();
        c1 = pc.cpu.instructionCount;
        pc.cpu.requestStop();
      }
    },
  });
  pc.cpu.translateBlocks = translate;
  for (;;) {
    const r = pc.run(2_000_000);
    if (t1 >= 0) break;
    if (r.reason !== 'limit') throw new Error(`our CPU stopped early: ${r.reason} at POST ${pc.postCode}`);
    if (t0 >= 0 && performance.now() - t0 > budgetMs) {
      t1 = performance.now();
      c1 = pc.cpu.instructionCount;
      return { mips: (c1 - c0) / (t1 - t0) / 1000, instructions: c1 - c0, ms: t1 - t0, complete: false };
    }
  }
  return { mips: (c1 - c0) / (t1 - t0) / 1000, instructions: c1 - c0, ms: t1 - t0, complete: true };
}

// v86 is a dev dependency; its types are loose here on purpose (we reach into emulator.v86.cpu.io).
type V86Ctor = new (
  options: Record<string, unknown>,
) => {
  add_listener(event: string, fn: () => void): void;
  run(): void;
  stop(): void;
  destroy(): void;
  get_instruction_counter(): number;
  write_memory(blob: Uint8Array, offset: number): void;
  v86: { cpu: { io: { register_write(port: number, dev: object, fn: (v: number) => void): void } } };
};

async function loadV86(): Promise<{ V86: V86Ctor; wasm: string } | string> {
  try {
    const mod = (await import('v86')) as unknown as { V86: V86Ctor };
    const require = createRequire(import.meta.url);
    return { V86: mod.V86, wasm: require.resolve('v86/build/v86.wasm') };
  } catch (error) {
    return `v86 could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** One run on v86 with our ROM as its BIOS (no SeaBIOS needed), timed between the same markers. */
function runV86(
  v: { V86: V86Ctor; wasm: string },
  rom: Uint8Array,
  jit: boolean,
  repeat: number,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const bios = rom.buffer.slice(rom.byteOffset, rom.byteOffset + rom.byteLength);
    const emulator = new v.V86({
      wasm_path: v.wasm,
      bios: { buffer: bios },
      memory_size: 32 << 20,
      vga_memory_size: 2 << 20,
      autostart: false,
      disable_jit: !jit,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
    });
    const timeout = setTimeout(() => {
      emulator.stop();
      emulator.destroy();
      reject(new Error('v86 did not reach POST 0x11 within 120 s'));
    }, 120_000);
    emulator.add_listener('emulator-loaded', () => {
      let t0 = 0;
      let c0 = 0;
      emulator.v86.cpu.io.register_write(0x80, {}, (value: number) => {
        const now = performance.now();
        const count = emulator.get_instruction_counter();
        if (value === 0x10) {
          t0 = now;
          c0 = count;
        } else if (value === 0x11) {
          clearTimeout(timeout);
          emulator.stop();
          emulator.destroy();
          const instructions = (count - c0) >>> 0;
          resolve({ mips: instructions / (now - t0) / 1000, instructions, ms: now - t0, complete: true });
        }
      });
      emulator.write_memory(new Uint8Array(Uint32Array.of(repeat).buffer), REPEAT_ADDR);
      emulator.run();
    });
  });
}

/** The ROMs repeat their timed section [0x7F00] times (0 = the default). */
const REPEAT_ADDR = 0x7f00;
/** v86 runs are stretched to about this long so its JIT is measured warm. */
const V86_TARGET_MS = 2000;

/** Median v86 sample after two calibration runs that set the repeat count for ~V86_TARGET_MS. */
async function measureV86(
  v: { V86: V86Ctor; wasm: string },
  rom: Uint8Array,
  jit: boolean,
  defaultRepeat: number,
) {
  let repeat = defaultRepeat;
  for (const targetMs of [V86_TARGET_MS / 4, V86_TARGET_MS]) {
    const probe = await runV86(v, rom, jit, repeat);
    const perRepeat = probe.instructions / repeat;
    const wanted = (probe.mips * 1000 * targetMs) / perRepeat;
    repeat = Math.max(defaultRepeat, Math.min(Math.round(wanted), Math.floor(3.5e9 / perRepeat)));
  }
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await runV86(v, rom, jit, repeat));
  return {
    mips: median(samples.map((s) => s.mips)),
    instructions: median(samples.map((s) => s.instructions)),
  };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '—';

async function main(): Promise<void> {
  const v86 = only === 'ours' ? 'skipped (--only ours)' : await loadV86();
  const rows: Record<string, unknown>[] = [];
  for (const w of WORKLOADS) {
    const rom = loadRom(w.rom);
    const ours: Sample[] = [];
    const oursInterp: Sample[] = [];
    for (let i = 0; i < runs && only !== 'v86'; i++) {
      ours.push(runOurs(rom, true));
      oursInterp.push(runOurs(rom, false));
    }
    const none = { mips: Number.NaN, instructions: Number.NaN };
    const jit = typeof v86 === 'string' ? none : await measureV86(v86, rom, true, w.defaultRepeat);
    const interp = typeof v86 === 'string' ? none : await measureV86(v86, rom, false, w.defaultRepeat);
    const row = {
      workload: `(${w.id}) ${w.name}`,
      ours: median(ours.map((s) => s.mips)),
      oursComplete: ours.every((s) => s.complete),
      oursInstructions: median(ours.map((s) => s.instructions)),
      oursInterpreter: median(oursInterp.map((s) => s.mips)),
      v86Jit: jit.mips,
      v86Interp: interp.mips,
      v86JitInstructions: jit.instructions,
      v86InterpInstructions: interp.instructions,
    };
    rows.push(row);
    if (!json) {
      console.log(
        `${row.workload}\n  ours ${fmt(row.ours)} MIPS${row.oursComplete ? '' : ` (first ${row.oursInstructions} instructions, time-capped)`}` +
          ` (interpreter alone ${fmt(row.oursInterpreter)})` +
          ` | v86 JIT ${fmt(row.v86Jit)} | v86 interpreter ${fmt(row.v86Interp)}` +
          ` | ours/JIT ${ratio(row.ours, row.v86Jit)} | ours/interpreter ${ratio(row.ours, row.v86Interp)}`,
      );
    }
  }
  if (json)
    console.log(JSON.stringify({ runs, budgetMs, v86: typeof v86 === 'string' ? v86 : 'ok', rows }, null, 2));
  else {
    console.log(
      `medians of ${runs} runs; guest instructions counted by each emulator; Node ${process.version}`,
    );
    if (typeof v86 === 'string') console.log(v86);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
