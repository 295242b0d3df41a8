// The C side of the int 0x80 path (arch/x86/entry/common.c, do_int80_syscall_32) and its wiring:
// syscall_init() makes IDT vector 0x80 a DPL 3 trap gate whose handler reads the call from the
// pt_regs frame @k/irq's entry stub built (number in orig_eax, arguments in bx cx dx si di bp),
// runs it through sys_call_table, and stores the result in the frame's ax for RESTORE_ALL.

import {
  type GuestMemory,
  IA32_SYSCALL_VECTOR,
  PT_EAX,
  PT_EBP,
  PT_EBX,
  PT_ECX,
  PT_EDI,
  PT_EDX,
  PT_ESI,
  PT_ORIG_EAX,
} from '@k/irq';
import { sys_exit, sys_exit_group } from './exit.js';
import { sys_brk } from './mmap.js';
import { sys_read, sys_write } from './read_write.js';
import { sys_reboot } from './reboot.js';
import {
  sys_getegid,
  sys_getegid16,
  sys_geteuid,
  sys_geteuid16,
  sys_getgid,
  sys_getgid16,
  sys_getpid,
  sys_getppid,
  sys_gettid,
  sys_getuid,
  sys_getuid16,
  sys_newuname,
  sys_setdomainname,
  sys_sethostname,
} from './sys.js';
import type { SyscallTable } from './syscall_32.js';
import type { SyscallContext, SyscallDefinition } from './syscalls.js';

/** The system calls this package implements, ready for sys_call_table.register(). */
export const builtin_syscalls: readonly SyscallDefinition[] = [
  sys_exit,
  sys_read,
  sys_write,
  sys_getpid,
  sys_getuid16,
  sys_getgid16,
  sys_geteuid16,
  sys_getegid16,
  sys_getppid,
  sys_sethostname,
  sys_reboot,
  sys_brk,
  sys_setdomainname,
  sys_newuname,
  sys_getuid,
  sys_getgid,
  sys_geteuid,
  sys_getegid,
  sys_gettid,
  sys_exit_group,
];

/** Registers every built-in system call in `table`. */
export function register_builtin_syscalls(table: SyscallTable): void {
  for (const def of builtin_syscalls) table.register(def);
}

/**
 * do_int80_syscall_32(regs): one system call from the frame at `regs` (a kernel linear address
 * readable through `memory`). The number is regs->orig_ax, the result goes to regs->ax.
 */
export function do_int80_syscall_32(
  memory: GuestMemory,
  table: SyscallTable,
  k: SyscallContext,
  regs: number,
): void {
  k.regs = regs;
  const ret = table.do_syscall_32(
    k,
    memory.read32(regs + PT_ORIG_EAX),
    memory.read32(regs + PT_EBX),
    memory.read32(regs + PT_ECX),
    memory.read32(regs + PT_EDX),
    memory.read32(regs + PT_ESI),
    memory.read32(regs + PT_EDI),
    memory.read32(regs + PT_EBP),
  );
  memory.write32(regs + PT_EAX, ret >>> 0);
  k.regs = 0;
}

/** What syscall_init needs of @k/irq's KernelEntry. */
export interface SyscallGateEntry {
  readonly memory: GuestMemory;
  set_system_trap_gate(n: number, handler: (regs: number, error_code: number, vector: number) => void): void;
}

/**
 * Installs the int 0x80 gate: IDT vector 0x80 as a trap gate with DPL 3 (set_system_gate), so
 * ring 3 may `int 0x80` while every DPL 0 vector raises #GP from ring 3.
 */
export function syscall_init(entry: SyscallGateEntry, table: SyscallTable, k: SyscallContext): void {
  const memory = entry.memory;
  entry.set_system_trap_gate(IA32_SYSCALL_VECTOR, (regs) => do_int80_syscall_32(memory, table, k, regs));
}
