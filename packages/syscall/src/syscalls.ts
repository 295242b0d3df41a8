// Defining a system call, after include/linux/syscalls.h: SYSCALL_DEFINEn(name, type1, arg1, ...)
// names the C type of each argument, which decides how the raw 32-bit register is read (signed
// types sign-extend, everything else is unsigned; pointers are numbers) and how strace prints it.
// The handler gets the syscall context `k` (current, user memory, capable) and the typed
// arguments, and returns the result: a value, or -errno in [-4095, -1].

import { capable } from './capability.js';
import { PF_EXITING, type Task } from './task.js';
import type { UserAccess } from './uaccess.js';

/** A printk sink (the kernel core's ring buffer; a collector in tests). */
export type Printk = (message: string) => void;

/** Integer argument types of the syscall prototypes this kernel knows. */
export type IntegerCType =
  | 'int'
  | 'unsigned int'
  | 'unsigned'
  | 'long'
  | 'unsigned long'
  | 'short'
  | 'unsigned short'
  | 'char'
  | 'unsigned char'
  | 'size_t'
  | 'ssize_t'
  | 'pid_t'
  | 'uid_t'
  | 'gid_t'
  | 'old_uid_t'
  | 'old_gid_t'
  | 'off_t'
  | 'loff_t'
  | 'umode_t'
  | 'mode_t'
  | 'u8'
  | 'u16'
  | 'u32'
  | 's32'
  | 'clockid_t'
  | 'timer_t'
  | 'key_serial_t'
  | 'qid_t'
  | 'aio_context_t'
  | 'rwf_t'
  | 'old_sigset_t';
/** Any pointer type, such as 'const char __user *' or 'struct new_utsname __user *'. */
export type PointerCType = `${string}*`;
export type CType = IntegerCType | PointerCType;

const INTEGER_TYPES: ReadonlySet<string> = new Set<IntegerCType>([
  'int',
  'unsigned int',
  'unsigned',
  'long',
  'unsigned long',
  'short',
  'unsigned short',
  'char',
  'unsigned char',
  'size_t',
  'ssize_t',
  'pid_t',
  'uid_t',
  'gid_t',
  'old_uid_t',
  'old_gid_t',
  'off_t',
  'loff_t',
  'umode_t',
  'mode_t',
  'u8',
  'u16',
  'u32',
  's32',
  'clockid_t',
  'timer_t',
  'key_serial_t',
  'qid_t',
  'aio_context_t',
  'rwf_t',
  'old_sigset_t',
]);
const SIGNED_TYPES: ReadonlySet<string> = new Set([
  'int',
  'long',
  'short',
  'char',
  'ssize_t',
  'pid_t',
  'off_t',
  'loff_t',
  's32',
  'clockid_t',
  'timer_t',
  'key_serial_t',
]);

/**
 * How strace prints an argument: d signed decimal, u unsigned decimal, x hex, o octal, p pointer
 * (NULL or hex), s a NUL-terminated user string, bN a user buffer read by the call whose length is
 * argument N (write), BN a buffer the call fills, printed after it with the returned length (read).
 */
export type StraceArg =
  | 'd'
  | 'u'
  | 'x'
  | 'o'
  | 'p'
  | 's'
  | `b${0 | 1 | 2 | 3 | 4 | 5}`
  | `B${0 | 1 | 2 | 3 | 4 | 5}`;
/** How strace prints a successful result: decimal, unsigned, hex (brk, mmap) or octal (umask). */
export type StraceRet = 'd' | 'u' | 'x' | 'o';

export interface SyscallOptions {
  /** Overrides of the printing strace derives from the C types. */
  strace?: { args?: (StraceArg | undefined)[]; ret?: StraceRet };
}

/** struct new_utsname (include/uapi/linux/utsname.h): six fields of __NEW_UTS_LEN + 1 bytes. */
export interface new_utsname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}
export const __NEW_UTS_LEN = 64;

