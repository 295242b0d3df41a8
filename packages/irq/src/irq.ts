// The IRQ layer of one machine, assembled: the entry environment (IDT/GDT/TSS, stubs, gate), the
// 8259A driver, irq_desc[] with request_irq/free_irq, preempt_count and the CPU's IF, softirqs
// and tasklets, timers and jiffies, workqueues, wait queues, and the reports. The kernel-named
// functions are methods with the kernel's argument orders: `k.request_irq(irq, handler, flags,
// name, dev_id)`.

import type { IoBus } from '@k/x86-cpu';
import { type CurrentTask, type EntryCpu, KernelEntry } from './entry_32.js';
import { LATCH, setup_pit_timer } from './i8253.js';
import { I8259A } from './i8259.js';
import { do_IRQ, init_IRQ } from './irq_32.js';
import {
  alloc_desc,
  IRQ_HANDLED,
  IRQF_DISABLED,
  IRQF_IRQPOLL,
  IRQF_NOBALANCING,
  IRQF_TIMER,
  type irq_desc,
  type irq_handler_t,
  NR_IRQS,
} from './irqdesc.js';
import { Kthreads, type Scheduler, TASK_INTERRUPTIBLE, type Task } from './kthread.js';
import {
  disable_irq,
  disable_irq_nosync,
  enable_irq,
  free_irq,
  request_irq,
  request_threaded_irq,
  setup_irq,
} from './manage.js';
import { Preempt } from './preempt.js';
import { KERN_DEFAULT, KERN_EMERG, KERN_ERR, KERN_WARNING, nullPrintk, type Printk } from './printk.js';
import { show_interrupts, show_softirqs } from './proc.js';
import type { GuestMemory } from './ptrace.js';
import { EntropyPool } from './random.js';
import { Softirq, type tasklet_struct } from './softirq.js';
import { HZ, Timers } from './timer.js';
import {
  type WaitContext,
  wait_event,
  wait_event_interruptible,
  type wait_queue_head,
  wake_up,
  wake_up_all,
  wake_up_interruptible,
} from './wait.js';
import { Workqueues } from './workqueue.js';

/** Where /proc/irq/N/ comes from: the kernel core implements these with procfs. */
export interface ProcIrqHooks {
  /** register_irq_proc(irq): /proc/irq/N/ (called once per line, when its first handler arrives). */
  register_irq_proc(irq: number): void;
  /** register_handler_proc(irq, name): /proc/irq/N/<name>/. */
  register_handler_proc(irq: number, name: string): void;
  unregister_handler_proc(irq: number, name: string): void;
}

/** Trace events, as include/trace/events/irq.h names them. */
export type IrqTraceEvent =
  | { event: 'irq_handler_entry'; irq: number; name: string }
  | { event: 'irq_handler_exit'; irq: number; ret: number }
  | { event: 'softirq_entry'; vec: number }
  | { event: 'softirq_exit'; vec: number };

/** The answer to "may this allocation sleep?" (the shape of @k/page-alloc's ExecutionContext). */
export interface ExecutionContext {
  in_atomic(): boolean;
  irqs_disabled(): boolean;
  current_comm(): string;
  current_pid(): number;
}

export interface IrqOptions {
  /** The arch entry environment (tables and stubs already in guest memory). */
  entry: KernelEntry;
  io: IoBus;
  cpu: EntryCpu & { instructionCount?: number };
  printk?: Printk;
  /** The kernel core's scheduler; default: this package's Kthreads. */
  sched?: Scheduler;
  /** kzalloc(size, GFP_KERNEL) for struct irqaction; default: a counter of fake addresses. */
  kzalloc?: (size: number) => number;
  kfree?: (ptr: number) => void;
  proc?: Partial<ProcIrqHooks>;
  /** Who runs in guest code when no TypeScript task does (the kernel core's `current`). */
  current?: CurrentTask;
  HZ?: number;
}

