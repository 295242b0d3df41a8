import { describe, expect, it } from 'vitest';
import { register_builtin_syscalls } from './common.js';
import { ENOENT, ERESTARTSYS } from './errno.js';
import { strace_quote, strace_return } from './strace.js';
import { SyscallTable } from './syscall_32.js';
import { SYSCALL_DEFINE2, SyscallContext } from './syscalls.js';
import { makeTask, type Task } from './task.js';
import { AddressSpace, PhysicalMemory, USER_RO, USER_RW } from './testing.js';
import { UserAccess } from './uaccess.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function setup() {
  const memory = new PhysicalMemory(4 << 20);
  const as = new AddressSpace(memory, 0x10_0000, 0x20_0000);
  as.populate(0x0804_8000, 2, USER_RW);
  as.populate(0x0804_a000, 1, USER_RO);
  const ua = new UserAccess({ memory, cr3: () => as.pgd });
  const task = makeTask({ pid: 7, comm: 'hello', strace: true });
  const k = new SyscallContext(ua, task);
  const table = new SyscallTable();
  register_builtin_syscalls(table);
  const lines: string[] = [];
  table.strace_output = (line: string, t: Task) => lines.push(`${t.pid} ${line}`);
  const input: Uint8Array[] = [];
  k.console = {
    write: (_fd, b) => b.length,
    read: (_fd, buf) => {
      const next = input.shift() ?? new Uint8Array(0);
      buf.set(next);
      return next.length;
    },
  };
  return { ua, k, table, lines, task, input };
}

