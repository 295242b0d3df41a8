// What the kernel says when an exception has no handler: die() with the i386 register dump of
// arch/x86/kernel/dumpstack_32.c (__show_regs) and the page-fault preamble of arch/x86/mm/fault.c.

import { hex2, hex4, hex8, KERN_ALERT, KERN_DEFAULT, KERN_EMERG, type Printk } from './printk.js';
import { type GuestMemory, PT_REGS_KERNEL_SIZE, read_pt_regs, user_mode } from './ptrace.js';

/** Exception vectors (arch/x86/include/asm/trapnr.h). */
export const X86_TRAP_DE = 0;
export const X86_TRAP_DB = 1;
export const X86_TRAP_NMI = 2;
export const X86_TRAP_BP = 3;
export const X86_TRAP_OF = 4;
export const X86_TRAP_BR = 5;
export const X86_TRAP_UD = 6;
export const X86_TRAP_NM = 7;
export const X86_TRAP_DF = 8;
export const X86_TRAP_OLD_MF = 9;
export const X86_TRAP_TS = 10;
export const X86_TRAP_NP = 11;
export const X86_TRAP_SS = 12;
export const X86_TRAP_GP = 13;
export const X86_TRAP_PF = 14;
export const X86_TRAP_SPURIOUS = 15;
export const X86_TRAP_MF = 16;
export const X86_TRAP_AC = 17;

/** The names die() prints for each exception (the `str` of do_trap/DO_ERROR in traps.c). */
export const trap_names: Record<number, string> = {
  0: 'divide error',
  1: 'debug',
  2: 'nmi',
  3: 'int3',
  4: 'overflow',
  5: 'bounds',
  6: 'invalid opcode',
  7: 'device not available',
  8: 'double fault',
  9: 'coprocessor segment overrun',
  10: 'invalid TSS',
  11: 'segment not present',
  12: 'stack segment',
  13: 'general protection fault',
  14: 'Oops',
  15: 'spurious interrupt bug',
  16: 'coprocessor error',
  17: 'alignment check',
};

export interface DieCpu {
  cr0?: number;
  cr2?: number;
  cr3?: number;
  cr4?: number;
}

export interface DieContext {
  printk: Printk;
  memory: GuestMemory;
  cpu: DieCpu;
  comm: string;
  pid: number;
  /** ++die_counter */
  counter: number;
  in_interrupt: boolean;
}

function tryRead32(mem: GuestMemory, addr: number): number | undefined {
  try {
    return mem.read32(addr >>> 0) >>> 0;
  } catch {
    return undefined;
  }
}

function tryRead8(mem: GuestMemory, addr: number): number | undefined {
  try {
    return mem.read8(addr >>> 0) & 0xff;
  } catch {
    return undefined;
  }
}

/**
 * The oops report for an exception nobody handles, line for line in the kernel's format:
 * the page-fault BUG line and IP (for #PF), `<name>: <err> [#n]`, the Pid line, EIP/EFLAGS,
 * EAX..EDX, ESI..ESP, segment registers, control registers, stack, code bytes, the final EIP line.
 */
