// Runs a BIOS-replacement ROM the way test ROMs for PC emulators expect: map it at the top of the first
// MiB and below 4 GiB, reset, and run until a HLT with interrupts disabled, a triple fault or an
// instruction limit. Progress goes to a POST port, text to an output port. This is the library
// behind `k-sim rom`.

import type { StopReason } from '../cpu/cpu.js';
import { PC, PcError } from './pc.js';

export interface RunRomOptions {
  /** RAM size in bytes (default 16 MiB). */
  ramSize?: number;
  /** POST code port (default 0x80). */
  postPort?: number;
  /** Output port whose bytes are the ROM's text output (default 0xE9). */
  outPort?: number;
  /** Instruction limit (default 200,000,000). */
  maxInstructions?: number;
  /** Receives each byte written to the out port. */
  out?: (byte: number) => void;
  /** Receives each byte written to the POST port. */
  onPost?: (code: number) => void;
  /** Receives one disassembled line per instruction while the trace budget lasts. */
  trace?: (line: string) => void;
  /** Most instructions traced (default 10,000). */
  traceLimit?: number;
  /** Optional disk image on the primary ATA channel. */
  disk?: Uint8Array;
  /** Called with the machine before reset and run (to attach more devices or hooks). */
  setup?: (pc: PC) => void;
}

export interface RomResult {
  reason: StopReason;
  instructions: number;
  /** Last POST code written (-1 if none). */
  postCode: number;
  /** Every POST code in the order written. */
  postCodes: number[];
  /** Bytes written to the out port. */
  output: Uint8Array;
  /** The machine, for inspection after the run. */
  pc: PC;
}

const hex = (n: number, w = 2) => n.toString(16).toUpperCase().padStart(w, '0');

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new PcError(`${name} must be an I/O port 0..0xffff, got ${port}`);
  }
}

/** One trace line: address, bytes and disassembly of the instruction at CS:EIP. */
export function traceLine(pc: PC): string {
  const cpu = pc.cpu;
  const state = cpu.getState();
  const linear = (state.cs.base + state.eip) >>> 0;
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    try {
      bytes[i] = cpu.readLinear8(linear + i);
    } catch {
      break;
    }
  }
  const bits = state.cs.attributes & 0x4000 && state.cr0 & 1 ? 32 : 16;
  let text: string;
  let length = 1;
  try {
    const d = cpu.disassemble(bytes, 0, { bits });
    text = d.text;
    length = Math.max(1, Math.min(16, d.length));
  } catch (e) {
    text = `(disassembler: ${e instanceof Error ? e.message : String(e)})`;
  }
  const raw = Array.from(bytes.subarray(0, length), (b) => hex(b)).join('');
  return `${hex(state.cs.selector, 4)}:${hex(state.eip, bits === 32 ? 8 : 4)}  ${raw.padEnd(20)} ${text}`;
}

/** Runs `rom` as the machine's BIOS from the reset vector. */
export function runRom(rom: Uint8Array, options: RunRomOptions = {}): RomResult {
  const postPort = options.postPort ?? 0x80;
  const outPort = options.outPort ?? 0xe9;
  checkPort('postPort', postPort);
  checkPort('outPort', outPort);
  const maxInstructions = options.maxInstructions ?? 200_000_000;
  if (!Number.isInteger(maxInstructions) || maxInstructions < 1) {
    throw new PcError(`maxInstructions must be a positive integer, got ${maxInstructions}`);
  }
  const output: number[] = [];
  const postCodes: number[] = [];
  const pc = new PC({ ramSize: options.ramSize ?? 16 * 1024 * 1024, rom, disk: options.disk });
  let postCode = -1;
  pc.io.register(postPort, {
    read8: () => (postCode < 0 ? 0xff : postCode),
    write8: (_p, v) => {
      postCode = v;
      postCodes.push(v);
      options.onPost?.(v);
    },
  });
  pc.io.register(outPort, {
    read8: () => 0xe9,
    write8: (_p, v) => {
      output.push(v);
      options.out?.(v);
    },
  });
  options.setup?.(pc);
  pc.reset();
  let result: { reason: StopReason; instructions: number };
  const trace = options.trace;
  if (trace) {
    let budget = options.traceLimit ?? 10_000;
    pc.cpu.onInstruction = () => {
      if (budget-- > 0) trace(traceLine(pc));
      else pc.cpu.onInstruction = undefined;
    };
  }
  try {
    result = pc.run(maxInstructions);
  } finally {
    pc.cpu.onInstruction = undefined;
  }
  return { ...result, postCode, postCodes, output: Uint8Array.from(output), pc };
}

/** The runner's closing line, e.g. `POST FF, stopped at hlt after 12345 instructions`. */
export function describeRomResult(r: Pick<RomResult, 'reason' | 'instructions' | 'postCode'>): string {
  const post = r.postCode < 0 ? 'POST none' : `POST ${hex(r.postCode)}`;
  const why =
    r.reason === 'hlt'
      ? 'stopped at hlt'
      : r.reason === 'triple-fault'
        ? 'stopped at triple fault'
        : r.reason === 'limit'
          ? 'stopped at the instruction limit'
          : `stopped (${r.reason})`;
  return `${post}, ${why} after ${r.instructions} instructions`;
}
