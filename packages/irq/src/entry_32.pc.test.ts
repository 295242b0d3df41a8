// The entry path with real guest code on the emulated PC: int 0x80 from ring 0 and ring 3 (stack
// switch through TSS.esp0), an unhandled kernel exception (oops), a ring-3 #GP on the gate port.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import ENTRY_TEST_BIN from './entry_test.bin';
import { IRQ_HANDLED } from './irqdesc.js';
import { irqMachine } from './machine.js';
import {
  PT_CS,
  PT_DS,
  PT_EAX,
  PT_EBX,
  PT_EFLAGS,
  PT_EIP,
  PT_ES,
  PT_FS,
  PT_OLDESP,
  PT_OLDSS,
  PT_ORIG_EAX,
  PT_REGS_KERNEL_SIZE,
  PT_REGS_SIZE,
} from './ptrace.js';
import { collectingPrintk, TestDevice } from './testing.js';
import { add_wait_queue, DECLARE_WAIT_QUEUE_HEAD } from './wait.js';

const PROG = 0x20000;
const RESULT = 0x2f800;
const STACK_TOP = 0x90000;

function hasNasm(): boolean {
  try {
    execFileSync('nasm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function boot() {
  const printk = collectingPrintk();
  const m = irqMachine({ printk, stackTop: STACK_TOP });
  m.pc.memory.writeBytes(PROG, ENTRY_TEST_BIN);
  return { ...m, printk };
}

function jump(m: ReturnType<typeof boot>, eip: number, ebx = 0): void {
  const s = m.pc.cpu.getState();
  s.eip = eip;
  s.ebx = ebx;
  s.esp = STACK_TOP;
  s.halted = false;
  m.pc.cpu.setState(s);
}

describe('entry stubs on the emulated PC', () => {
  it.skipIf(!hasNasm())('entry_test.bin re-assembles from entry_test.asm', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'irq-nasm-')), 'entry_test.bin');
    execFileSync('nasm', ['-f', 'bin', '-o', out, join(__dirname, 'entry_test.asm')]);
    expect(new Uint8Array(readFileSync(out))).toEqual(ENTRY_TEST_BIN);
  });

  it('int 0x80 from ring 0: orig_eax is the number, the handler writes eax, registers survive', () => {
    const m = boot();
    const { pc, irq } = m;
    const seen: number[] = [];
    irq.entry.set_system_trap_gate(0x80, (regs, err, vector) => {
      seen.push(vector, err, pc.memory.read32(regs + PT_ORIG_EAX), pc.memory.read32(regs + PT_EBX));
      seen.push(pc.memory.read32(regs + PT_CS) & 0xffff, regs === STACK_TOP - (PT_REGS_SIZE - 8) ? 1 : 0);
      pc.memory.write32(regs + PT_EAX, pc.memory.read32(regs + PT_ORIG_EAX) * 2);
    });
    jump(m, PROG);
    m.run(() => pc.memory.read32(RESULT) !== 0, 10_000);
    expect(seen).toEqual([0x80, 0, 21, 0x1234, 0x60, 1]);
    expect(pc.memory.read32(RESULT)).toBe(42);
    expect(pc.memory.read32(RESULT + 4)).toBe(0x1234);
  });

  it('int 0x80 from ring 3 switches to TSS.esp0 and pushes the user ss:esp', () => {
    const m = boot();
    const { pc, irq } = m;
    const frames: number[][] = [];
    irq.entry.set_system_trap_gate(0x80, (regs) => {
      const mem = pc.memory;
      frames.push([
        regs,
        mem.read32(regs + PT_CS) & 0xffff,
        mem.read32(regs + PT_OLDSS) & 0xffff,
        mem.read32(regs + PT_OLDESP),
        (mem.read32(regs + PT_EFLAGS) >>> 9) & 1,
      ]);
      mem.write32(regs + PT_EAX, mem.read32(regs + PT_ORIG_EAX) + 100);
    });
    jump(m, PROG + 0x200, PROG + 0x300);
    m.run(() => m.printk.lines.length > 0, 100_000);
    expect(frames).toEqual([
      [STACK_TOP - PT_REGS_SIZE, 0x73, 0x7b, 0x2f000, 1],
      [STACK_TOP - PT_REGS_SIZE, 0x73, 0x7b, 0x2f000, 1],
    ]);
    expect(pc.memory.read32(RESULT + 8)).toBe(107);
    expect(pc.memory.read32(RESULT + 12)).toBe(108);
    // then the user program's `out 0xee, eax`: #GP (no I/O bitmap), reported, not a gate entry
    expect(m.printk.lines).toEqual(['swapper/0[0] general protection ip:2031d sp:2f000 error:0']);
    expect(pc.cpu.cpl).toBe(0); // stopped (onDie) in the kernel, on the exception path
  });

  it('ring 3 `int 0x21` through a DPL-0 gate is #GP with the gate in the error code', () => {
    const m = boot();
    jump(m, PROG + 0x200, PROG + 0x400);
    m.run(() => m.printk.lines.length > 0, 100_000);
    // error code: IDT vector 0x21, IDT bit set: (0x21 << 3) | 2 = 0x10a
    expect(m.printk.lines).toEqual(['swapper/0[0] general protection ip:20400 sp:2f000 error:10a']);
  });

  it('an exception without a handler in the kernel oopses with the register dump and stops', () => {
    const m = boot();
    jump(m, PROG + 0x100);
    const r = m.pc.run(10_000);
    expect(r.reason).toBe('stop');
    const lines = m.printk.lines;
    expect(lines[0]).toBe('invalid opcode: 0000 [#1]');
    expect(lines).toContain('EIP: 0060:[<00020105>] EFLAGS: 00000246 CPU: 0');
    expect(lines.find((l) => l.startsWith('EAX: '))).toMatch(
      /^EAX: deadbeef EBX: 00000000 ECX: 00000000 EDX: [0-9a-f]{8}$/,
    );
    expect(lines).toContain('ESI: 00000000 EDI: 00000000 EBP: 00000000 ESP: 00090000');
    expect(lines).toContain('EIP: [<00020105>] SS:ESP 0068:00090000');
    expect(lines).toContain(` DS: 0068 ES: 0068 FS: 00d8 GS: 0000 SS: 0068`);
    expect(lines.find((l) => l.startsWith('Code: '))).toContain('<0f> 0b');
    expect(lines.at(-1)).toMatch(/^---\[ end trace [0-9a-f]{16} \]---$/);
  });
});

