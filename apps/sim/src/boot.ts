// `k-sim boot`: power on the PC and boot a bzImage (k's own by default) through the k BIOS, the MBR,
// stage 2 and the kernel's real-mode setup code to code32_start. With --until code32_start (or
// another kernel) it stops there and shows what setup left. Without it, k's own kernel goes on as
// far as k boots today: start_kernel()'s memory setup from the boot_params the loader filled in
// (zones, buddy allocator, SLUB), the boot log, and the Linux-vs-FreeBSD allocator cross-check;
// the log then says plainly that the scheduler and init (PID 1) are not there yet.

import { readFileSync } from 'node:fs';
import {
  type BootResult,
  bootToCode32Start,
  buildKernelImage,
  type E820Entry,
  formatE820Entry,
  hex,
  setupSectors,
} from '@k/bootloader';
import { crosscheck, formatCrosscheck, LogBuffer, start_kernel } from '@k/kernel';
import { Command, Option } from 'commander';
import type { CliIO } from './program.js';

export function parseSize(text: string): number {
  const m = /^(\d+)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`--mem: expected a size such as 64M or 1G, got "${text}"`);
  const unit = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

interface BootCliOptions {
  kernel?: string;
  initrd?: string;
  mem: string;
  cmdline: string;
  until?: string;
  json?: boolean;
  maxInstructions: string;
  interpreter?: boolean;
}

function readInput(flag: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const why = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new Error(`${flag}: cannot read "${path}" (${why})`);
  }
}

const LOADFLAG_NAMES: [number, string][] = [
  [0x01, 'LOADED_HIGH'],
  [0x02, 'KASLR_FLAG'],
  [0x20, 'QUIET_FLAG'],
  [0x40, 'KEEP_SEGMENTS'],
  [0x80, 'CAN_USE_HEAP'],
];

function loadflagNames(flags: number): string {
  return (
    LOADFLAG_NAMES.filter(([bit]) => flags & bit)
      .map(([, n]) => n)
      .join(' ') || 'none'
  );
}

function sameE820(a: E820Entry[], b: E820Entry[]): boolean {
  return (
    a.length === b.length &&
    a.every((e, i) => e.addr === b[i].addr && e.size === b[i].size && e.type === b[i].type)
  );
}

/** The report as one JSON-friendly object. */
export function bootReport(result: BootResult, ramSize: number) {
  const bp = result.bootParams;
  return {
    reached: result.reached,
    stop: result.stop,
    reason: result.reason,
    ramSize,
    instructions: result.instructions,
    serial: result.serial,
    cpu: result.cpu,
    biosE820: result.biosE820,
    bootParams: bp && {
      address: bp.address,
      e820_entries: bp.e820_entries,
      e820_table: bp.e820_table,
      e820MatchesBios: sameE820(bp.e820_table, result.biosE820),
      alt_mem_k: bp.alt_mem_k,
      ext_mem_k: bp.screen_info.ext_mem_k,
      kbd_status: bp.kbd_status,
      screen_info: bp.screen_info,
      hdr: {
        version: bp.hdr.protocol,
        type_of_loader: bp.hdr.type_of_loader,
        loadflags: bp.hdr.loadflags,
        code32_start: bp.hdr.code32_start,
        heap_end_ptr: bp.hdr.heap_end_ptr,
        vid_mode: bp.hdr.vid_mode,
        cmd_line_ptr: bp.hdr.cmd_line_ptr,
        ramdisk_image: bp.hdr.ramdisk_image,
        ramdisk_size: bp.hdr.ramdisk_size,
        kernel_version: bp.hdr.kernelVersion,
      },
      cmdline: bp.cmdline,
    },
  };
}

function printReport(io: CliIO, result: BootResult): void {
  io.stdout('--- serial log (COM1) ---\n');
  io.stdout(result.serial.replace(/\r\n/g, '\n').replace(/\r/g, '\n'));
  if (!result.serial.endsWith('\n') && result.serial.length) io.stdout('\n');
  io.stdout('--- end of serial log ---\n');
  io.stdout(`k-sim: ${result.reason}\n`);
  const c = result.cpu;
  io.stdout(
    `cpu: ${c.protectedMode ? 'protected' : 'real'} mode, CS ${hex(c.cs, 4)} EIP ${hex(c.eip)} ESI ${hex(c.esi)} CR0 ${hex(c.cr0)} EFLAGS ${hex(c.eflags)}\n`,
  );
  const bp = result.bootParams;
  if (!bp) return;
  const h = bp.hdr;
  io.stdout(`boot_params at ${hex(bp.address)}:\n`);
  io.stdout(`  hdr.version         ${h.protocol}${h.kernelVersion ? ` (${h.kernelVersion})` : ''}\n`);
  io.stdout(`  hdr.type_of_loader  ${hex(h.type_of_loader, 2)}\n`);
  io.stdout(`  hdr.loadflags       ${hex(h.loadflags, 2)} (${loadflagNames(h.loadflags)})\n`);
  io.stdout(`  hdr.code32_start    ${hex(h.code32_start)}\n`);
  io.stdout(`  hdr.heap_end_ptr    ${hex(h.heap_end_ptr, 4)}\n`);
  io.stdout(`  hdr.cmd_line_ptr    ${hex(h.cmd_line_ptr)} "${bp.cmdline ?? ''}"\n`);
  io.stdout(`  hdr.ramdisk_image   ${hex(h.ramdisk_image)}\n`);
  io.stdout(`  hdr.ramdisk_size    ${h.ramdisk_size}\n`);
  io.stdout(`  alt_mem_k ${bp.alt_mem_k}, screen_info.ext_mem_k ${bp.screen_info.ext_mem_k}\n`);
  const matches = sameE820(bp.e820_table, result.biosE820);
  io.stdout(
    `  e820_table (${bp.e820_entries} entries, ${matches ? 'equal to the BIOS map' : 'DIFFERENT from the BIOS map'}):\n`,
  );
  for (const e of bp.e820_table) io.stdout(`    ${formatE820Entry(e)}\n`);
}

