// Public API of the CPU: see ../../README.md.
export { MemoryBus, MemoryBusError, type MmioHandlers } from '../bus.js';
export { Cpu, CpuError, type StopReason } from './cpu.js';
export { type DisassembleOptions, type Disassembly, disassemble } from './disassemble.js';
export { CPUID_FEATURES, CPUID_SIGNATURE } from './execute0f.js';
export * as EFLAGS from './flags.js';
export { GROUPS, ONE_BYTE, type OpcodeEntry, TWO_BYTE } from './opcodes.js';
export type { CpuState, SegmentRegister, SegmentState, TableState } from './state.js';
