import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { user_cred } from './capability.js';
import CHECKS from './programs/checks.bin';
import FAULTS from './programs/faults.bin';
import HELLO from './programs/hello.bin';
import UNPRIVILEGED from './programs/unprivileged.bin';
import { Ring3Machine, USER_TEXT } from './testing.js';
import { SIGFPE, SIGILL, SIGSEGV } from './traps.js';

const PROGRAMS = join(__dirname, 'programs');

function hasNasm(): boolean {
  try {
    execFileSync('nasm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ring-3 programs', () => {
  it.skipIf(!hasNasm())('re-assemble from their nasm sources to the committed bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syscall-nasm-'));
    const sources = readdirSync(PROGRAMS).filter((f) => f.endsWith('.asm'));
    expect(sources.length).toBeGreaterThanOrEqual(7);
    for (const src of sources) {
      const out = join(dir, src.replace(/\.asm$/, '.bin'));
      execFileSync('nasm', ['-f', 'bin', '-I', `${PROGRAMS}/`, '-o', out, join(PROGRAMS, src)]);
      expect(readFileSync(out), src).toEqual(readFileSync(join(PROGRAMS, src.replace(/\.asm$/, '.bin'))));
    }
  });
});

describe('int 0x80 from ring 3', () => {
  it('installs vector 0x80 as a DPL 3 trap gate; other vectors stay DPL 0', () => {
    const m = new Ring3Machine(HELLO);
    expect(m.entry.idt.gate(0x80)).toMatchObject({ type: 0xf, dpl: 3, present: true, selector: 0x60 });
    expect(m.entry.idt.gate(0x21)).toMatchObject({ dpl: 0 });
    expect(m.entry.idt.gate(13)).toMatchObject({ type: 0xf, dpl: 0 });
    expect(m.entry.idt.gate(14)).toMatchObject({ type: 0xe, dpl: 0 });
  });

  it('runs hello: write, getpid, exit_group, traced', () => {
    const m = new Ring3Machine(HELLO, { pid: 42, comm: 'hello', strace: true });
    const r = m.run(100_000);
    expect(m.log).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.reason).toBe('stop');
    expect(m.text).toBe('hello, world\n');
    expect(m.strace).toEqual(['write(1, "hello, world\\n", 13) = 13', 'getpid() = 42', 'exit_group(0) = ?']);
  });

  it('passes every check of checks.asm: numbers, bad pointers, partial copies, preserved registers', () => {
    const m = new Ring3Machine(CHECKS, { pid: 42, comm: 'checks', input: ['input'], strace: true });
    const r = m.run(1_000_000);
    expect(m.log).toEqual([]);
    expect(r.status, `failed check ${(r.status ?? 0) >> 8}:\n${m.strace.join('\n')}`).toBe(0);
    expect(m.text).toBe('checks: write ok\n\0\0\0\0');
    expect(m.k.utsname.nodename).toBe('k-box');
    expect(m.strace).toContain('syscall_0x1d6(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)');
    expect(m.strace).toContain('write(1, 0xc0000000, 4) = -1 EFAULT (Bad address)');
    expect(m.strace).toContain('read(0, 0x8048000, 16) = -1 EFAULT (Bad address)');
    expect(m.strace).toContain('read(0, "input", 16) = 5');
    expect(m.strace).toContain('uname(0x8054000) = -1 EFAULT (Bad address)');
    expect(m.strace).toContain('sethostname("k-box", 5) = 0');
    expect(m.strace).toContain('brk(NULL) = 0x8060000');
    expect(m.strace.at(-1)).toBe('exit(0) = ?');
  });

  it('refuses privileged calls to a task without capabilities', () => {
    const m = new Ring3Machine(UNPRIVILEGED, { pid: 1000, comm: 'user', cred: user_cred(1000) });
    const reboots: number[] = [];
    m.k.on_reboot = (cmd) => reboots.push(cmd);
    const r = m.run(100_000);
    expect(r.status).toBe(0);
    expect(reboots).toEqual([]);
    expect(m.k.utsname.nodename).toBe('(none)');
  });
});

describe('architectural faults from ring 3', () => {
  const cases: [slot: number, what: string, signal: number, line: string][] = [
    [0, 'int 0x21', SIGSEGV, 'traps: faults[7] general protection fault ip:8048000 sp:bffffff0 error:10a'],
    [1, 'cli', SIGSEGV, 'traps: faults[7] general protection fault ip:8048020 sp:bffffff0 error:0'],
    [2, 'hlt', SIGSEGV, 'traps: faults[7] general protection fault ip:8048040 sp:bffffff0 error:0'],
    [3, 'in', SIGSEGV, 'traps: faults[7] general protection fault ip:8048060 sp:bffffff0 error:0'],
    [4, 'out', SIGSEGV, 'traps: faults[7] general protection fault ip:8048080 sp:bffffff0 error:0'],
    [
      5,
      'kernel read',
      SIGSEGV,
      'faults[7]: segfault at c0000000 ip 080480a0 sp bffffff0 error 5 likely on CPU 0 (core 0, socket 0)',
    ],
    [
      6,
      'read-only write',
      SIGSEGV,
      'faults[7]: segfault at 8054000 ip 080480c0 sp bffffff0 error 7 likely on CPU 0 (core 0, socket 0)',
    ],
    [7, 'ud2', SIGILL, 'traps: faults[7] trap invalid opcode ip:80480e0 sp:bffffff0 error:0'],
    [8, 'div 0', SIGFPE, 'traps: faults[7] trap divide error ip:8048104 sp:bffffff0 error:0'],
    [
      9,
      'unmapped read',
      SIGSEGV,
      'faults[7]: segfault at 8055000 ip 08048120 sp bffffff0 error 4 likely on CPU 0 (core 0, socket 0)',
    ],
  ];
  for (const [slot, what, signal, line] of cases) {
    it(`${what}: the task is killed with signal ${signal}, no host exception`, () => {
      const m = new Ring3Machine(FAULTS, { pid: 7, comm: 'faults' });
      m.start(USER_TEXT + slot * 32);
      const r = m.run(10_000);
      expect(m.log).toEqual([line]);
      expect(r.status).toBe(signal);
      expect(r.reason).toBe('stop');
    });
  }

  it('leaves a fault in kernel mode to the oops, and kills nobody', () => {
    const m = new Ring3Machine(FAULTS, { pid: 7, comm: 'faults' });
    const regs = 0x3_0000; // a frame on the kernel stack page (physical), CS = __KERNEL_CS
    m.memory.write32(regs + 48, 0xc010_1234); // ip
    m.memory.write32(regs + 52, 0x60); // cs
    m.memory.write32(regs + 56, 0x246); // flags
    m.entry.idt.handlers[13]!(0xc000_0000 + regs, 0, 13);
    expect(m.log).toContain('general protection fault: 0000 [#1]');
    expect(m.task.flags & 4).toBe(0);
  });

  it('lets the page-fault path resolve a user fault instead of killing', () => {
    const m = new Ring3Machine(FAULTS, { pid: 7, comm: 'faults' });
    const faults: number[] = [];
    m.k.uaccess.page_fault = (address, code) => {
      faults.push(address, code);
      m.as.populate(address & ~0xfff, 1, 0x7);
      return true;
    };
    m.start(USER_TEXT + 9 * 32);
    const r = m.run(10_000);
    expect(faults).toEqual([0x0805_5000, 4]);
    expect(m.log).toEqual([]);
    expect(r.status).toBe(99 << 8); // the read worked, so the program says "no fault"
  });
});