export class Irq {
  readonly entry: KernelEntry;
  readonly memory: GuestMemory;
  readonly io: IoBus;
  readonly cpu: EntryCpu & { instructionCount?: number };
  readonly pic: I8259A;
  readonly preempt: Preempt;
  readonly sched: Scheduler;
  readonly softirq: Softirq;
  readonly timers: Timers;
  readonly workqueues: Workqueues;
  readonly random = new EntropyPool();
  readonly irq_desc: irq_desc[] = [];
  /** vector_irq[vector]: the line behind an IDT vector, or -1. */
  readonly vector_irq = new Int16Array(256).fill(-1);
  printk: Printk;
  /** set_irq_regs(): the pt_regs of the interrupt being handled (0 outside one). */
  irq_regs = 0;
  /** Receives irq/softirq trace events when set (the kernel core's tracer; null: off, free). */
  trace: ((ev: IrqTraceEvent) => void) | null = null;
  /** The "noirqdebug" boot option: skip the unhandled-interrupt detector. */
  noirqdebug = false;
  nmi_count = 0;
  /** Which lines have their /proc/irq/N/ announced. */
  private readonly procAnnounced = new Set<number>();
  private readonly proc: Partial<ProcIrqHooks>;
  private readonly currentTask?: CurrentTask;
  private readonly kzallocFn: (size: number) => number;
  private readonly kfreeFn: (ptr: number) => void;
  private fakeAddr = 0xc1000000;
  /** The answer the page allocator and slab ask for (install as their `context`). */
  readonly context: ExecutionContext;
  readonly wait: WaitContext;

  constructor(opts: IrqOptions) {
    this.entry = opts.entry;
    this.memory = opts.entry.memory;
    this.io = opts.io;
    this.cpu = opts.cpu;
    this.printk = opts.printk ?? opts.entry.printk ?? nullPrintk;
    this.proc = opts.proc ?? {};
    this.currentTask = opts.current;
    this.kzallocFn =
      opts.kzalloc ??
      (() => {
        const a = this.fakeAddr;
        this.fakeAddr += 64;
        return a;
      });
    this.kfreeFn = opts.kfree ?? (() => {});
    this.pic = new I8259A(this.io, (m) => this.printk(m));
    this.preempt = new Preempt(this.cpu);
    const sched = opts.sched ?? new Kthreads();
    this.sched = sched;
    if (sched instanceof Kthreads) {
      sched.enter = () => {
        // process context: preempt_count 0, interrupts enabled
        const saved = this.preempt.count;
        const flags = this.preempt.local_save_flags();
        this.preempt.count = 0;
        this.preempt.local_irq_enable();
        return () => {
          this.preempt.count = saved;
          this.preempt.local_irq_restore(flags);
        };
      };
    }
    this.softirq = new Softirq(this.preempt, sched);
    this.softirq.onTrace = (entry, vec) =>
      this.trace?.(entry ? { event: 'softirq_entry', vec } : { event: 'softirq_exit', vec });
    this.timers = new Timers(this.softirq, sched, opts.HZ ?? HZ);
    this.workqueues = new Workqueues(sched, this.timers);
    for (let i = 0; i < NR_IRQS; i++) this.irq_desc.push(alloc_desc(i));
    this.context = {
      in_atomic: () => this.preempt.in_atomic(),
      irqs_disabled: () => this.preempt.irqs_disabled(),
      current_comm: () => this.current_comm(),
      current_pid: () => this.current_pid(),
    };
    this.wait = { sched, might_sleep: () => this.might_sleep('include/linux/wait.h', 0) };
    this.entry.current = { current_comm: () => this.current_comm(), current_pid: () => this.current_pid() };
    this.entry.in_interrupt = () => this.preempt.in_interrupt();
  }

  /** Builds the entry environment and the IRQ layer over a PC-like machine in one call. */
  static create(opts: Omit<IrqOptions, 'entry'> & { memory: GuestMemory; base: number; esp0?: number }): Irq {
    const entry = new KernelEntry({
      memory: opts.memory,
      io: opts.io,
      cpu: opts.cpu,
      base: opts.base,
      esp0: opts.esp0,
      printk: opts.printk,
    });
    return new Irq({ ...opts, entry });
  }

  // ---- who is running ----
  current_comm(): string {
    return this.sched.current()?.comm ?? this.currentTask?.current_comm() ?? 'swapper/0';
  }
  current_pid(): number {
    return this.sched.current()?.pid ?? this.currentTask?.current_pid() ?? 0;
  }
  /** Install this layer's answer as an allocator's `context` (PageAllocator, kmem caches). */
  install_context(target: { context: unknown }): void {
    target.context = this.context;
  }

