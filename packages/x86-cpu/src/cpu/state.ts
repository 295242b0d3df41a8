// The CPU's architectural state as plain data, for save/restore and inspection. Everything here is a
// number, a string or a boolean, so `JSON.stringify(cpu.getState())` round-trips exactly.

import type { FpuState } from './fpu.js';

/** A segment register: the visible selector and its hidden descriptor cache. */
export interface SegmentState {
  selector: number;
  base: number;
  limit: number;
  /** Descriptor bits 40..55: access byte (type, S, DPL, P) in bits 0..7, AVL/D-B/G in bits 12..15. */
  attributes: number;
}

/** A descriptor-table register (GDTR/IDTR: base and limit; LDTR/TR also carry a selector and cache). */
export interface TableState {
  selector: number;
  base: number;
  limit: number;
  attributes: number;
}

export interface CpuState {
  eax: number;
  ecx: number;
  edx: number;
  ebx: number;
  esp: number;
  ebp: number;
  esi: number;
  edi: number;
  eip: number;
  eflags: number;
  es: SegmentState;
  cs: SegmentState;
  ss: SegmentState;
  ds: SegmentState;
  fs: SegmentState;
  gs: SegmentState;
  cr0: number;
  cr2: number;
  cr3: number;
  cr4: number;
  gdtr: TableState;
  idtr: TableState;
  ldtr: TableState;
  tr: TableState;
  cpl: number;
  halted: boolean;
  /** 1 when the next instruction runs with interrupts inhibited (after STI, MOV SS, POP SS). */
  interruptShadow: number;
  nmiPending: boolean;
  nmiMasked: boolean;
  instructionCount: number;
  msr: { sysenterCs: number; sysenterEsp: number; sysenterEip: number; tscOffset: number };
  /** The x87 FPU (absent in states saved before it existed: restored as after RESET). */
  fpu?: FpuState;
}

/** Segment register numbers, in the order the ModR/M `reg` field encodes them. */
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;
export type SegmentRegister = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs';
export const SEGMENT_NAMES: readonly SegmentRegister[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