describe('exception handlers and task switches at the gate', () => {
  it('a #GP handler gets vector 13, the error code and orig_eax -1, and can resume the kernel', () => {
    const m = boot();
    const { pc, irq } = m;
    const seen: number[] = [];
    irq.entry.set_trap_gate(13, (regs, error_code, vector) => {
      seen.push(vector, error_code, pc.memory.read32(regs + PT_ORIG_EAX) | 0);
      pc.memory.write32(regs + PT_EIP, pc.memory.read32(regs + PT_EIP) + 2); // skip `mov ds, eax`
    });
    const OTHER_STACK = 0x70000;
    irq.entry.set_system_trap_gate(0x80, () => {
      // A new task: its kernel stack holds a pt_regs frame whose iret lands at other_task.
      const frame = OTHER_STACK - PT_REGS_KERNEL_SIZE;
      const mem = pc.memory;
      for (let off = 0; off < PT_REGS_KERNEL_SIZE; off += 4) mem.write32(frame + off, 0);
      for (const seg of [PT_DS, PT_ES]) mem.write32(frame + seg, 0x68);
      mem.write32(frame + PT_FS, 0xd8);
      mem.write32(frame + PT_EAX, 0x600d);
      mem.write32(frame + PT_EIP, PROG + 0x600);
      mem.write32(frame + PT_CS, 0x60);
      mem.write32(frame + PT_EFLAGS, 0x202);
      pc.cpu.esp = frame; // the context switch: RESTORE_ALL pops this frame
    });
    jump(m, PROG + 0x500);
    m.run(() => pc.memory.read32(RESULT + 20) !== 0, 10_000);
    expect(seen).toEqual([13, 0x108, -1]);
    expect(pc.memory.read32(RESULT + 16)).toBe(1);
    expect(pc.memory.read32(RESULT + 20)).toBe(0x600d);
    expect(pc.memory.read32(RESULT + 24)).toBe(OTHER_STACK);
    expect(m.printk.lines).toEqual([]);
  });
});