  // ---- init ----
  /** init_IRQ(): 8259A init, descriptors, gates 0x20-0x2F to do_IRQ, cascade on IRQ 2; the NMI gate. */
  init_IRQ(): void {
    init_IRQ(this);
    this.entry.set_intr_gate(2, () => this.do_nmi());
  }

  /**
   * do_nmi(): counted in /proc/interrupts' NMI line; with no NMI handlers in this kernel every NMI
   * is unknown_nmi_error(), reported with the reason byte from port 0x61.
   */
  do_nmi(): void {
    this.nmi_count++;
    const reason = this.io.in8(0x61);
    this.printk(
      `${KERN_EMERG}Uhhuh. NMI received for unknown reason ${reason.toString(16).padStart(2, '0')} on CPU 0.\n`,
    );
    this.printk(`${KERN_EMERG}Do you have a strange power saving mode enabled?\n`);
    this.printk(`${KERN_EMERG}Dazed and confused, but trying to continue\n`);
  }

  /** time_init(): PIT channel 0 at HZ, and the timer interrupt on IRQ 0. Returns the divisor. */
  time_init(): number {
    const latch = setup_pit_timer(this.io, this.timers.HZ);
    setup_irq(
      this,
      0,
      this.timer_interrupt,
      IRQF_DISABLED | IRQF_NOBALANCING | IRQF_IRQPOLL | IRQF_TIMER,
      'timer',
    );
    return latch;
  }

  LATCH(): number {
    return LATCH(this.timers.HZ);
  }

  /** timer_interrupt: do_timer(1), update_process_times (run_local_timers). */
  readonly timer_interrupt: irq_handler_t = (_irq) => {
    this.timers.do_timer(1);
    this.timers.run_local_timers();
    return IRQ_HANDLED;
  };

  /** do_IRQ(regs) (the gate handler of vectors 0x20-0x2F). */
  do_IRQ(regs: number): number {
    return do_IRQ(this, regs);
  }

  // ---- manage.c ----
  request_irq(irq: number, handler: irq_handler_t, flags: number, name: string, dev_id: unknown): number {
    return request_irq(this, irq, handler, flags, name, dev_id);
  }
  request_threaded_irq(
    irq: number,
    handler: irq_handler_t | null,
    thread_fn: irq_handler_t | null,
    flags: number,
    name: string,
    dev_id: unknown,
  ): number {
    return request_threaded_irq(this, irq, handler, thread_fn, flags, name, dev_id);
  }
  free_irq(irq: number, dev_id: unknown): string | null {
    return free_irq(this, irq, dev_id);
  }
  disable_irq(irq: number): void {
    disable_irq(this, irq);
  }
  disable_irq_nosync(irq: number): void {
    disable_irq_nosync(this, irq);
  }
  enable_irq(irq: number): void {
    enable_irq(this, irq);
  }

  // ---- context ----
  local_irq_save(): number {
    return this.preempt.local_irq_save();
  }
  local_irq_restore(flags: number): void {
    this.preempt.local_irq_restore(flags);
  }
  local_irq_disable(): void {
    this.preempt.local_irq_disable();
  }
  local_irq_enable(): void {
    this.preempt.local_irq_enable();
  }
  irqs_disabled(): boolean {
    return this.preempt.irqs_disabled();
  }
  in_interrupt(): boolean {
    return this.preempt.in_interrupt();
  }
  in_irq(): boolean {
    return this.preempt.in_irq();
  }
  in_softirq(): boolean {
    return this.preempt.in_softirq();
  }
  in_atomic(): boolean {
    return this.preempt.in_atomic();
  }
  preempt_count(): number {
    return this.preempt.count;
  }
  local_bh_disable(): void {
    this.softirq.local_bh_disable();
  }
  local_bh_enable(): void {
    this.softirq.local_bh_enable();
  }

