// Test support (not part of the public API): two-level page tables built in PhysicalMemory with a
// bump allocator for frames, and Ring3Machine: a CPU with @k/irq's entry path, the int 0x80 gate
// and one user program loaded at 0x08048000, for the ring-3 tests, the fuzz test and the benchmark.

import { KernelEntry, physicalMemory } from '@k/irq';
import { Cpu, IoBus, MemoryBus, PhysicalMemory } from '@k/x86-cpu';
import type { cred } from './capability.js';
import { register_builtin_syscalls, syscall_init } from './common.js';
import START_USER from './programs/start_user.bin';
import { SyscallTable } from './syscall_32.js';
import { SyscallContext } from './syscalls.js';
import { makeTask, type Task } from './task.js';
import { trap_init } from './traps.js';
import { _PAGE_PRESENT, _PAGE_PSE, _PAGE_RW, _PAGE_USER, PAGE_OFFSET, UserAccess } from './uaccess.js';

export { PhysicalMemory };

export const USER_RW = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
export const USER_RO = _PAGE_PRESENT | _PAGE_USER;
export const KERNEL_RW = _PAGE_PRESENT | _PAGE_RW;

/** A page directory and its page tables, with frames taken from [next, limit). */
export class AddressSpace {
  readonly pgd: number;
  constructor(
    readonly memory: PhysicalMemory,
    private next: number,
    private readonly limit: number,
  ) {
    this.pgd = this.alloc();
  }

  /** A zeroed 4 KiB frame. */
  alloc(): number {
    if (this.next + 4096 > this.limit) throw new RangeError('AddressSpace: out of frames');
    const frame = this.next;
    this.next += 4096;
    this.memory.fill(frame, 4096, 0);
    return frame;
  }

  /** Maps one 4 KiB page; the PDE gets USER|RW|PRESENT so the PTE decides. */
  map(va: number, pa: number, flags: number): void {
    const pde = this.table(va);
    this.memory.write32((pde & 0xfffff000) + ((va >>> 12) & 0x3ff) * 4, (pa & 0xfffff000) | flags);
  }

  /** The PDE for `va`, creating its page table when missing. */
  private table(va: number): number {
    const pdeAddr = this.pgd + (va >>> 22) * 4;
    let pde = this.memory.read32(pdeAddr);
    if ((pde & _PAGE_PRESENT) === 0) {
      pde = this.alloc() | USER_RW;
      this.memory.write32(pdeAddr, pde);
    }
    return pde;
  }

  /** Removes a 4 KiB mapping. */
  unmap(va: number): void {
    const pde = this.memory.read32(this.pgd + (va >>> 22) * 4);
    if ((pde & _PAGE_PRESENT) === 0) return;
    this.memory.write32((pde & 0xfffff000) + ((va >>> 12) & 0x3ff) * 4, 0);
  }

  /** Maps a 4 MiB page (PSE). */
  map4m(va: number, pa: number, flags: number): void {
    this.memory.write32(this.pgd + (va >>> 22) * 4, ((pa & 0xffc00000) | flags | _PAGE_PSE) >>> 0);
  }

  /** Allocates and maps `pages` fresh pages from `va`; returns the first frame. */
  populate(va: number, pages: number, flags: number): number {
    for (let i = 0; i < pages; i++) this.table(va + i * 4096);
    let first = -1;
    for (let i = 0; i < pages; i++) {
      const frame = this.alloc();
      if (first < 0) first = frame;
      this.map(va + i * 4096, frame, flags);
    }
    return first;
  }

  /** Maps physical [0, size) at PAGE_OFFSET with supervisor 4 MiB pages (lowmem). */
  mapLowmem(size: number): void {
    for (let pa = 0; pa < size; pa += 0x400000) this.map4m(PAGE_OFFSET + pa, pa, KERNEL_RW);
  }
}

// The user layout of programs/k.inc.
export const USER_TEXT = 0x0804_8000;
export const USER_DATA = 0x0805_0000;
export const USER_RODATA = 0x0805_4000;
export const USER_HOLE = 0x0805_5000;
export const USER_STACK = 0xbfff_fff0;
export const USER_BRK = 0x0806_0000;

