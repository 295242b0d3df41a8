// reboot(2) of kernel/reboot.c: only a task with CAP_SYS_BOOT, only with the magic numbers, and
// only the known commands; the action itself belongs to the kernel core (SyscallContext.on_reboot).

import { CAP_SYS_BOOT } from './capability.js';
import { EINVAL, EPERM } from './errno.js';
import { SYSCALL_DEFINE4 } from './syscalls.js';

// include/uapi/linux/reboot.h
export const LINUX_REBOOT_MAGIC1 = 0xfee1dead;
export const LINUX_REBOOT_MAGIC2 = 672274793;
export const LINUX_REBOOT_MAGIC2A = 85072278;
export const LINUX_REBOOT_MAGIC2B = 369367448;
export const LINUX_REBOOT_MAGIC2C = 537993216;
export const LINUX_REBOOT_CMD_RESTART = 0x01234567;
export const LINUX_REBOOT_CMD_HALT = 0xcdef0123;
export const LINUX_REBOOT_CMD_CAD_ON = 0x89abcdef;
export const LINUX_REBOOT_CMD_CAD_OFF = 0x00000000;
export const LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;

const COMMANDS = new Set([
  LINUX_REBOOT_CMD_RESTART,
  LINUX_REBOOT_CMD_HALT,
  LINUX_REBOOT_CMD_CAD_ON,
  LINUX_REBOOT_CMD_CAD_OFF,
  LINUX_REBOOT_CMD_POWER_OFF,
]);
const MAGIC2 = new Set([
  LINUX_REBOOT_MAGIC2,
  LINUX_REBOOT_MAGIC2A,
  LINUX_REBOOT_MAGIC2B,
  LINUX_REBOOT_MAGIC2C,
]);

export const sys_reboot = SYSCALL_DEFINE4(
  'reboot',
  'int',
  'magic1',
  'int',
  'magic2',
  'unsigned int',
  'cmd',
  'void __user *',
  'arg',
  (k, magic1, magic2, cmd) => {
    if (!k.capable(CAP_SYS_BOOT)) return -EPERM;
    if (magic1 >>> 0 !== LINUX_REBOOT_MAGIC1 || !MAGIC2.has(magic2 >>> 0)) return -EINVAL;
    if (!COMMANDS.has(cmd)) return -EINVAL;
    k.on_reboot(cmd);
    return 0;
  },
  { strace: { args: ['x', 'x', 'x', 'p'] } },
);
