// The part of struct task_struct the syscall layer reads: identity, credentials, flags, the brk of
// its mm, and the per-task strace switch. The kernel core's task type extends this; tests use
// makeTask().

import { type cred, init_cred } from './capability.js';

/** task->flags bits (include/linux/sched.h) this layer uses. */
export const PF_EXITING = 0x0000_0004;

/** The parts of struct mm_struct brk() needs. */
export interface mm_struct {
  /** Page directory (physical address loaded into CR3). */
  pgd: number;
  start_brk: number;
  brk: number;
  /** The heap may grow up to here (the next mapping, or RLIMIT_DATA). */
  brk_limit: number;
}

export interface Task {
  pid: number;
  /** Thread group id: what getpid() returns. */
  tgid: number;
  /** Parent's tgid: what getppid() returns. */
  ppid: number;
  /** task->comm, at most 15 characters. */
  comm: string;
  cred: cred;
  flags: number;
  /** Exit status once the task called exit()/exit_group() (with PF_EXITING set). */
  exit_code: number;
  /** strace on/off for this task. */
  strace: boolean;
  mm: mm_struct | undefined;
}

/** A task record with sensible defaults: pid 1, root credentials, no mm, not traced. */
export function makeTask(fields: Partial<Task> = {}): Task {
  const pid = fields.pid ?? 1;
  return {
    pid,
    tgid: fields.tgid ?? pid,
    ppid: fields.ppid ?? 0,
    comm: (fields.comm ?? 'init').slice(0, 15),
    cred: fields.cred ?? init_cred(),
    flags: fields.flags ?? 0,
    exit_code: fields.exit_code ?? 0,
    strace: fields.strace ?? false,
    mm: fields.mm,
  };
}