// Physical layout of the machine.
const ENTRY_AREA = 0x1_0000;
const START_CODE = 0x2_0000;
const KSTACK_TOP = 0x3_1000;
const FRAMES = 0x10_0000;
const FRAMES_END = 0x40_0000;

export interface Ring3Options {
  /** RAM in bytes (default 16 MiB; lowmem is all of it). */
  ramSize?: number;
  pid?: number;
  comm?: string;
  cred?: cred;
  strace?: boolean;
  /** What read(0, ...) returns, one chunk per call. */
  input?: string[];
  /** Bytes to put in the read-only page (default: "readonly"). */
  rodata?: Uint8Array;
}

export interface Ring3Result {
  reason: string;
  instructions: number;
  /** The task's wait status, or undefined when it did not exit. */
  status: number | undefined;
}

/**
 * A bare 32-bit machine running one user program: paging on (lowmem at PAGE_OFFSET in 4 MiB
 * supervisor pages), @k/irq's GDT/IDT/TSS and entry stubs, the int 0x80 gate with the built-in
 * system calls, and user exceptions turned into kills. The CPU starts in ring 0 at start_user.asm,
 * which loads the descriptor tables and irets to the program.
 */
export class Ring3Machine {
  readonly memory: PhysicalMemory;
  readonly bus: MemoryBus;
  readonly io: IoBus;
  readonly cpu: Cpu;
  readonly entry: KernelEntry;
  readonly as: AddressSpace;
  readonly table: SyscallTable;
  readonly k: SyscallContext;
  readonly task: Task;
  /** Console output (fds 1 and 2), kernel log lines, strace lines. */
  readonly output: number[] = [];
  readonly log: string[] = [];
  readonly strace: string[] = [];
  /** Physical frames of the user's writable pages and the kernel stack (the fuzz test skips them). */
  readonly volatileFrames = new Set<number>();
  private readonly input: string[];

  constructor(program: Uint8Array, options: Ring3Options = {}) {
    const ramSize = options.ramSize ?? 16 << 20;
    this.memory = new PhysicalMemory(ramSize);
    this.bus = new MemoryBus(this.memory);
    this.io = new IoBus();
    this.cpu = new Cpu(this.bus, this.io);
    this.as = new AddressSpace(this.memory, FRAMES, FRAMES_END);
    this.as.mapLowmem(ramSize);
    const printk = (message: string) => {
      const text = message.startsWith('\x01') ? message.slice(2) : message;
      this.log.push(text.endsWith('\n') ? text.slice(0, -1) : text);
    };
    this.entry = new KernelEntry({
      memory: physicalMemory(this.memory, PAGE_OFFSET),
      io: this.io,
      cpu: this.cpu,
      base: PAGE_OFFSET + ENTRY_AREA,
      esp0: PAGE_OFFSET + KSTACK_TOP,
      printk,
    });
    this.task = makeTask({
      pid: options.pid ?? 1,
      comm: options.comm ?? 'init',
      cred: options.cred,
      strace: options.strace ?? false,
      mm: { pgd: this.as.pgd, start_brk: USER_BRK, brk: USER_BRK, brk_limit: USER_BRK + (1 << 20) },
    });
    this.entry.current = { current_comm: () => this.task.comm, current_pid: () => this.task.pid };
    const cpu = this.cpu;
    const ua = new UserAccess({ memory: this.memory, cr3: () => cpu.cr3, pse: () => (cpu.cr4 & 0x10) !== 0 });
    this.k = new SyscallContext(ua, this.task, printk);
    this.input = [...(options.input ?? [])];
    this.k.console = {
      write: (_fd, bytes) => {
        for (const b of bytes) this.output.push(b);
        return bytes.length;
      },
      read: (_fd, buf) => {
        const next = this.input.shift();
        if (next === undefined) return 0;
        const n = Math.min(next.length, buf.length);
        for (let i = 0; i < n; i++) buf[i] = next.charCodeAt(i);
        return n;
      },
    };
    this.k.on_exit = () => cpu.requestStop();
    this.table = new SyscallTable();
    register_builtin_syscalls(this.table);
    this.table.strace_output = (line) => this.strace.push(line);
    syscall_init(this.entry, this.table, this.k);
    trap_init(this.entry, this.k);

    // The user address space of programs/k.inc.
    const text = this.as.populate(USER_TEXT, 4, USER_RO);
    if (program.length > 4 * 4096)
      throw new RangeError(`Ring3Machine: program of ${program.length} bytes is over 16 KiB`);
    this.memory.writeBytes(text, program);
    const data = this.as.populate(USER_DATA, 4, USER_RW);
    const ro = this.as.populate(USER_RODATA, 1, USER_RO);
    this.memory.writeBytes(ro, options.rodata ?? Uint8Array.from('readonly', (c) => c.charCodeAt(0)));
    const stack = this.as.populate(USER_STACK & ~0xfff, 1, USER_RW) - 0;
    this.as.populate((USER_STACK & ~0xfff) - 0x1000, 1, USER_RW);
    for (let i = 0; i < 4; i++) this.volatileFrames.add(data + i * 4096);
    this.volatileFrames.add(stack);
    this.volatileFrames.add(this.memory.read32(this.as.pgd + ((USER_STACK - 0x1000) >>> 22) * 4) & ~0xfff);
    this.volatileFrames.add((KSTACK_TOP - 0x1000) >>> 0);

    this.memory.writeBytes(START_CODE, START_USER);
    this.start(USER_TEXT);
  }