/** What k's kernel does after code32_start today: start_kernel()'s memory setup, then the cross-check. */
export function bootKernel(
  result: BootResult,
  kernel: Uint8Array,
  initrd: Uint8Array | undefined,
  cmdline: string,
) {
  const { pc, bootParams, header } = result;
  if (!bootParams || !header) throw new Error('boot: code32_start reached without boot_params');
  const log = new LogBuffer(() => pc.now());
  const setupBytes = (setupSectors(header) + 1) * 512;
  const reserved = [
    { start: 0, end: 0x10000 }, // reserve_low: the BIOS data and the first 64 KiB (CONFIG_X86_RESERVE_LOW)
    { start: header.code32_start, end: header.code32_start + kernel.length - setupBytes },
  ];
  if (initrd && bootParams.hdr.ramdisk_size > 0) {
    const start = bootParams.hdr.ramdisk_image;
    reserved.push({ start, end: start + bootParams.hdr.ramdisk_size });
  }
  const k = start_kernel({
    memory: pc.memory,
    e820: bootParams.e820_table,
    cmdline: bootParams.cmdline ?? cmdline,
    reserved,
    log,
  });
  const summary = crosscheck();
  return {
    dmesg: log.dmesg(),
    freePages: k.pages.nr_free_pages(),
    crosscheck: summary,
    crosscheckText: formatCrosscheck(summary),
    stoppedAt:
      'the kernel stopped after its memory setup (zones, buddy allocator, SLUB); ' +
      'traps, the scheduler and init (PID 1) are not implemented yet.',
  };
}

export function bootCommand(io: CliIO): Command {
  return new Command('boot')
    .description(
      'boot a bzImage (k by default) through the k BIOS, MBR, stage 2 and its setup code to code32_start',
    )
    .option('--kernel <file>', "a bzImage to boot (default: k's own image)")
    .option('--initrd <file>', 'an initramfs to load for the kernel')
    .option('--mem <size>', 'RAM size, e.g. 64M or 1G', '128M')
    .option('--cmdline <string>', 'the kernel command line', 'console=ttyS0')
    .addOption(new Option('--until <point>', 'stop at this point of the boot').choices(['code32_start']))
    .option('--json', 'print one JSON object instead of text')
    .option('--max-instructions <n>', 'give up after this many instructions', '500000000')
    .option(
      '--interpreter',
      'run every instruction on the interpreter (no block translation); same results, slower',
    )
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .action((options: BootCliOptions) => {
      const ramSize = parseSize(options.mem);
      const maxInstructions = Number(options.maxInstructions);
      if (!Number.isInteger(maxInstructions) || maxInstructions <= 0) {
        throw new Error(`--max-instructions: expected a positive integer, got "${options.maxInstructions}"`);
      }
      const kernel = options.kernel ? readInput('--kernel', options.kernel) : buildKernelImage();
      const initrd = options.initrd ? readInput('--initrd', options.initrd) : undefined;
      const result = bootToCode32Start({
        kernel,
        initrd,
        cmdline: options.cmdline,
        ramSize,
        maxInstructions,
        configure: options.interpreter
          ? (pc) => {
              pc.cpu.translateBlocks = false;
            }
          : undefined,
      });
      const kernelRuns = result.reached && !options.until && !options.kernel;
      const kernelBoot = kernelRuns ? bootKernel(result, kernel, initrd, options.cmdline) : null;
      if (options.json) {
        io.stdout(`${JSON.stringify({ ...bootReport(result, ramSize), kernel: kernelBoot })}\n`);
      } else {
        io.stdout(`k-sim: powered on a PC with ${ramSize / (1 << 20)} MiB of RAM\n`);
        printReport(io, result);
        if (kernelBoot) {
          io.stdout('--- kernel log (dmesg) ---\n');
          io.stdout(kernelBoot.dmesg);
          io.stdout('--- end of kernel log ---\n');
          io.stdout(kernelBoot.crosscheckText);
          io.stdout(`k-sim: ${kernelBoot.stoppedAt}\n`);
        }
      }
      if (!result.reached) io.stderr(`k-sim: boot failed: ${result.reason}\n`);
      process.exitCode = result.reached ? 0 : 1;
    });
}
