// POSIX capabilities: the CAP_* numbers of include/uapi/linux/capability.h, kernel_cap_t as a 64-bit
// set (a bigint, like Linux's u64), the minimal struct cred a task carries, and capable() as in
// kernel/capability.c: a check of the task's effective set that marks the task PF_SUPERPRIV on use.

export const CAP_CHOWN = 0;
export const CAP_DAC_OVERRIDE = 1;
export const CAP_DAC_READ_SEARCH = 2;
export const CAP_FOWNER = 3;
export const CAP_FSETID = 4;
export const CAP_KILL = 5;
export const CAP_SETGID = 6;
export const CAP_SETUID = 7;
export const CAP_SETPCAP = 8;
export const CAP_LINUX_IMMUTABLE = 9;
export const CAP_NET_BIND_SERVICE = 10;
export const CAP_NET_BROADCAST = 11;
export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;
export const CAP_IPC_LOCK = 14;
export const CAP_IPC_OWNER = 15;
export const CAP_SYS_MODULE = 16;
export const CAP_SYS_RAWIO = 17;
export const CAP_SYS_CHROOT = 18;
export const CAP_SYS_PTRACE = 19;
export const CAP_SYS_PACCT = 20;
export const CAP_SYS_ADMIN = 21;
export const CAP_SYS_BOOT = 22;
export const CAP_SYS_NICE = 23;
export const CAP_SYS_RESOURCE = 24;
export const CAP_SYS_TIME = 25;
export const CAP_SYS_TTY_CONFIG = 26;
export const CAP_MKNOD = 27;
export const CAP_LEASE = 28;
export const CAP_AUDIT_WRITE = 29;
export const CAP_AUDIT_CONTROL = 30;
export const CAP_SETFCAP = 31;
export const CAP_MAC_OVERRIDE = 32;
export const CAP_MAC_ADMIN = 33;
export const CAP_SYSLOG = 34;
export const CAP_WAKE_ALARM = 35;
export const CAP_BLOCK_SUSPEND = 36;
export const CAP_AUDIT_READ = 37;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;
export const CAP_CHECKPOINT_RESTORE = 40;
export const CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE;

/** The names capget(2) users and /proc/PID/status readers know, indexed by CAP_* number. */
export const CAP_NAMES: readonly string[] = [
  'chown',
  'dac_override',
  'dac_read_search',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'linux_immutable',
  'net_bind_service',
  'net_broadcast',
  'net_admin',
  'net_raw',
  'ipc_lock',
  'ipc_owner',
  'sys_module',
  'sys_rawio',
  'sys_chroot',
  'sys_ptrace',
  'sys_pacct',
  'sys_admin',
  'sys_boot',
  'sys_nice',
  'sys_resource',
  'sys_time',
  'sys_tty_config',
  'mknod',
  'lease',
  'audit_write',
  'audit_control',
  'setfcap',
  'mac_override',
  'mac_admin',
  'syslog',
  'wake_alarm',
  'block_suspend',
  'audit_read',
  'perfmon',
  'bpf',
  'checkpoint_restore',
];

/** kernel_cap_t: one bit per capability (include/linux/capability.h keeps a u64). */
export type kernel_cap_t = bigint;
export const CAP_EMPTY_SET: kernel_cap_t = 0n;
export const CAP_FULL_SET: kernel_cap_t = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;

/** cap_valid(x): a capability number this kernel knows. */
export function cap_valid(cap: number): boolean {
  return Number.isInteger(cap) && cap >= 0 && cap <= CAP_LAST_CAP;
}
export function cap_raised(set: kernel_cap_t, cap: number): boolean {
  return ((set >> BigInt(cap)) & 1n) === 1n;
}
export function cap_raise(set: kernel_cap_t, cap: number): kernel_cap_t {
  return set | (1n << BigInt(cap));
}
export function cap_lower(set: kernel_cap_t, cap: number): kernel_cap_t {
  return set & ~(1n << BigInt(cap));
}

/** The part of struct cred (include/linux/cred.h) that permission checks read. */
export interface cred {
  uid: number;
  gid: number;
  suid: number;
  sgid: number;
  euid: number;
  egid: number;
  fsuid: number;
  fsgid: number;
  cap_inheritable: kernel_cap_t;
  cap_permitted: kernel_cap_t;
  cap_effective: kernel_cap_t;
  cap_bset: kernel_cap_t;
  cap_ambient: kernel_cap_t;
}

/** init_cred (kernel/cred.c): root with every capability, what PID 1 starts with. */
export function init_cred(): cred {
  return {
    uid: 0,
    gid: 0,
    suid: 0,
    sgid: 0,
    euid: 0,
    egid: 0,
    fsuid: 0,
    fsgid: 0,
    cap_inheritable: CAP_EMPTY_SET,
    cap_permitted: CAP_FULL_SET,
    cap_effective: CAP_FULL_SET,
    cap_bset: CAP_FULL_SET,
    cap_ambient: CAP_EMPTY_SET,
  };
}

/** The credentials of an unprivileged user after exec: uid/gid set, no capabilities. */
export function user_cred(uid: number, gid: number = uid): cred {
  return {
    ...init_cred(),
    uid,
    gid,
    suid: uid,
    sgid: gid,
    euid: uid,
    egid: gid,
    fsuid: uid,
    fsgid: gid,
    cap_permitted: CAP_EMPTY_SET,
    cap_effective: CAP_EMPTY_SET,
  };
}

/** task->flags bit set when a task used superuser privileges (include/linux/sched.h). */
export const PF_SUPERPRIV = 0x0000_0100;

/** What capable() needs of a task: its credentials and its flags word. */
export interface CapabilityHolder {
  cred: cred;
  flags: number;
}

/**
 * has_capability_noaudit(t, cap): does `task` have `cap` in its effective set? An invalid cap is
 * a kernel bug; Linux BUG()s, here it is reported through `printk` and refused.
 */
export function has_capability(
  task: CapabilityHolder,
  cap: number,
  printk?: (message: string) => void,
): boolean {
  if (!cap_valid(cap)) {
    printk?.(`\x012capable() called with invalid cap=${cap}\n`);
    return false;
  }
  return cap_raised(task.cred.cap_effective, cap);
}

/**
 * capable(cap) of kernel/capability.c for the task `current`: true when its effective set holds
 * `cap`, in which case the task is marked PF_SUPERPRIV (it used privilege), as ns_capable() does.
 */
export function capable(current: CapabilityHolder, cap: number, printk?: (message: string) => void): boolean {
  if (!has_capability(current, cap, printk)) return false;
  current.flags |= PF_SUPERPRIV;
  return true;
}