describe('strace', () => {
  it('quotes like strace: C escapes, octal, 32-byte limit', () => {
    expect(strace_quote(bytes('hi\n'), false)).toBe('"hi\\n"');
    expect(strace_quote(bytes('a"b\\c\t\x1b[0m\x00'), false)).toBe('"a\\"b\\\\c\\t\\33[0m\\0"');
    expect(strace_quote(bytes('\x017'), false)).toBe('"\\0017"');
    expect(strace_quote(bytes('abc'), true)).toBe('"abc"...');
  });

  it('prints results and errors', () => {
    expect(strace_return(3, 'd')).toBe('3');
    expect(strace_return(-14, 'd')).toBe('-1 EFAULT (Bad address)');
    expect(strace_return(-38, 'd')).toBe('-1 ENOSYS (Function not implemented)');
    expect(strace_return(-ERESTARTSYS, 'd')).toBe('? ERESTARTSYS (To be restarted if SA_RESTART is set)');
    expect(strace_return(0x0805_1000, 'x')).toBe('0x8051000');
    expect(strace_return(0o22, 'o')).toBe('022');
    expect(strace_return(-4000, 'd')).toBe('-1 4000 (Unknown error 4000)');
    expect(strace_return(0, 'd', true)).toBe('?');
  });

  it('traces a task that has strace on, call by call', () => {
    const { ua, k, table, lines, task, input } = setup();
    ua.copy_to_user(0x0804_8000, bytes('hi\n'), 3);
    expect(table.do_syscall_32(k, 4, 1, 0x0804_8000, 3, 0, 0, 0)).toBe(3);
    expect(table.do_syscall_32(k, 4, 1, 0xc000_0000, 3, 0, 0, 0)).toBe(-14);
    expect(table.do_syscall_32(k, 4, 1, 0x0804_aff0, 64, 0, 0, 0)).toBe(16);
    expect(table.do_syscall_32(k, 4, 1, 0x0804_b000, 1, 0, 0, 0)).toBe(-14);
    ua.copy_to_user(0x0804_9000, new Uint8Array(40).fill(0x61), 40);
    expect(table.do_syscall_32(k, 4, 2, 0x0804_9000, 40, 0, 0, 0)).toBe(40);
    input.push(bytes('typed\n'));
    expect(table.do_syscall_32(k, 3, 0, 0x0804_8100, 100, 0, 0, 0)).toBe(6);
    expect(table.do_syscall_32(k, 3, 0, 0x0804_8200, 100, 0, 0, 0)).toBe(0);
    input.push(bytes('x'));
    expect(table.do_syscall_32(k, 3, 0, 0x0804_a000, 100, 0, 0, 0)).toBe(-14);
    expect(input).toEqual([bytes('x')]); // a bad buffer loses no input
    expect(table.do_syscall_32(k, 20, 0, 0, 0, 0, 0, 0)).toBe(7);
    expect(table.do_syscall_32(k, 45, 0, 0, 0, 0, 0, 0)).toBe(0);
    expect(table.do_syscall_32(k, 500, 1, 2, 3, 0, 0, 0xffff_ffff)).toBe(-38);
    expect(table.do_syscall_32(k, 17, 0, 0, 0, 0, 0, 0)).toBe(-38);
    ua.copy_to_user(0x0804_8200, bytes('newname'), 7);
    expect(table.do_syscall_32(k, 74, 0x0804_8200, 7, 0, 0, 0, 0)).toBe(0);
    expect(k.utsname.nodename).toBe('newname');
    expect(table.do_syscall_32(k, 252, 3, 0, 0, 0, 0, 0)).toBe(0);
    expect(task.exit_code).toBe(3 << 8);
    task.strace = false;
    table.do_syscall_32(k, 20, 0, 0, 0, 0, 0, 0);
    expect(lines).toEqual([
      '7 write(1, "hi\\n", 3) = 3',
      '7 write(1, 0xc0000000, 3) = -1 EFAULT (Bad address)',
      '7 write(1, 0x804aff0, 64) = 16',
      '7 write(1, 0x804b000, 1) = -1 EFAULT (Bad address)',
      `7 write(2, "${'a'.repeat(32)}"..., 40) = 40`,
      '7 read(0, "typed\\n", 100) = 6',
      '7 read(0, "", 100) = 0',
      '7 read(0, 0x804a000, 100) = -1 EFAULT (Bad address)',
      '7 getpid() = 7',
      '7 brk(NULL) = 0',
      '7 syscall_0x1f4(0x1, 0x2, 0x3, 0, 0, 0xffffffff) = -1 ENOSYS (Function not implemented)',
      '7 break(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)',
      '7 sethostname("newname", 7) = 0',
      '7 exit_group(3) = ?',
    ]);
  });

  it('prints strings read by the kernel and emits typed events', () => {
    const { ua, k, table, lines } = setup();
    const events: unknown[] = [];
    table.on_trace = (e) => events.push(e);
    const nr = table.append('open_probe');
    table.register(
      SYSCALL_DEFINE2('open_probe', 'const char __user *', 'filename', 'umode_t', 'mode', () => -ENOENT),
    );
    ua.copy_to_user(0x0804_8000, bytes('/etc/passwd\0'), 12);
    ua.copy_to_user(0x0804_8100, new Uint8Array(40).fill(0x62), 40);
    table.do_syscall_32(k, nr, 0x0804_8000, 0o644, 0, 0, 0, 0);
    table.do_syscall_32(k, nr, 0x0804_8100, 0, 0, 0, 0, 0);
    table.do_syscall_32(k, nr, 0, 0, 0, 0, 0, 0);
    table.do_syscall_32(k, nr, 0xdead_0000, 0, 0, 0, 0, 0);
    expect(lines).toEqual([
      '7 open_probe("/etc/passwd", 0644) = -1 ENOENT (No such file or directory)',
      `7 open_probe("${'b'.repeat(32)}"..., 0) = -1 ENOENT (No such file or directory)`,
      '7 open_probe(NULL, 0) = -1 ENOENT (No such file or directory)',
      '7 open_probe(0xdead0000, 0) = -1 ENOENT (No such file or directory)',
    ]);
    expect(events[0]).toEqual({
      pid: 7,
      comm: 'hello',
      nr,
      name: 'open_probe',
      args: [0x0804_8000, 0o644, 0, 0, 0, 0],
      ret: -ENOENT,
    });
  });
});
