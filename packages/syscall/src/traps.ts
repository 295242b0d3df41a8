// What a ring-3 exception becomes (arch/x86/kernel/traps.c, arch/x86/mm/fault.c): the signal
// do_trap / do_general_protection / do_user_addr_fault would force on the task, with the line
// show_signal() prints ("traps: prog[42] general protection fault ip:8048000 sp:bffffff0
// error:0", "prog[42]: segfault at c0000000 ip 08048020 sp bffffff0 error 5"). Until the kernel
// core delivers signals, the task takes the default action for all of these: it is killed, with
// the signal as its wait status. A fault in kernel mode is not ours: it goes to @k/irq's oops.

import { type GuestMemory, PT_EIP, PT_OLDESP, user_mode } from '@k/irq';
import type { SyscallContext } from './syscalls.js';

export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGSEGV = 11;

const KERN_INFO = '\x016';

/** [signal, the name traps.c prints, do_trap's "trap " prefix?] per exception vector. */
export const TRAP_SIGNALS: Readonly<Record<number, readonly [number, string, boolean]>> = {
  0: [SIGFPE, 'divide error', true],
  1: [SIGTRAP, 'debug', true],
  3: [SIGTRAP, 'int3', true],
  4: [SIGSEGV, 'overflow', true],
  5: [SIGSEGV, 'bounds', true],
  6: [SIGILL, 'invalid opcode', true],
  7: [SIGSEGV, 'device not available', true],
  9: [SIGFPE, 'coprocessor segment overrun', true],
  10: [SIGSEGV, 'invalid TSS', true],
  11: [SIGBUS, 'segment not present', true],
  12: [SIGBUS, 'stack segment', true],
  13: [SIGSEGV, 'general protection fault', false],
  14: [SIGSEGV, 'page fault', false],
  16: [SIGFPE, 'coprocessor error', true],
  17: [SIGBUS, 'alignment check', true],
};

/** What the trap handlers need of @k/irq's KernelEntry and the CPU. */
export interface TrapEntry {
  readonly memory: GuestMemory;
  readonly cpu: { cr2?: number };
  set_trap_gate(n: number, handler: (regs: number, error_code: number, vector: number) => void): void;
  set_intr_gate(n: number, handler: (regs: number, error_code: number, vector: number) => void): void;
  oops(regs: number, error_code: number, vector: number): void;
}

const hex = (v: number): string => (v >>> 0).toString(16);
const px = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/**
 * A user-mode exception: report it as show_signal()/show_signal_msg() would and kill current with
 * the signal (force_sig with the default action). A user page fault first goes to the page-fault
 * path (SyscallContext.uaccess.page_fault) and only a fault it cannot resolve kills.
 */
export function do_user_trap(
  k: SyscallContext,
  memory: GuestMemory,
  regs: number,
  vector: number,
  error_code: number,
  cr2: number,
): number {
  const [signr, str, isTrap] = TRAP_SIGNALS[vector] ?? [SIGSEGV, `trap ${vector}`, true];
  const task = k.current;
  const ip = memory.read32(regs + PT_EIP);
  const sp = memory.read32(regs + PT_OLDESP);
  if (vector === 14) {
    if (k.uaccess.page_fault?.(cr2 >>> 0, error_code)) return 0;
    k.printk(
      `${KERN_INFO}${task.comm}[${task.pid}]: segfault at ${hex(cr2)} ip ${px(ip)} sp ${px(sp)} error ${hex(error_code)} likely on CPU 0 (core 0, socket 0)\n`,
    );
  } else {
    k.printk(
      `${KERN_INFO}traps: ${task.comm}[${task.pid}] ${isTrap ? 'trap ' : ''}${str} ip:${hex(ip)} sp:${hex(sp)} error:${hex(error_code)}\n`,
    );
  }
  k.do_exit(signr);
  return signr;
}

/**
 * Installs handlers for the exceptions a user program can raise: from ring 3 they become
 * do_user_trap(), from ring 0 they stay an oops. #PF is an interrupt gate (CR2 must not change
 * before it is read), the rest are trap gates, all DPL 0, as in Linux's idt.c.
 */
export function trap_init(entry: TrapEntry, k: SyscallContext): void {
  for (const v of Object.keys(TRAP_SIGNALS).map(Number)) {
    const handler = (regs: number, error_code: number, vector: number): void => {
      if (!user_mode(entry.memory, regs)) {
        entry.oops(regs, error_code, vector);
        return;
      }
      do_user_trap(k, entry.memory, regs, vector, error_code, entry.cpu.cr2 ?? 0);
    };
    if (v === 14) entry.set_intr_gate(v, handler);
    else entry.set_trap_gate(v, handler);
  }
}
