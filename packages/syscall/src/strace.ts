// A system call trace in strace's format: `write(1, "hi\n", 3) = 3`, `open("/x", ...) = -1 ENOENT
// (No such file or directory)`, `exit_group(0) = ?`. Arguments print by the kinds their
// SYSCALL_DEFINE types imply (strings and buffers quoted and cut at 32 bytes like strace -s 32,
// pointers as NULL or hex); a number with no syscall prints as syscall_0x1f4(...) with six raw
// arguments. Switched per task (task.strace); lines go to the sink the kernel gives the table.

import { errno_name, MAX_ERRNO, strerror } from './errno.js';
import type { StraceArg, StraceRet, SyscallDefinition } from './syscalls.js';
import type { UserAccess } from './uaccess.js';

/** strace's default -s: strings and buffers print at most this many bytes. */
export const STRACE_STRING_LIMIT = 32;

/** Quotes bytes the way strace does: C escapes, octal for other non-printables. */
export function strace_quote(bytes: Uint8Array, truncated: boolean): string {
  let s = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    switch (c) {
      case 0x22:
        s += '\\"';
        break;
      case 0x5c:
        s += '\\\\';
        break;
      case 0x0c:
        s += '\\f';
        break;
      case 0x0a:
        s += '\\n';
        break;
      case 0x0d:
        s += '\\r';
        break;
      case 0x09:
        s += '\\t';
        break;
      case 0x0b:
        s += '\\v';
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          s += String.fromCharCode(c);
        } else {
          const next = i + 1 < bytes.length ? bytes[i + 1] : -1;
          const octal = c.toString(8);
          s += `\\${next >= 0x30 && next <= 0x37 ? octal.padStart(3, '0') : octal}`;
        }
    }
  }
  return truncated ? `${s}"...` : `${s}"`;
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

function pointer(value: number): string {
  return value >>> 0 === 0 ? 'NULL' : hex(value);
}

/** A user C string as strace shows it, or its address when it cannot be read. */
function cString(ua: UserAccess, addr: number): string {
  if (addr >>> 0 === 0) return 'NULL';
  const buf = new Uint8Array(STRACE_STRING_LIMIT + 1);
  const len = ua.strncpy_from_user(buf, addr, STRACE_STRING_LIMIT + 1);
  if (len < 0) return hex(addr);
  if (len > STRACE_STRING_LIMIT) return strace_quote(buf.subarray(0, STRACE_STRING_LIMIT), true);
  return strace_quote(buf.subarray(0, len), false);
}

/** A user buffer of `length` bytes as strace shows it, or its address when it cannot be read. */
function buffer(ua: UserAccess, addr: number, length: number): string {
  const shown = Math.min(length >>> 0, STRACE_STRING_LIMIT);
  const buf = new Uint8Array(shown);
  if (ua.copy_from_user(buf, addr, shown) !== 0) return hex(addr);
  return strace_quote(buf, length >>> 0 > STRACE_STRING_LIMIT);
}

function scalar(kind: StraceArg | StraceRet, value: number): string {
  switch (kind) {
    case 'd':
      return String(value | 0);
    case 'u':
      return String(value >>> 0);
    case 'x':
      return value >>> 0 === 0 ? '0' : hex(value);
    case 'o':
      return value >>> 0 === 0 ? '0' : `0${(value >>> 0).toString(8)}`;
    default:
      return pointer(value);
  }
}

/**
 * The arguments known on entry (strings and input buffers are read before the call runs);
 * output buffers ('B') are left undefined for strace_exit to fill.
 */
export function strace_enter(
  def: SyscallDefinition,
  args: ArrayLike<number>,
  ua: UserAccess,
): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (let i = 0; i < def.nargs; i++) {
    const kind = def.strace.args[i];
    const v = args[i];
    if (kind === 's') out.push(cString(ua, v));
    else if (kind[0] === 'b') out.push(buffer(ua, v, args[Number(kind[1])]));
    else if (kind[0] === 'B') out.push(undefined);
    else out.push(scalar(kind, v));
  }
  return out;
}

/** The result as strace prints it after " = ". `exited`: the call did not return (exit). */
export function strace_return(ret: number, kind: StraceRet, exited = false): string {
  if (exited) return '?';
  ret |= 0;
  if (ret < 0 && ret >= -MAX_ERRNO) {
    const errno = -ret;
    const name = errno_name(errno);
    if (name === undefined) return `-1 ${errno} (${strerror(errno)})`;
    // The restart codes never reach user space; strace shows them with '?'.
    const restart = errno >= 512 && errno <= 516;
    return `${restart ? '?' : '-1'} ${name} (${strerror(errno)})`;
  }
  return scalar(kind, ret);
}

/** The complete line: name(args) = result. */
export function strace_exit(
  def: SyscallDefinition,
  args: ArrayLike<number>,
  entered: (string | undefined)[],
  ret: number,
  ua: UserAccess,
  exited = false,
): string {
  const parts = entered.map((text, i) => {
    if (text !== undefined) return text;
    const v = args[i];
    if ((ret | 0) < 0 || exited) return hex(v);
    return buffer(ua, v, Math.min(ret >>> 0, args[Number(def.strace.args[i][1])] >>> 0));
  });
  return `${def.name}(${parts.join(', ')}) = ${strace_return(ret, def.strace.ret, exited)}`;
}

/** A call to a slot with no handler: the table's name (or syscall_0xNR) and six raw arguments. */
export function strace_unknown(
  nr: number,
  name: string | undefined,
  args: ArrayLike<number>,
  ret: number,
): string {
  const shown: string[] = [];
  for (let i = 0; i < 6; i++) shown.push(scalar('x', args[i]));
  return `${name ?? `syscall_${hex(nr)}`}(${shown.join(', ')}) = ${strace_return(ret, 'd')}`;
}
