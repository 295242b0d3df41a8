// Boots a bzImage on the emulated PC through the whole real boot path (k BIOS -> MBR -> stage 2 ->
// the kernel's own real-mode setup code) and stops at the first instruction at code32_start,
// reporting what the setup code left in boot_params.

import { PC } from '@k/x86-cpu';
import { BIOS_ROM } from './bios.js';
import { type BootParams, readBootParams } from './boot_params.js';
import { buildDiskImage, type DiskLayout } from './disk_image.js';
import { biosE820Map, cmosMemory, type E820Entry, parseE820Table } from './e820.js';
import { BootImageError, hex } from './errors.js';
import { buildKernelImage } from './kernel_image.js';
import type { SetupHeader } from './setup_header.js';

export interface BootOptions {
  /** The bzImage to boot (default: k's own image, debug build). */
  kernel?: Uint8Array;
  initrd?: Uint8Array;
  cmdline?: string;
  /** RAM in bytes (default 128 MiB). */
  ramSize?: number;
  /** Give up after this many instructions (default 500 million). */
  maxInstructions?: number;
  /**
   * Give up after this much machine time in seconds (default 20): catches a guest that idles in HLT
   * with interrupts on (Linux's die(), a loader waiting for a key) without burning instructions.
   */
  maxMachineSeconds?: number;
  /** Host-side validation of the image (default true); off lets the guest loader judge it. */
  validate?: boolean;
  /** Replace the disk (for testing bad disks); the kernel/initrd/cmdline options are then unused. */
  disk?: Uint8Array;
  /** A BIOS other than k's. */
  rom?: Uint8Array;
  /** Called with the powered-on PC before it runs: install traces or instruction hooks here. */
  configure?: (pc: PC) => void;
}

export type BootStop = 'code32_start' | 'limit' | 'idle' | 'hlt' | 'triple-fault' | 'stop' | 'breakpoint';

export interface BootResult {
  /** True when the CPU is at code32_start in protected mode. */
  reached: boolean;
  stop: BootStop;
  /** One line saying where and why the boot stopped. */
  reason: string;
  /** Everything written to COM1. */
  serial: string;
  instructions: number;
  cpu: {
    protectedMode: boolean;
    eip: number;
    esi: number;
    cs: number;
    eflags: number;
    cr0: number;
  };
  /** boot_params at ESI when code32_start was reached. */
  bootParams: BootParams | null;
  /** The e820 map the BIOS built (read back from its EBDA). */
  biosE820: E820Entry[];
  /** The e820 map expected from the CMOS memory bytes (see biosE820Map). */
  expectedE820: E820Entry[];
  header: SetupHeader | null;
  layout: DiskLayout | null;
  /** The machine, stopped where the boot stopped (the code32_start breakpoint removed): run it on. */
  pc: PC;
}

const SLICE = 100_000;

/** Reads the e820 table the k BIOS keeps in its EBDA. */
export function readBiosE820(pc: PC): E820Entry[] {
  const ebda = pc.memory.read16(0x40e) * 16;
  if (ebda === 0 || ebda >= 0xa0000) return [];
  const count = Math.min(pc.memory.read8(ebda + 0x20), 16);
  return parseE820Table(pc.memory.readBytes(ebda + 0x40, count * 20), count);
}

/** Powers on a PC with the k BIOS and a disk holding the kernel, and runs to code32_start. */
export function bootToCode32Start(options: BootOptions = {}): BootResult {
  const ramSize = options.ramSize ?? 128 * 1024 * 1024;
  const maxInstructions = options.maxInstructions ?? 500_000_000;
  if (!Number.isInteger(maxInstructions) || maxInstructions <= 0) {
    throw new BootImageError('maxInstructions', maxInstructions, 'expected a positive integer');
  }
  let disk = options.disk;
  let header: SetupHeader | null = null;
  let layout: DiskLayout | null = null;
  if (!disk) {
    const built = buildDiskImage({
      kernel: options.kernel ?? buildKernelImage(),
      initrd: options.initrd,
      cmdline: options.cmdline,
      validate: options.validate,
      ramSize,
    });
    disk = built.bytes;
    header = built.header;
    layout = built.layout;
  }
  const code32Start = header?.code32_start || 0x100000;
  const serial: number[] = [];
  const pc = new PC({ ramSize, rom: options.rom ?? BIOS_ROM, disk, serial: (b) => serial.push(b) });
  pc.cpu.addBreakpoint(code32Start);
  options.configure?.(pc);
  const maxNs = (options.maxMachineSeconds ?? 20) * 1e9;
  let instructions = 0;
  let stop: BootStop = 'limit';
  while (instructions < maxInstructions) {
    const r = pc.run(Math.min(SLICE, maxInstructions - instructions));
    instructions += r.instructions;
    if (r.reason === 'breakpoint' || r.reason === 'stop') {
      const linear = (pc.cpu.getSegment('cs').base + pc.cpu.eip) >>> 0;
      if (linear === code32Start) {
        stop = pc.cpu.protectedMode ? 'code32_start' : 'breakpoint';
        break;
      }
    }
    if (r.reason !== 'limit') {
      stop = r.reason;
      break;
    }
    if (pc.now() > maxNs) {
      stop = 'idle';
      break;
    }
  }
  pc.cpu.removeBreakpoint(code32Start);
  const cpu = {
    protectedMode: pc.cpu.protectedMode,
    eip: pc.cpu.eip >>> 0,
    esi: pc.cpu.esi >>> 0,
    cs: pc.cpu.getSegment('cs').selector,
    eflags: pc.cpu.eflags >>> 0,
    cr0: pc.cpu.cr0 >>> 0,
  };
  const text = Buffer.from(serial).toString('latin1');
  const reached = stop === 'code32_start';
  let bootParams: BootParams | null = null;
  if (reached && cpu.esi + 0x1000 <= ramSize) bootParams = readBootParams(pc.memory, cpu.esi);
  const lastLine =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .pop() ?? '';
  const at = `${cpu.protectedMode ? 'protected' : 'real'} mode, CS ${hex(cpu.cs, 4)} EIP ${hex(cpu.eip)}`;
  const reason = {
    code32_start: `reached code32_start (${hex(code32Start)}) in protected mode after ${instructions} instructions`,
    idle: `no progress after ${maxNs / 1e9} s of machine time, the CPU idling in HLT with interrupts on (${at})${lastLine ? `; last console line: "${lastLine}"` : ''}`,
    limit: `gave up after ${instructions} instructions (${at}) without reaching code32_start`,
    hlt: `the CPU halted with interrupts off (${at})${lastLine ? `; last console line: "${lastLine}"` : ''}`,
    'triple-fault': `triple fault (${at}) after ${instructions} instructions`,
    stop: `stopped (${at})`,
    breakpoint: `reached ${hex(code32Start)} in real mode, not protected mode (${at})`,
  }[stop];
  return {
    reached,
    stop,
    reason,
    serial: text,
    instructions,
    cpu,
    bootParams,
    biosE820: readBiosE820(pc),
    expectedE820: biosE820Map(cmosMemory((r) => pc.cmos.ram[r])),
    header,
    layout,
    pc,
  };
}
