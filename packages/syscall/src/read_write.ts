// read(2) and write(2) of fs/read_write.c on the console behind file descriptors 0, 1 and 2 (the
// kernel core replaces these once it has a VFS). As in vfs_read/vfs_write: -EBADF for another fd,
// -EFAULT when the buffer is not a user range or nothing could be copied, otherwise the byte count
// (short when the copy faults part way).

import { EBADF, EFAULT } from './errno.js';
import { SYSCALL_DEFINE3 } from './syscalls.js';

/** MAX_RW_COUNT: the most one read or write moves (INT_MAX rounded down to a page). */
export const MAX_RW_COUNT = 0x7fff_f000;
const CHUNK = 4096;
const isConsole = (fd: number): boolean => fd <= 2;

export const sys_write = SYSCALL_DEFINE3(
  'write',
  'unsigned int',
  'fd',
  'const char __user *',
  'buf',
  'size_t',
  'count',
  (k, fd, buf, count) => {
    if (!isConsole(fd)) return -EBADF;
    if (!k.uaccess.access_ok(buf, count)) return -EFAULT;
    count = Math.min(count, MAX_RW_COUNT);
    const chunk = new Uint8Array(Math.min(count, CHUNK));
    let done = 0;
    while (done < count) {
      const n = Math.min(count - done, CHUNK);
      const left = k.uaccess.copy_from_user(chunk, buf + done, n);
      const got = n - left;
      if (got > 0) {
        const taken = k.console.write(fd, chunk.subarray(0, got));
        done += taken;
        if (taken < got) break;
      }
      if (left !== 0) return done > 0 ? done : -EFAULT;
    }
    return done;
  },
  { strace: { args: ['u', 'b2', 'u'] } },
);

export const sys_read = SYSCALL_DEFINE3(
  'read',
  'unsigned int',
  'fd',
  'char __user *',
  'buf',
  'size_t',
  'count',
  (k, fd, buf, count) => {
    if (!isConsole(fd)) return -EBADF;
    if (!k.uaccess.access_ok(buf, count)) return -EFAULT;
    // Like the tty, take input only as far as the buffer can hold it: a bad buffer loses nothing.
    let n = Math.min(count, CHUNK);
    n -= k.uaccess.fault_in_writeable(buf, n);
    if (n === 0 && count !== 0) return -EFAULT;
    const data = new Uint8Array(n);
    const got = k.console.read(fd, data);
    if (got === 0) return 0;
    const left = k.uaccess.copy_to_user(buf, data, got);
    return left === got ? -EFAULT : got - left;
  },
  { strace: { args: ['u', 'B2', 'u'] } },
);