  /**
   * might_sleep(): in atomic context or with interrupts off, report
   * `BUG: sleeping function called from invalid context` and return false (the sleep is refused).
   */
  might_sleep(file = 'kernel/irq', line = 0): boolean {
    if (!this.preempt.in_atomic() && !this.preempt.irqs_disabled()) return true;
    this.printk(`${KERN_ERR}BUG: sleeping function called from invalid context at ${file}:${line}\n`);
    this.printk(
      `${KERN_ERR}in_atomic(): ${this.preempt.in_atomic() ? 1 : 0}, irqs_disabled(): ${this.preempt.irqs_disabled() ? 1 : 0}, pid: ${this.current_pid()}, name: ${this.current_comm()}\n`,
    );
    this.dump_stack();
    return false;
  }

  // ---- softirq.c ----
  open_softirq(nr: number, action: (nr: number) => void): void {
    this.softirq.open_softirq(nr, action);
  }
  raise_softirq(nr: number): void {
    this.softirq.raise_softirq(nr);
  }
  tasklet_schedule(t: tasklet_struct): void {
    this.softirq.tasklet_schedule(t);
  }
  tasklet_hi_schedule(t: tasklet_struct): void {
    this.softirq.tasklet_hi_schedule(t);
  }

  // ---- wait.h ----
  wait_event(wq: wait_queue_head, condition: () => boolean): Generator<void, void, void> {
    return wait_event(this.wait, wq, condition);
  }
  wait_event_interruptible(wq: wait_queue_head, condition: () => boolean): Generator<void, number, void> {
    return wait_event_interruptible(this.wait, wq, condition);
  }
  wake_up(wq: wait_queue_head): number {
    return wake_up(wq);
  }
  wake_up_all(wq: wait_queue_head): number {
    return wake_up_all(wq);
  }
  wake_up_interruptible(wq: wait_queue_head): number {
    return wake_up_interruptible(wq);
  }
  /** send a signal: mark it pending and wake the task if it sleeps interruptibly (signal_wake_up). */
  send_sig(task: Task): void {
    task.sigpending = true;
    this.sched.wake_up_state(task, TASK_INTERRUPTIBLE);
  }
  kthread_run(fn: () => Generator<void, unknown, void>, name: string): Task {
    return this.sched.kthread_run(fn, name);
  }

  // ---- time ----
  get jiffies(): number {
    return this.timers.jiffies;
  }
  get jiffies_64(): number {
    return this.timers.jiffies_64;
  }
  /** A cycle counter for entropy sampling: the CPU's instruction count. */
  cycles(): number {
    return this.cpu.instructionCount ?? 0;
  }

  // ---- reports ----
  /** /proc/interrupts */
  show_interrupts(): string {
    return show_interrupts({
      irq_desc: this.irq_desc,
      nmi_count: this.nmi_count,
      apic_timer_irqs: 0,
      irq_spurious_count: 0,
      irq_err_count: this.pic.irq_err_count,
    });
  }
  /** /proc/softirqs */
  show_softirqs(): string {
    return show_softirqs(this.softirq.counts);
  }

  // ---- helpers the IRQ core calls ----
  kzalloc(size: number): number {
    return this.kzallocFn(size);
  }
  kfree(ptr: number): void {
    if (ptr) this.kfreeFn(ptr);
  }
  register_irq_proc(irq: number): void {
    if (this.procAnnounced.has(irq)) return;
    this.procAnnounced.add(irq);
    this.proc.register_irq_proc?.(irq);
  }
  register_handler_proc(irq: number, name: string): void {
    this.proc.register_handler_proc?.(irq, name);
  }
  unregister_handler_proc(irq: number, name: string): void {
    this.proc.unregister_handler_proc?.(irq, name);
  }
  /** dump_stack(): the Pid line and an (empty) call trace of the TypeScript kernel. */
  dump_stack(): void {
    this.printk(`${KERN_DEFAULT}Pid: ${this.current_pid()}, comm: ${this.current_comm()} Not tainted\n`);
    this.printk(`${KERN_DEFAULT}Call Trace:\n`);
  }
  /** WARN(1, fmt): the cut-here report. */
  WARN(message: string): void {
    this.printk(`${KERN_WARNING}------------[ cut here ]------------\n`);
    this.printk(`${KERN_WARNING}WARNING: at kernel/irq/manage.c\n`);
    this.printk(`${KERN_WARNING}${message}\n`);
    this.dump_stack();
    this.printk(`${KERN_WARNING}---[ end trace ]---\n`);
  }
}
