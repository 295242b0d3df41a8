// exit(2) and exit_group(2) of kernel/exit.c: the status goes to do_exit() as a wait status
// ((code & 0xff) << 8); the task does not return to user space.

import { SYSCALL_DEFINE1 } from './syscalls.js';

export const sys_exit = SYSCALL_DEFINE1('exit', 'int', 'error_code', (k, code) => {
  k.do_exit((code & 0xff) << 8);
  return 0;
});

/** With one thread per process here, exit_group is exit. */
export const sys_exit_group = SYSCALL_DEFINE1('exit_group', 'int', 'error_code', (k, code) => {
  k.do_exit((code & 0xff) << 8);
  return 0;
});