describe('a guest process sleeping on a wait queue', () => {
  it('blocks in a system call, the idle task runs, a device interrupt wakes it with its data', () => {
    const m = boot();
    const { pc, irq } = m;
    const mem = pc.memory;
    const PROC_STACK = 0x60000;
    const IDLE_STACK = 0x50000;
    const wq = DECLARE_WAIT_QUEUE_HEAD('read_wait');
    let data = 0;
    let sleeping = 0; // the sleeper's pt_regs (its saved kernel stack pointer)
    let runnable = false;
    const log: string[] = [];

    /** A kernel frame whose iret lands at `eip` with interrupts on. */
    const frameAt = (stackTop: number, eip: number): number => {
      const f = stackTop - PT_REGS_KERNEL_SIZE;
      for (let off = 0; off < PT_REGS_KERNEL_SIZE; off += 4) mem.write32(f + off, 0);
      mem.write32(f + PT_DS, 0x68);
      mem.write32(f + PT_ES, 0x68);
      mem.write32(f + PT_FS, 0xd8);
      mem.write32(f + PT_EIP, eip);
      mem.write32(f + PT_CS, 0x60);
      mem.write32(f + PT_EFLAGS, 0x202);
      return f;
    };

    // int 0x81, "read": return data if there is some, else sleep and switch to the idle task.
    irq.entry.set_system_intr_gate(0x81, (regs) => {
      if (data) {
        mem.write32(regs + PT_EAX, data);
        return;
      }
      log.push('read: no data, sleeping');
      const wait = {
        flags: 0,
        private: null,
        func: () => {
          runnable = true;
          irq.sched.need_resched = true;
          return 1;
        },
      };
      add_wait_queue(wq, wait);
      sleeping = regs;
      pc.cpu.esp = frameAt(IDLE_STACK, irq.entry.default_idle); // schedule() to the idle task
    });
    // The scheduler's preemption point on the way out of the interrupt: switch back to the sleeper.
    const schedule_from_irq = irq.sched.schedule_from_irq.bind(irq.sched);
    irq.sched.schedule_from_irq = () => {
      schedule_from_irq();
      if (!runnable) return;
      runnable = false;
      wq.head.length = 0;
      mem.write32(sleeping + PT_EAX, data); // the read's result
      log.push('switch to the reader');
      pc.cpu.esp = sleeping;
    };
    const dev = new TestDevice(pc, 5, 0x300);
    irq.request_irq(
      5,
      () => {
        dev.ack();
        data = 0x41;
        log.push('irq 5: data arrived, wake_up');
        irq.wake_up(wq);
        return IRQ_HANDLED;
      },
      0,
      'ttyS1',
      dev,
    );

    jump(m, PROG + 0x700);
    pc.cpu.esp = PROC_STACK;
    m.run(() => sleeping !== 0, 10_000);
    m.run(() => pc.cpu.halted, 10_000);
    expect(pc.cpu.esp).toBe(IDLE_STACK); // the idle task is running, the reader sleeps
    expect(mem.read32(RESULT + 28)).toBe(0);
    dev.fire();
    m.run(() => mem.read32(RESULT + 28) !== 0, 10_000);
    expect(log).toEqual(['read: no data, sleeping', 'irq 5: data arrived, wake_up', 'switch to the reader']);
    expect(mem.read32(RESULT + 28)).toBe(0x41);
    expect(mem.read32(RESULT + 32)).toBe(PROC_STACK); // back on the reader's own stack
  });
});

describe('a device interrupt while ring 3 runs', () => {
  it('enters on TSS.esp0 with the user frame, and a woken kernel thread runs before the return', () => {
    const m = boot();
    const { pc, irq } = m;
    const mem = pc.memory;
    const dev = new TestDevice(pc, 5, 0x300);
    const seen: number[] = [];
    const log: string[] = [];
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let ready = false;
    irq.kthread_run(function* () {
      yield* irq.wait_event(wq, () => ready);
      log.push(`${irq.current_comm()} ran, user spins so far: ${mem.read32(RESULT + 36) > 0}`);
    }, 'kworker');
    irq.request_irq(
      5,
      () => {
        const regs = irq.irq_regs;
        seen.push(regs, mem.read32(regs + PT_CS) & 0xffff, mem.read32(regs + PT_OLDSS) & 0xffff);
        dev.ack();
        ready = true;
        irq.wake_up(wq);
        return IRQ_HANDLED;
      },
      0,
      'eth1',
      dev,
    );
    jump(m, PROG + 0x200, PROG + 0x800);
    m.run(() => mem.read32(RESULT + 36) > 100, 100_000);
    expect(pc.cpu.cpl).toBe(3);
    dev.fire();
    m.run(() => log.length === 1, 100_000);
    expect(seen).toEqual([STACK_TOP - PT_REGS_SIZE, 0x73, 0x7b]);
    expect(log).toEqual(['kworker ran, user spins so far: true']);
    const spins = mem.read32(RESULT + 36);
    m.run(() => mem.read32(RESULT + 36) > spins + 100, 100_000);
    expect(pc.cpu.cpl).toBe(3); // back in the user program
  });
});
