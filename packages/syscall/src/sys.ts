// The identity and host-name system calls of kernel/sys.c: getpid, getppid, gettid, the uid/gid
// getters (16- and 32-bit slots), uname (sys_newuname), sethostname and setdomainname (which need
// CAP_SYS_ADMIN).

import { CAP_SYS_ADMIN } from './capability.js';
import { EFAULT, EINVAL, EPERM } from './errno.js';
import {
  __NEW_UTS_LEN,
  type new_utsname,
  SYSCALL_DEFINE0,
  SYSCALL_DEFINE1,
  SYSCALL_DEFINE2,
} from './syscalls.js';

/** getpid(): the thread group id (task_tgid_vnr(current)). */
export const sys_getpid = SYSCALL_DEFINE0('getpid', (k) => k.current.tgid);
export const sys_getppid = SYSCALL_DEFINE0('getppid', (k) => k.current.ppid);
export const sys_gettid = SYSCALL_DEFINE0('gettid', (k) => k.current.pid);

// Old 16-bit ids report overflowuid (65534) for ids that do not fit (high2lowuid).
const low = (id: number): number => (id > 0xffff ? 65534 : id);
export const sys_getuid16 = SYSCALL_DEFINE0('getuid', (k) => low(k.current.cred.uid));
export const sys_geteuid16 = SYSCALL_DEFINE0('geteuid', (k) => low(k.current.cred.euid));
export const sys_getgid16 = SYSCALL_DEFINE0('getgid', (k) => low(k.current.cred.gid));
export const sys_getegid16 = SYSCALL_DEFINE0('getegid', (k) => low(k.current.cred.egid));
export const sys_getuid = SYSCALL_DEFINE0('getuid32', (k) => k.current.cred.uid);
export const sys_geteuid = SYSCALL_DEFINE0('geteuid32', (k) => k.current.cred.euid);
export const sys_getgid = SYSCALL_DEFINE0('getgid32', (k) => k.current.cred.gid);
export const sys_getegid = SYSCALL_DEFINE0('getegid32', (k) => k.current.cred.egid);

/** sizeof(struct new_utsname). */
export const NEW_UTSNAME_SIZE = 6 * (__NEW_UTS_LEN + 1);

/** The bytes of struct new_utsname: each field NUL-padded to 65 bytes. */
export function utsname_bytes(u: new_utsname): Uint8Array {
  const out = new Uint8Array(NEW_UTSNAME_SIZE);
  const fields = [u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname];
  fields.forEach((field, i) => {
    for (let j = 0; j < Math.min(field.length, __NEW_UTS_LEN); j++) {
      out[i * (__NEW_UTS_LEN + 1) + j] = field.charCodeAt(j) & 0xff;
    }
  });
  return out;
}

/** uname(2), slot 122: copies struct new_utsname to user memory. */
export const sys_newuname = SYSCALL_DEFINE1('uname', 'struct new_utsname __user *', 'name', (k, name) =>
  k.uaccess.copy_to_user(name, utsname_bytes(k.utsname), NEW_UTSNAME_SIZE) !== 0 ? -EFAULT : 0,
);

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function setname(field: 'nodename' | 'domainname') {
  return SYSCALL_DEFINE2(
    field === 'nodename' ? 'sethostname' : 'setdomainname',
    'char __user *',
    'name',
    'int',
    'len',
    (k, name, len) => {
      if (len < 0 || len > __NEW_UTS_LEN) return -EINVAL;
      if (!k.capable(CAP_SYS_ADMIN)) return -EPERM;
      const tmp = new Uint8Array(len);
      if (k.uaccess.copy_from_user(tmp, name, len) !== 0) return -EFAULT;
      const nul = tmp.indexOf(0);
      k.utsname[field] = latin1(nul < 0 ? tmp : tmp.subarray(0, nul));
      return 0;
    },
    { strace: { args: ['b1', 'd'] } },
  );
}

/** sethostname(name, len): needs CAP_SYS_ADMIN; -EINVAL for len outside 0..64, -EFAULT for bad memory. */
export const sys_sethostname = setname('nodename');
export const sys_setdomainname = setname('domainname');
