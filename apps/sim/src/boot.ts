// `k-sim boot`: power on the PC and boot k. Until the kernel core exists (next wave), it does the
// most that exists and says plainly where it stops.

import { PhysicalMemory } from '@k/x86-cpu';
import { Command } from 'commander';
import type { CliIO } from './program.js';

export function parseSize(text: string): number {
  const m = /^(\d+)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`--mem: expected a size such as 64M or 1G, got "${text}"`);
  const unit = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

export function bootCommand(io: CliIO): Command {
  return new Command('boot')
    .description('boot k to init, print the boot log and the allocator cross-check summary')
    .option('--mem <size>', 'RAM size, e.g. 64M or 1G', '128M')
    .action((options: { mem: string }) => {
      const bytes = parseSize(options.mem);
      const memory = new PhysicalMemory(bytes);
      io.stdout(`k-sim: powered on a PC with ${memory.size / (1 << 20)} MiB of RAM\n`);
      io.stdout('k-sim: the boot path (BIOS, loader, kernel) is not built yet; nothing further runs.\n');
    });
}