/** The terminal behind file descriptors 0, 1 and 2 until the kernel core has files. */
export interface ConsoleDevice {
  /** Writes bytes for `fd`; returns how many were taken. */
  write(fd: number, bytes: Uint8Array): number;
  /** Fills `buf` with input for `fd`; returns how many bytes (0 at end of input). */
  read(fd: number, buf: Uint8Array): number;
}

/** A console that takes all output and has no input. */
export const nullConsole: ConsoleDevice = {
  write: (_fd, bytes) => bytes.length,
  read: () => 0,
};

/**
 * What a handler sees besides its arguments: `current`, user memory, and the kernel services the
 * few built-in syscalls reach (in Linux: init_uts_ns, the tty, do_exit, kernel_restart). The kernel
 * core keeps one per machine, sets `current` on each switch and replaces the services it owns.
 */
export class SyscallContext {
  /** The task making the call. */
  current: Task;
  /** Kernel virtual address of the pt_regs frame of the call in progress (0 outside the gate). */
  regs = 0;
  readonly uaccess: UserAccess;
  printk: Printk;
  /** init_uts_ns.name: what uname() reports and sethostname() changes. */
  utsname: new_utsname = {
    sysname: 'Linux',
    nodename: '(none)',
    release: '6.17.0-k',
    version: '#1 SMP PREEMPT_DYNAMIC',
    machine: 'i686',
    domainname: '(none)',
  };
  console: ConsoleDevice = nullConsole;
  /** Called by do_exit() after the task is marked exiting: the kernel core schedules away. */
  on_exit: (task: Task, code: number) => void = () => {};
  /** reboot(2)'s action once allowed (kernel_restart, kernel_halt, kernel_power_off, C-A-D). */
  on_reboot: (cmd: number) => void = () => {};

  constructor(uaccess: UserAccess, current: Task, printk: Printk = () => {}) {
    this.uaccess = uaccess;
    this.current = current;
    this.printk = printk;
  }

  /** capable(cap): does current hold `cap` in its effective set (marks it PF_SUPERPRIV if so)? */
  capable(cap: number): boolean {
    return capable(this.current, cap, this.printk);
  }

  /** do_exit(code): current is done; `code` is the wait status ((status & 0xff) << 8, or a signal). */
  do_exit(code: number): void {
    const task = this.current;
    task.flags |= PF_EXITING;
    task.exit_code = code;
    this.on_exit(task, code);
  }
}

/** The uniform calling convention of every table slot: six raw arguments, in EBX..EBP order. */
export type SyscallHandler = (
  k: SyscallContext,
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  a4: number,
  a5: number,
) => number;

/** A defined system call: what SYSCALL_DEFINEn produces and sys_call_table.register() takes. */
export interface SyscallDefinition {
  readonly name: string;
  readonly nargs: number;
  readonly types: readonly CType[];
  readonly argNames: readonly string[];
  /** Bit i set: argument i has a signed type. */
  readonly signedMask: number;
  readonly handler: SyscallHandler;
  readonly strace: { readonly args: readonly StraceArg[]; readonly ret: StraceRet };
}

/** Thrown when a definition is malformed; the message names the syscall and the field. */
export class SyscallDefinitionError extends TypeError {
  override name = 'SyscallDefinitionError';
}

function straceDefault(type: string): StraceArg {
  if (type.endsWith('*')) return /^const\s+char\s+__user\s*\*$/.test(type) ? 's' : 'p';
  if (type === 'umode_t' || type === 'mode_t') return 'o';
  return SIGNED_TYPES.has(type) ? 'd' : 'u';
}

