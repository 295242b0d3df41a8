import { describe, expect, it } from 'vitest';
import { register_builtin_syscalls } from './common.js';
import { EFAULT, ENOSYS } from './errno.js';
import {
  NR_syscalls,
  parse_syscall_tbl,
  SYSCALL_32_TBL,
  SyscallTable,
  SyscallTableError,
} from './syscall_32.js';
import {
  SYSCALL_DEFINE0,
  SYSCALL_DEFINE2,
  SYSCALL_DEFINE6,
  SyscallContext,
  SyscallDefinitionError,
} from './syscalls.js';
import { makeTask } from './task.js';
import { AddressSpace, PhysicalMemory } from './testing.js';
import { UserAccess } from './uaccess.js';
import * as unistd from './unistd_32.js';

function context() {
  const memory = new PhysicalMemory(4 << 20);
  const as = new AddressSpace(memory, 0x10_0000, 0x20_0000);
  const ua = new UserAccess({ memory, cr3: () => as.pgd });
  return new SyscallContext(ua, makeTask({ pid: 42, comm: 'prog' }));
}

describe('syscall_32.tbl', () => {
  it('has the real i386 numbers', () => {
    const t = new SyscallTable();
    expect(t.nr_of('exit')).toBe(1);
    expect(t.nr_of('write')).toBe(4);
    expect(t.nr_of('getpid')).toBe(20);
    expect(t.nr_of('brk')).toBe(45);
    expect(t.nr_of('sethostname')).toBe(74);
    expect(t.nr_of('reboot')).toBe(88);
    expect(t.nr_of('uname')).toBe(122);
    expect(t.nr_of('mmap2')).toBe(192);
    expect(t.nr_of('exit_group')).toBe(252);
    expect(t.nr_of('clone3')).toBe(435);
    expect(t.nr_of('mseal')).toBe(462);
    expect(NR_syscalls).toBe(470);
    expect(t.name_of(222)).toBeUndefined();
    expect(t.name_of(415)).toBeUndefined();
    expect(t.entry(17)).toEqual({ nr: 17, abi: 'i386', name: 'break', entry: undefined });
    expect(t.entry(122)?.entry).toBe('sys_newuname');
  });

  it('agrees with every __NR_ constant of unistd_32.ts', () => {
    const entries = parse_syscall_tbl(SYSCALL_32_TBL);
    const constants = Object.entries(unistd).filter(([k]) => k.startsWith('__NR_'));
    expect(constants).toHaveLength(entries.length);
    for (const e of entries) expect((unistd as Record<string, number>)[`__NR_${e.name}`]).toBe(e.nr);
  });

  it('rejects malformed and unordered lines', () => {
    expect(() => parse_syscall_tbl('x i386 foo')).toThrow(SyscallTableError);
    expect(() => parse_syscall_tbl('5 i386 a\n4 i386 b')).toThrow(/not above 5/);
    expect(parse_syscall_tbl('# comment\n\n0 i386 a sys_a # trailing')).toEqual([
      { nr: 0, abi: 'i386', name: 'a', entry: 'sys_a' },
    ]);
  });
});

describe('do_syscall_32', () => {
  it('returns -ENOSYS for empty slots, numbers >= NR_syscalls and negative numbers', () => {
    const t = new SyscallTable();
    const k = context();
    for (const nr of [0, 17, 222, 469, 470, 1000, 0xffff_ffff, -1, 0x8000_0000]) {
      expect(t.do_syscall_32(k, nr, 0, 0, 0, 0, 0, 0)).toBe(-ENOSYS);
    }
  });

  it('passes EBX..EBP in order, typed by the definition', () => {
    const t = new SyscallTable();
    const k = context();
    const nr = t.append('probe');
    expect(nr).toBe(470);
    expect(t.NR_syscalls).toBe(471);
    let seen: number[] = [];
    t.register(
      SYSCALL_DEFINE6(
        'probe',
        'int',
        'a',
        'unsigned int',
        'b',
        'long',
        'c',
        'size_t',
        'd',
        'void __user *',
        'e',
        'pid_t',
        'f',
        (_k, a, b, c, d, e, f) => {
          seen = [a, b, c, d, e, f];
          return -EFAULT;
        },
      ),
    );
    expect(t.do_syscall_32(k, 470, 0xffff_ffff, 0xffff_ffff, 0x8000_0000, 0x8000_0000, 0xc000_0000, 7)).toBe(
      -EFAULT,
    );
    expect(seen).toEqual([-1, 0xffff_ffff, -0x8000_0000, 0x8000_0000, 0xc000_0000, 7]);
  });

  it('runs the built-in calls and refuses double registration or unknown names', () => {
    const t = new SyscallTable();
    const k = context();
    register_builtin_syscalls(t);
    expect(t.do_syscall_32(k, 20, 0, 0, 0, 0, 0, 0)).toBe(42);
    expect(t.do_syscall_32(k, 199, 0, 0, 0, 0, 0, 0)).toBe(0);
    expect(() => t.register(SYSCALL_DEFINE0('getpid', () => 0))).toThrow(/already taken/);
    expect(() => t.register(SYSCALL_DEFINE0('no_such_call', () => 0))).toThrow(/append it first/);
    expect(() => t.append('getpid')).toThrow(/already has number 20/);
    t.unregister('getpid');
    expect(t.do_syscall_32(k, 20, 0, 0, 0, 0, 0, 0)).toBe(-ENOSYS);
  });

  it('rejects unknown C types and bad names at definition time', () => {
    expect(() => SYSCALL_DEFINE2('x', 'int', 'a', 'float' as 'int', 'b', () => 0)).toThrow(
      SyscallDefinitionError,
    );
    expect(() => SYSCALL_DEFINE0('Bad-Name', () => 0)).toThrow(/not a C identifier/);
  });
});