  /** Physical address of user data (for parameters the program reads at USER_DATA). */
  get dataFrame(): number {
    const pde = this.memory.read32(this.as.pgd + (USER_DATA >>> 22) * 4);
    return this.memory.read32((pde & ~0xfff) + ((USER_DATA >>> 12) & 0x3ff) * 4) & ~0xfff;
  }

  /** Puts the CPU in ring 0, paging on, at start_user with the user entry point and stack. */
  start(eip: number): void {
    // A restart loads TR again: mark the TSS descriptor available (type 9), as ltr requires.
    const tssHigh = this.entry.gdt_table - PAGE_OFFSET + 16 * 8 + 4;
    this.memory.write32(tssHigh, this.memory.read32(tssHigh) & ~0x200);
    const s = this.cpu.getState();
    const flat = (selector: number, attributes: number) => ({
      selector,
      base: 0,
      limit: 0xffff_ffff,
      attributes,
    });
    s.cs = flat(0x60, 0xc09b);
    s.ss = flat(0x68, 0xc093);
    s.ds = flat(0x68, 0xc093);
    s.es = flat(0x68, 0xc093);
    s.fs = flat(0x68, 0xc093);
    s.gs = flat(0x68, 0xc093);
    s.cpl = 0;
    s.cr0 = 0x8000_0011;
    s.cr3 = this.as.pgd;
    s.cr4 = 0x10; // PSE
    s.eflags = 0x2;
    s.halted = false;
    s.eip = PAGE_OFFSET + START_CODE;
    s.esp = PAGE_OFFSET + KSTACK_TOP;
    s.eax = this.entry.load_descriptors;
    s.ebx = this.entry.descr;
    s.ecx = eip;
    s.edx = USER_STACK;
    this.cpu.setState(s);
  }

  /** Runs the ring-0 start code up to the program's first instruction (boot-time writes done). */
  enterUser(eip = USER_TEXT): void {
    this.cpu.addBreakpoint(eip);
    this.cpu.run(10_000);
    this.cpu.removeBreakpoint(eip);
    if (this.cpu.cpl !== 3 || this.cpu.eip !== eip) {
      throw new Error(`Ring3Machine: did not reach ring 3 at 0x${eip.toString(16)} (${this.cpu.stopReason})`);
    }
  }

  /** Runs until the task exits, the CPU stops, or `max` instructions. */
  run(max = 50_000_000): Ring3Result {
    const instructions = this.cpu.run(max);
    const exited = (this.task.flags & 0x4) !== 0;
    return { reason: this.cpu.stopReason, instructions, status: exited ? this.task.exit_code : undefined };
  }

  /** Console output as text. */
  get text(): string {
    return String.fromCharCode(...this.output);
  }
}
