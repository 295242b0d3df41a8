// `k-sim rom FILE`: run a BIOS-replacement ROM on the PC (a thin layer over @k/x86-cpu's runRom).
// Out-port bytes go to stdout unchanged, POST codes to stderr as they are written, and the last
// stderr line gives the final POST code, why the run stopped and how many instructions ran.

import { readFileSync } from 'node:fs';
import { describeRomResult, runRom } from '@k/x86-cpu';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseSize } from './boot.js';
import type { CliIO } from './program.js';

/** CliIO plus an optional byte channel for stdout (out-port bytes are binary). */
export interface RomIO extends CliIO {
  stdoutBytes?: (bytes: Uint8Array) => void;
}

function parseNumber(name: string, max: number, example: string) {
  return (text: string): number => {
    const t = text.trim().replace(/_/g, '');
    const v = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : Number.NaN;
    if (!Number.isSafeInteger(v) || v < 0 || v > max) {
      throw new InvalidArgumentError(
        `${name}: expected a number 0..${max} such as ${example}, got "${text}"`,
      );
    }
    return v;
  };
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

interface RomOptions {
  postPort: number;
  outPort: number;
  maxInstructions: number;
  trace?: boolean;
  traceLimit: number;
  interpreter?: boolean;
  expectPost?: number;
  mem: string;
}

export function romCommand(io: RomIO): Command {
  return new Command('rom')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .description(
      'run a 64 or 128 KiB BIOS-replacement ROM from the reset vector: out-port bytes to stdout, POST codes to stderr',
    )
    .argument('<file>', 'ROM image (64 or 128 KiB), mapped below 1 MiB and below 4 GiB')
    .addOption(
      new Option('--post-port <port>', 'POST code port')
        .argParser(parseNumber('--post-port', 0xffff, '0x80'))
        .default(0x80, '0x80'),
    )
    .addOption(
      new Option('--out-port <port>', 'port whose bytes go to stdout')
        .argParser(parseNumber('--out-port', 0xffff, '0xE9'))
        .default(0xe9, '0xE9'),
    )
    .option(
      '--max-instructions <n>',
      'stop after this many instructions',
      parseNumber('--max-instructions', Number.MAX_SAFE_INTEGER, '100000000'),
      200_000_000,
    )
    .option('--trace', 'print each instruction, disassembled, to stderr (bounded by --trace-limit)')
    .option(
      '--trace-limit <n>',
      'most instructions to trace',
      parseNumber('--trace-limit', 1e9, '10000'),
      10_000,
    )
    .option(
      '--expect-post <code>',
      'exit non-zero unless the final POST code is this',
      parseNumber('--expect-post', 0xff, '0xFF'),
    )
    .option('--mem <size>', 'RAM size, e.g. 16M', '16M')
    .option(
      '--interpreter',
      'run every instruction on the interpreter (no block translation); same results, slower',
    )
    .action((file: string, options: RomOptions) => {
      let rom: Uint8Array;
      try {
        rom = new Uint8Array(readFileSync(file));
      } catch (error) {
        throw new Error(
          `FILE: cannot read "${file}": ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (rom.length !== 0x10000 && rom.length !== 0x20000) {
        throw new Error(`FILE: "${file}" is ${rom.length} bytes; a ROM must be 65536 or 131072 bytes`);
      }
      const ramSize = parseSize(options.mem);
      if (ramSize < 1 << 20 || ramSize > 2 ** 32) {
        throw new Error(`--mem: RAM must be between 1M and 4G, got "${options.mem}"`);
      }

      // Out-port bytes are buffered briefly and flushed before any stderr line, so the two streams
      // interleave as the guest wrote them.
      let pending: number[] = [];
      const flush = () => {
        if (pending.length === 0) return;
        const bytes = Uint8Array.from(pending);
        pending = [];
        if (io.stdoutBytes) io.stdoutBytes(bytes);
        else if (bytes.every((b) => b < 0x80)) io.stdout(String.fromCharCode(...bytes));
        else process.stdout.write(bytes);
      };
      const result = runRom(rom, {
        ramSize,
        postPort: options.postPort,
        outPort: options.outPort,
        maxInstructions: options.maxInstructions,
        out: (b) => {
          pending.push(b);
          if (b === 10 || pending.length >= 4096) flush();
        },
        onPost: (code) => {
          flush();
          io.stderr(`POST 0x${hex2(code)}\n`);
        },
        trace: options.trace
          ? (line) => {
              flush();
              io.stderr(`${line}\n`);
            }
          : undefined,
        traceLimit: options.traceLimit,
        setup: options.interpreter
          ? (pc) => {
              pc.cpu.translateBlocks = false;
            }
          : undefined,
      });
      flush();
      const ok = options.expectPost === undefined || result.postCode === options.expectPost;
      if (!ok) {
        const got = result.postCode < 0 ? 'none' : hex2(result.postCode);
        io.stderr(`k-sim rom: --expect-post ${hex2(options.expectPost!)} not met (final POST ${got})\n`);
      }
      io.stderr(`${describeRomResult(result)}\n`);
      process.exitCode = ok ? 0 : 1;
    });
}
