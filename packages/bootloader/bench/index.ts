// A real-code workload for the CPU: Debian's stock i386 kernel, booted by our BIOS and loader to
// code32_start, then run for a fixed number of its own instructions (its decompressor: an LZMA/XZ
// decoder, branchy C with many memory accesses) with the block translator on and off. The kernel
// comes from the cache scripts/fetch-debian-kernel.sh fills (or K_STOCK_KERNEL=path); without it
// the benchmark says so and exits 0.
//
// Usage: pnpm --filter @k/bootloader bench [--runs 3] [--instructions 100000000]

import { readFileSync } from 'node:fs';
import type { PC } from '@k/x86-cpu';
import { bootToCode32Start } from '../src/index.js';
import { findStockKernel } from '../test/stock_kernel_path.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('--runs', '3'));
const instructions = Number(arg('--instructions', '100000000'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** MIPS over `instructions` guest instructions after code32_start. */
function measure(kernel: Uint8Array, translate: boolean): { mips: number; eip: number } {
  let pc: PC | null = null;
  bootToCode32Start({
    kernel,
    ramSize: 256 << 20,
    cmdline: 'console=ttyS0',
    configure: (p) => {
      pc = p;
      p.cpu.translateBlocks = translate;
    },
  });
  const machine = pc as unknown as PC;
  machine.cpu.clearBreakpoints();
  const start = machine.cpu.instructionCount;
  const t0 = performance.now();
  while (machine.cpu.instructionCount - start < instructions) {
    const r = machine.run(Math.min(5_000_000, instructions - (machine.cpu.instructionCount - start)));
    if (r.reason !== 'limit') throw new Error(`the kernel stopped early: ${r.reason}`);
  }
  const ms = performance.now() - t0;
  return { mips: (machine.cpu.instructionCount - start) / ms / 1000, eip: machine.cpu.eip };
}

const path = findStockKernel();
if (!path) {
  console.log('no Debian kernel cached: run packages/bootloader/scripts/fetch-debian-kernel.sh (skipped)');
} else {
  const kernel = new Uint8Array(readFileSync(path));
  const on: number[] = [];
  const off: number[] = [];
  let eips = new Set<number>();
  for (let i = 0; i < runs; i++) {
    const a = measure(kernel, true);
    const b = measure(kernel, false);
    on.push(a.mips);
    off.push(b.mips);
    eips = new Set([...eips, a.eip, b.eip]);
  }
  console.log(`${path.split('/').pop()}: ${instructions} instructions after code32_start (the decompressor)`);
  console.log(
    `  block translator ${median(on).toFixed(1)} MIPS | interpreter alone ${median(off).toFixed(1)} MIPS`,
  );
  console.log(
    `  final EIP ${[...eips].map((e) => `0x${e.toString(16)}`).join(', ')} (one value: both stop at the same instruction)`,
  );
  console.log(`medians of ${runs} runs; Node ${process.version}`);
}
