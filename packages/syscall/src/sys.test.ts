import { describe, expect, it } from 'vitest';
import { user_cred } from './capability.js';
import { register_builtin_syscalls } from './common.js';
import { EFAULT, EINVAL, EPERM } from './errno.js';
import { LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2 } from './reboot.js';
import { NEW_UTSNAME_SIZE } from './sys.js';
import { SyscallTable } from './syscall_32.js';
import { SyscallContext } from './syscalls.js';
import { makeTask } from './task.js';
import { AddressSpace, PhysicalMemory, USER_RO, USER_RW } from './testing.js';
import { UserAccess } from './uaccess.js';
import {
  __NR_brk,
  __NR_exit,
  __NR_getegid32,
  __NR_geteuid,
  __NR_getppid,
  __NR_gettid,
  __NR_getuid32,
  __NR_reboot,
  __NR_setdomainname,
  __NR_sethostname,
  __NR_uname,
} from './unistd_32.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function setup(uid = 0) {
  const memory = new PhysicalMemory(4 << 20);
  const as = new AddressSpace(memory, 0x10_0000, 0x20_0000);
  as.populate(0x1000, 1, USER_RW);
  as.populate(0x2000, 1, USER_RO);
  const ua = new UserAccess({ memory, cr3: () => as.pgd });
  const task = makeTask({ pid: 5, tgid: 5, ppid: 1, cred: uid === 0 ? undefined : user_cred(uid, uid + 1) });
  const k = new SyscallContext(ua, task);
  const table = new SyscallTable();
  register_builtin_syscalls(table);
  const call = (nr: number, a = 0, b = 0, c = 0, d = 0) => table.do_syscall_32(k, nr, a, b, c, d, 0, 0);
  return { ua, k, call, task };
}

describe('built-in system calls', () => {
  it('identity calls read current', () => {
    const { call } = setup(70_000);
    expect(call(__NR_getppid)).toBe(1);
    expect(call(__NR_gettid)).toBe(5);
    expect(call(__NR_getuid32)).toBe(70_000);
    expect(call(__NR_geteuid)).toBe(65534); // the 16-bit call cannot show 70000
    expect(call(__NR_getegid32)).toBe(70_001);
  });

  it('uname copies struct new_utsname, or -EFAULT', () => {
    const { ua, call } = setup();
    expect(call(__NR_uname, 0x1000)).toBe(0);
    const buf = new Uint8Array(NEW_UTSNAME_SIZE);
    ua.copy_from_user(buf, 0x1000, NEW_UTSNAME_SIZE);
    expect(ua.strndup_user(0x1000, 65)).toBe('Linux');
    expect(ua.strndup_user(0x1000 + 65, 65)).toBe('(none)');
    expect(ua.strndup_user(0x1000 + 4 * 65, 65)).toBe('i686');
    expect(call(__NR_uname, 0x2000)).toBe(-EFAULT); // read-only
    expect(call(__NR_uname, 0x1000 + 4096 - 100)).toBe(-EFAULT); // runs into the read-only page
    expect(call(__NR_uname, 0xc000_0000)).toBe(-EFAULT);
    expect(call(__NR_uname, 0)).toBe(-EFAULT);
  });

  it('sethostname needs CAP_SYS_ADMIN and a valid buffer', () => {
    const root = setup();
    root.ua.copy_to_user(0x1000, bytes('k-box'), 5);
    expect(root.call(__NR_sethostname, 0x1000, 65)).toBe(-EINVAL);
    expect(root.call(__NR_sethostname, 0x1000, -1)).toBe(-EINVAL);
    expect(root.call(__NR_sethostname, 0x5000, 5)).toBe(-EFAULT);
    expect(root.call(__NR_sethostname, 0x1000, 5)).toBe(0);
    expect(root.k.utsname.nodename).toBe('k-box');
    expect(root.call(__NR_setdomainname, 0x1000, 2)).toBe(0);
    expect(root.k.utsname.domainname).toBe('k-');
    const user = setup(1000);
    user.ua.copy_to_user(0x1000, bytes('evil'), 4);
    expect(user.call(__NR_sethostname, 0x1000, 4)).toBe(-EPERM);
    expect(user.k.utsname.nodename).toBe('(none)');
  });

  it('reboot checks CAP_SYS_BOOT, then the magic, then hands the command to the kernel', () => {
    const root = setup();
    const cmds: number[] = [];
    root.k.on_reboot = (cmd) => cmds.push(cmd);
    expect(root.call(__NR_reboot, 1, 2, LINUX_REBOOT_CMD_POWER_OFF)).toBe(-EINVAL);
    expect(root.call(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, 0x1234)).toBe(-EINVAL);
    expect(root.call(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF)).toBe(
      0,
    );
    expect(cmds).toEqual([LINUX_REBOOT_CMD_POWER_OFF]);
    const user = setup(1000);
    expect(user.call(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF)).toBe(
      -EPERM,
    );
  });

  it('brk moves the break within [start_brk, brk_limit] and otherwise returns the old one', () => {
    const { call, task } = setup();
    expect(call(__NR_brk, 0)).toBe(0); // no mm
    task.mm = { pgd: 0, start_brk: 0x0805_0000, brk: 0x0805_0000, brk_limit: 0x0806_0000 };
    expect(call(__NR_brk, 0) >>> 0).toBe(0x0805_0000);
    expect(call(__NR_brk, 0x0805_1234) >>> 0).toBe(0x0805_1234);
    expect(call(__NR_brk, 0x0807_0000) >>> 0).toBe(0x0805_1234);
    expect(call(__NR_brk, 0x0804_0000) >>> 0).toBe(0x0805_1234);
    expect(call(__NR_brk, 0x0805_0000) >>> 0).toBe(0x0805_0000);
  });

  it('exit marks the task and hands the wait status to the kernel', () => {
    const { call, k, task } = setup();
    const exits: number[] = [];
    k.on_exit = (_t, code) => exits.push(code);
    call(__NR_exit, 0x1ff);
    expect(task.exit_code).toBe(0xff00);
    expect(exits).toEqual([0xff00]);
  });
});