function define(
  name: string,
  pairs: readonly string[],
  handler: SyscallHandler,
  options: SyscallOptions,
): SyscallDefinition {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new SyscallDefinitionError(`SYSCALL_DEFINE: name '${name}' is not a C identifier`);
  }
  const types: CType[] = [];
  const argNames: string[] = [];
  let signedMask = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const type = pairs[i].trim().replace(/\s+/g, ' ');
    if (!type.endsWith('*') && !INTEGER_TYPES.has(type)) {
      throw new SyscallDefinitionError(
        `SYSCALL_DEFINE(${name}): argument ${i / 2} has unknown type '${type}'`,
      );
    }
    if (SIGNED_TYPES.has(type)) signedMask |= 1 << (i / 2);
    types.push(type as CType);
    argNames.push(pairs[i + 1]);
  }
  const args = types.map((t, i) => options.strace?.args?.[i] ?? straceDefault(t));
  for (const a of args) {
    if (a.length === 2 && Number(a[1]) >= types.length) {
      throw new SyscallDefinitionError(
        `SYSCALL_DEFINE(${name}): strace format '${a}' names a missing argument`,
      );
    }
  }
  return {
    name,
    nargs: types.length,
    types,
    argNames,
    signedMask,
    handler,
    strace: { args, ret: options.strace?.ret ?? 'd' },
  };
}

type H0 = (k: SyscallContext) => number;
type H1 = (k: SyscallContext, a0: number) => number;
type H2 = (k: SyscallContext, a0: number, a1: number) => number;
type H3 = (k: SyscallContext, a0: number, a1: number, a2: number) => number;
type H4 = (k: SyscallContext, a0: number, a1: number, a2: number, a3: number) => number;
type H5 = (k: SyscallContext, a0: number, a1: number, a2: number, a3: number, a4: number) => number;
type H6 = SyscallHandler;

/** SYSCALL_DEFINE0(name): a system call without arguments. */
export function SYSCALL_DEFINE0(name: string, fn: H0, options: SyscallOptions = {}): SyscallDefinition {
  return define(name, [], fn, options);
}
/** SYSCALL_DEFINE1(name, type, arg): arguments are (C type, name) pairs as in the kernel. */
export function SYSCALL_DEFINE1(
  name: string,
  t0: CType,
  a0: string,
  fn: H1,
  options: SyscallOptions = {},
): SyscallDefinition {
  return define(name, [t0, a0], fn, options);
}
export function SYSCALL_DEFINE2(
  name: string,
  t0: CType,
  a0: string,
  t1: CType,
  a1: string,
  fn: H2,
  options: SyscallOptions = {},
): SyscallDefinition {
  return define(name, [t0, a0, t1, a1], fn, options);
}
export function SYSCALL_DEFINE3(
  name: string,
  t0: CType,
  a0: string,
  t1: CType,
  a1: string,
  t2: CType,
  a2: string,
  fn: H3,
  options: SyscallOptions = {},
): SyscallDefinition {
  return define(name, [t0, a0, t1, a1, t2, a2], fn, options);
}
export function SYSCALL_DEFINE4(
  name: string,
  t0: CType,
  a0: string,
  t1: CType,
  a1: string,
  t2: CType,
  a2: string,
  t3: CType,
  a3: string,
  fn: H4,
  options: SyscallOptions = {},
): SyscallDefinition {
  return define(name, [t0, a0, t1, a1, t2, a2, t3, a3], fn, options);
}
export function SYSCALL_DEFINE5(
  name: string,
  t0: CType,
  a0: string,
  t1: CType,
  a1: string,
  t2: CType,
  a2: string,
  t3: CType,
  a3: string,
  t4: CType,
  a4: string,
  fn: H5,
  options: SyscallOptions = {},
): SyscallDefinition {
  return define(name, [t0, a0, t1, a1, t2, a2, t3, a3, t4, a4], fn, options);
}
export function SYSCALL_DEFINE6(
  name: string,
  t0: CType,
  a0: string,
  t1: CType,
  a1: string,
  t2: CType,
  a2: string,
  t3: CType,
  a3: string,
  t4: CType,
  a4: string,
  t5: CType,
  a5: string,
  fn: H6,
  options: SyscallOptions = {},
): SyscallDefinition {
  return define(name, [t0, a0, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5], fn, options);
}