export function die(ctx: DieContext, vector: number, regs: number, error_code: number): void {
  const { printk: p, memory: mem } = ctx;
  const r = read_pt_regs(mem, regs);
  if (vector === X86_TRAP_PF) {
    const address = (ctx.cpu.cr2 ?? 0) >>> 0;
    const what = address < 4096 ? 'NULL pointer dereference' : 'paging request';
    p(`${KERN_ALERT}BUG: unable to handle kernel ${what} at ${hex8(address)}\n`);
    p(`${KERN_ALERT}IP: [<${hex8(r.ip)}>]\n`);
  }
  const name = trap_names[vector] ?? `trap ${vector}`;
  p(`${KERN_EMERG}${name}: ${hex4(error_code)} [#${ctx.counter}]\n`);
  p(`${KERN_DEFAULT}Modules linked in:\n`);
  p(`${KERN_DEFAULT}\n`);
  p(`${KERN_DEFAULT}Pid: ${ctx.pid}, comm: ${ctx.comm} Not tainted\n`);
  show_regs(p, mem, regs, ctx.cpu);
  p(`${KERN_DEFAULT}Process ${ctx.comm} (pid: ${ctx.pid})\n`);
  const stack: string[] = [];
  if (!user_mode(mem, regs)) {
    for (let i = 0; i < 8; i++) {
      const w = tryRead32(mem, regs + PT_REGS_KERNEL_SIZE + i * 4);
      stack.push(w === undefined ? '????????' : hex8(w));
    }
    p(`${KERN_DEFAULT}Stack:\n`);
    p(`${KERN_DEFAULT} ${stack.join(' ')}\n`);
    p(`${KERN_DEFAULT}Call Trace:\n`);
  }
  const code: string[] = [];
  for (let i = -8; i < 8; i++) {
    const b = tryRead8(mem, r.ip + i);
    const s = b === undefined ? '??' : hex2(b);
    code.push(i === 0 ? `<${s}>` : s);
  }
  p(`${KERN_EMERG}Code: ${code.join(' ')}\n`);
  p(`${KERN_EMERG}EIP: [<${hex8(r.ip)}>] SS:ESP ${hex4(r.ss)}:${hex8(r.sp)}\n`);
  if (vector === X86_TRAP_PF) p(`${KERN_DEFAULT}CR2: ${hex8(ctx.cpu.cr2 ?? 0)}\n`);
  p(`${KERN_DEFAULT}---[ end trace ${hex8(0x1234abcd + ctx.counter)}${hex8(ctx.counter)} ]---\n`);
  if (ctx.in_interrupt) p(`${KERN_EMERG}Kernel panic - not syncing: Fatal exception in interrupt\n`);
}

/** __show_regs() for i386. */
export function show_regs(p: Printk, mem: GuestMemory, regs: number, cpu: DieCpu): void {
  const r = read_pt_regs(mem, regs);
  p(`${KERN_DEFAULT}EIP: ${hex4(r.cs)}:[<${hex8(r.ip)}>] EFLAGS: ${hex8(r.flags)} CPU: 0\n`);
  p(`${KERN_DEFAULT}EIP is at 0x${hex8(r.ip)}\n`);
  p(`${KERN_DEFAULT}EAX: ${hex8(r.ax)} EBX: ${hex8(r.bx)} ECX: ${hex8(r.cx)} EDX: ${hex8(r.dx)}\n`);
  p(`${KERN_DEFAULT}ESI: ${hex8(r.si)} EDI: ${hex8(r.di)} EBP: ${hex8(r.bp)} ESP: ${hex8(r.sp)}\n`);
  p(
    `${KERN_DEFAULT} DS: ${hex4(r.ds)} ES: ${hex4(r.es)} FS: ${hex4(r.fs)} GS: ${hex4(r.gs)} SS: ${hex4(r.ss)}\n`,
  );
  p(
    `${KERN_DEFAULT}CR0: ${hex8(cpu.cr0 ?? 0)} CR2: ${hex8(cpu.cr2 ?? 0)} CR3: ${hex8(cpu.cr3 ?? 0)} CR4: ${hex8(cpu.cr4 ?? 0)}\n`,
  );
}

/** show_unhandled_signals' line for a ring-3 fault nobody handles (traps.c, fault.c). */
export function unhandled_user_trap(
  p: Printk,
  mem: GuestMemory,
  regs: number,
  vector: number,
  error_code: number,
  comm: string,
  pid: number,
  cr2 = 0,
): void {
  const r = read_pt_regs(mem, regs);
  const ip = r.ip.toString(16);
  const sp = r.sp.toString(16);
  const err = error_code.toString(16);
  if (vector === X86_TRAP_PF) {
    p(
      `${KERN_DEFAULT}${comm}[${pid}]: segfault at ${(cr2 >>> 0).toString(16)} ip ${hex8(r.ip)} sp ${hex8(r.sp)} error ${err}\n`,
    );
  } else if (vector === X86_TRAP_GP) {
    p(`${KERN_DEFAULT}${comm}[${pid}] general protection ip:${ip} sp:${sp} error:${err}\n`);
  } else {
    p(`${KERN_DEFAULT}${comm}[${pid}] trap ${trap_names[vector] ?? vector} ip:${ip} sp:${sp} error:${err}\n`);
  }
}
