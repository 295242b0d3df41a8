// errno values of include/uapi/asm-generic/errno-base.h and errno.h (i386 uses the generic ones).

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const ERANGE = 34;
export const ENOSYS = 38;
/** The largest errno a syscall may return as -errno (include/linux/err.h). */
export const MAX_ERRNO = 4095;

/** IS_ERR_VALUE(x): an unsigned 32-bit value in [-MAX_ERRNO, -1]. */
export function IS_ERR_VALUE(value: number): boolean {
  return value >>> 0 >= -MAX_ERRNO >>> 0;
}
