// "May this allocation sleep?" The page allocator and slab ask; the IRQ layer answers
// (preempt_count, irqs_disabled). Until one is installed, every caller is in process context.

export interface ExecutionContext {
  /** in_atomic(): inside a hardirq, softirq, or with preemption disabled. */
  in_atomic(): boolean;
  /** irqs_disabled(): the CPU's IF is clear. */
  irqs_disabled(): boolean;
  /** A short name for reports, such as the current task's comm ("swapper/0", "init"). */
  current_comm(): string;
  /** The current task's pid for reports. */
  current_pid(): number;
}

export const processContext: ExecutionContext = {
  in_atomic: () => false,
  irqs_disabled: () => false,
  current_comm: () => 'swapper/0',
  current_pid: () => 0,
};
