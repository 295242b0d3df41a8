// The 386-class CPU: architectural state, the memory path (segmentation, software TLB, paging), the
// exception machinery and the run loop. Instruction semantics live in execute.ts (one-byte opcodes),
// execute0f.ts (0F xx), protected.ts (far transfers, gates, interrupt delivery) and task.ts (task
// switches). Fields are public for those modules; the supported API is the documented members.

import type { MemoryBus } from '../bus.js';
import type { InterruptController } from '../interrupts.js';
import { noInterrupts } from '../interrupts.js';
import type { IoBus } from '../io.js';
import { BlockCache, HOT, type PageBlocks } from './blocks.js';
import { type DisassembleOptions, type Disassembly, disassemble } from './disassemble.js';
import { execute } from './execute.js';
import {
  AC,
  AF,
  ARITH,
  CF,
  DF,
  FIXED_ONE,
  ID,
  IF,
  IOPL,
  NT,
  OF,
  PARITY,
  PF,
  SF,
  TF,
  VM,
  ZF,
} from './flags.js';
import { Fpu, getFpuState, setFpuState } from './fpu.js';
import { deliverInterrupt } from './protected.js';
import {
  type CpuState,
  CS,
  DS,
  ES,
  FS,
  GS,
  SEGMENT_NAMES,
  type SegmentRegister,
  type SegmentState,
  SS,
  type TableState,
} from './state.js';
import { blockMode } from './translate.js';

export type StopReason = 'limit' | 'hlt' | 'triple-fault' | 'breakpoint' | 'stop';

/** Exception vectors (Intel SDM vol. 3 §6.3). */
export const DE = 0;
export const DB = 1;
export const NMI_VECTOR = 2;
export const BP = 3;
export const OFV = 4;
export const BR = 5;
export const UD = 6;
export const NM = 7;
export const DF_VECTOR = 8;
export const TS = 10;
export const NP = 11;
export const SSF = 12;
export const GP = 13;
export const PF_VECTOR = 14;

/** Thrown internally to unwind an instruction that raised an architectural fault; never escapes `run`. */
export class CpuFault {
  vector = 0;
  code = -1;
}
const FAULT = new CpuFault();

/** Bad input to a Cpu method (not guest behaviour): names the field and the value. */
export class CpuError extends RangeError {
  override name = 'CpuError';
}

/** Lazy-flag operation kinds: how CF/OF/AF derive from the remembered operands and result. */
export const L_ADD = 0;
export const L_ADC = 1;
export const L_SUB = 2;
export const L_SBB = 3;
export const L_LOGIC = 4;

const TLB_BITS = 12;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

/** Byte register number (0..7: AL CL DL BL AH CH DH BH) to byte offset in the register file. */
export const BYTE_REG = Uint8Array.of(0, 4, 8, 12, 1, 5, 9, 13);

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** True when a breakpoint lies in the `bytes` bytes of code at linear address `lin`. */
function breakpointWithin(bps: number[], lin: number, bytes: number): boolean {
  for (let i = 0; i < bps.length; i++) if ((bps[i] - lin) >>> 0 < bytes) return true;
  return false;
}

export class Cpu {
  readonly bus: MemoryBus;
  readonly io: IoBus;
  pic: InterruptController;

  // --- register file -------------------------------------------------------------------------
  readonly r32 = new Int32Array(8);
  readonly r16 = new Uint16Array(this.r32.buffer);
  readonly r8 = new Uint8Array(this.r32.buffer);
  /** EIP as a signed 32-bit number (the public `eip` accessor returns it unsigned). */
  ip = 0;
  /** EFLAGS except the lazily evaluated arithmetic flags named in `lazyMask`. */
  fl = FIXED_ONE;
  lazyMask = 0;
  lop = L_LOGIC;
  la = 0;
  lb = 0;
  lr = 0;
  lc = 0;
  /** Sign-bit position of the last lazy operation: 7, 15 or 31. */
  ls = 31;

  // --- segments ------------------------------------------------------------------------------
  readonly segSel = new Uint16Array(6);
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Uint32Array(6);
  readonly segAttr = new Uint16Array(6);
  /** Highest offset a read may touch without the slow check; -1 forces the slow path. */
  readonly segRLim = new Float64Array(6);
  readonly segWLim = new Float64Array(6);
  csBase = 0;
  code32 = false;
  ipMask = 0xffff;
  ssBig = false;
  cpl = 0;

  // --- system registers ----------------------------------------------------------------------
  cr0Reg = 0x60000000;
  cr2Reg = 0;
  cr3Reg = 0;
  cr4Reg = 0;
  gdtBase = 0;
  gdtLimit = 0xffff;
  idtBase = 0;
  idtLimit = 0x3ff;
  ldtSel = 0;
  ldtBase = 0;
  ldtLimit = 0;
  ldtAttr = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0;
  trAttr = 0;
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  tscOffset = 0;
  readonly dr = new Int32Array(8);
  /** The x87 FPU (fpu.ts; instructions in fpu_instructions.ts). */
  readonly fpu = new Fpu();

  // --- decoder state for the current instruction ---------------------------------------------
  o32 = false;
  a32 = false;
  segOv = -1;
  rep = 0;
  lock = false;
  eaSeg = DS;
  eaOff = 0;
  instrStart = 0;

  // --- software TLB --------------------------------------------------------------------------
  readonly tlbFrame: (Uint8Array | null)[] = new Array(TLB_SIZE).fill(null);
  readonly tagRS = new Int32Array(TLB_SIZE).fill(-1);
  readonly tagWS = new Int32Array(TLB_SIZE).fill(-1);
  readonly tagRU = new Int32Array(TLB_SIZE).fill(-1);
  readonly tagWU = new Int32Array(TLB_SIZE).fill(-1);
  tagR = this.tagRS;
  tagW = this.tagWS;
  fetchPage = -1;
  fetchFrame: Uint8Array = new Uint8Array(4096);
  /** Translated blocks of the fetch frame (null when it cannot have any). */
  fetchBlocks: PageBlocks | null = null;

  // --- block translation ---------------------------------------------------------------------
  /**
   * Runs hot code through translated blocks (translate.ts). The machine behaves identically either
   * way; turning it off gives the plain interpreter, for comparison and debugging.
   */
  translateBlocks = true;
  private hotAfter = HOT;

  /** Interpreted executions of an address before its block is translated (1..255; default 32). */
  get translateAfter(): number {
    return this.hotAfter;
  }
  set translateAfter(n: number) {
    if (!Number.isInteger(n) || n < 1 || n > 255) {
      throw new CpuError(`translateAfter must be an integer from 1 to 255, got ${n}`);
    }
    this.hotAfter = n;
  }
  private readonly blockCache = new BlockCache();

  // --- run control ---------------------------------------------------------------------------
  /** Instructions retired since power-on (virtual time derives from it). Writable for idle skips. */
  instructionCount = 0;
  halted = false;
  stopReason: StopReason = 'limit';
  private stopRequested = false;
  /** Set when the loop must leave its fast path (stop request, NMI, shadow, debug). */
  attention = false;
  interruptShadow = 0;
  nmiPending = false;
  nmiMasked = false;
  /** Exception being delivered (for #DF escalation), or -1. */
  delivering = -1;
  tripleFaulted = false;
  onTripleFault: (() => void) | null = null;
  private hook: ((cpu: Cpu) => void) | undefined = undefined;
  private readonly breakpoints = new Set<number>();
  /** The breakpoints as an array, for the fast path's per-block range test. */
  private breakpointList: number[] = [];
  private skipBreakpointOnce = false;
  private breakpointHit = false;

  constructor(bus: MemoryBus, io: IoBus, pic: InterruptController = noInterrupts) {
    this.bus = bus;
    this.io = io;
    this.pic = pic;
    bus.onMapChange(() => this.flushTlb());
    this.reset();
  }

  // ============================================================================================
  // Public API
  // ============================================================================================

  /** Power-on / RESET state (Intel SDM vol. 3 §9.1.1): F000:FFF0 with CS base 0xFFFF0000. */
  reset(): void {
    this.r32.fill(0);
    this.r32[2] = 0x00000633; // EDX: family 6, model 3, stepping 3 (a 386/486-style signature)
    this.ip = 0xfff0;
    this.fl = FIXED_ONE;
    this.lazyMask = 0;
    this.cr0Reg = 0x60000010; // CD, NW and ET (SDM vol. 3 §9.1.1: 60000010H)
    this.fpu.reset();
    this.cr2Reg = 0;
    this.cr3Reg = 0;
    this.cr4Reg = 0;
    this.cpl = 0;
    for (let s = 0; s < 6; s++) this.setSegRaw(s, 0, 0, 0xffff, 0x93);
    this.setSegRaw(CS, 0xf000, 0xffff0000 | 0, 0xffff, 0x9b);
    this.gdtBase = 0;
    this.gdtLimit = 0xffff;
    this.idtBase = 0;
    this.idtLimit = 0x3ff;
    this.ldtSel = this.ldtBase = this.ldtLimit = 0;
    this.ldtAttr = 0x82;
    this.trSel = this.trBase = 0;
    this.trLimit = 0xffff;
    this.trAttr = 0x8b;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    this.halted = false;
    this.interruptShadow = 0;
    this.nmiPending = false;
    this.nmiMasked = false;
    this.delivering = -1;
    this.sysenterCs = this.sysenterEsp = this.sysenterEip = 0;
    this.updateCpl();
    this.flushTlb();
  }

  /**
   * Runs up to `maxInstructions` instructions. Stops early at HLT (with no interrupt to wake it), a
   * triple fault, a breakpoint or `requestStop()`. Returns the number of instructions executed.
   */
  run(maxInstructions: number): number {
    this.stopReason = 'limit';
    this.stopRequested = false;
    this.tripleFaulted = false;
    this.refreshAttention();
    const start = this.instructionCount;
    const end = start + maxInstructions;
    this.skipBreakpointOnce = true;
    while (this.instructionCount < end) {
      if (this.attention || this.halted) {
        if (this.serviceEvents()) break;
        if (this.halted) {
          this.stopReason = 'hlt';
          break;
        }
      }
      try {
        if (this.attention) {
          this.stepChecked();
        } else {
          // The fast path: translated blocks where they exist, else one instruction at a time.
          // INTR is polled between them while interrupts are enabled; blocks never change IF.
          const poll = (this.fl & IF) !== 0;
          const pic = this.pic;
          const bps = this.breakpointList;
          let n = this.instructionCount;
          while (n < end && !this.attention) {
            if (poll && pic.intr()) break;
            if (bps.length !== 0 && this.atBreakpoint()) break;
            if (this.translateBlocks) {
              const ip = this.ip;
              const lin = (this.csBase + ip) | 0;
              const page = this.fetchBlocks;
              if (lin >>> 12 === this.fetchPage && page !== null) {
                const off = lin & 0xfff;
                let b = page.blocks[off];
                if (b === undefined || b.eip !== ip || b.mode !== blockMode(this)) {
                  if (++page.heat[off] >= this.hotAfter) {
                    page.heat[off] = 0;
                    b = page.add(this, off);
                  } else b = undefined;
                }
                if (
                  b !== undefined &&
                  n + b.length <= end &&
                  (bps.length === 0 || !breakpointWithin(bps, lin, b.bytes))
                ) {
                  if (b.run(this, page.words, end)) {
                    n = this.instructionCount;
                    continue;
                  }
                  page.stale(this, off); // its code changed
                }
              }
            }
            this.instrStart = this.ip;
            execute(this);
            n++;
            this.instructionCount = n;
            if (((this.fl & IF) !== 0) !== poll) break;
          }
          if (poll && n < end && !this.attention && this.fl & IF && pic.intr()) this.takeIntr();
        }
      } catch (e) {
        if (e !== FAULT) throw e;
        this.instructionCount++;
        this.handleFault(FAULT.vector, FAULT.code);
      }
      if (this.tripleFaulted) {
        this.stopReason = 'triple-fault';
        break;
      }
    }
    return this.instructionCount - start;
  }

  /** Executes exactly one instruction (or takes one pending interrupt). */
  step(): void {
    this.run(1);
  }

  /** Makes `run` return before the next instruction with stopReason 'stop'. */
  requestStop(): void {
    this.stopRequested = true;
    this.attention = true;
  }

  /** Raises the NMI pin (edge): taken before the next instruction unless an NMI handler is running. */
  nmi(): void {
    this.nmiPending = true;
    this.attention = true;
  }

  /** Instruction hook (trace, single-step); called before each instruction. Zero cost when unset. */
  get onInstruction(): ((cpu: Cpu) => void) | undefined {
    return this.hook;
  }

  set onInstruction(fn: ((cpu: Cpu) => void) | undefined) {
    this.hook = fn ?? undefined;
    this.refreshAttention();
  }

  /** Stops `run` (reason 'breakpoint') before executing the instruction at a linear address. */
  addBreakpoint(linear: number): void {
    this.breakpoints.add(linear >>> 0);
    this.breakpointsChanged();
  }

  removeBreakpoint(linear: number): void {
    this.breakpoints.delete(linear >>> 0);
    this.breakpointsChanged();
  }

  clearBreakpoints(): void {
    this.breakpoints.clear();
    this.breakpointsChanged();
  }

  private breakpointsChanged(): void {
    this.breakpointList = [...this.breakpoints];
    // Leave the fast path (if running) so that it picks up the new list.
    this.attention = true;
  }

  get eax(): number {
    return this.r32[0] >>> 0;
  }
  set eax(v: number) {
    this.r32[0] = v;
  }
  get ecx(): number {
    return this.r32[1] >>> 0;
  }
  set ecx(v: number) {
    this.r32[1] = v;
  }
  get edx(): number {
    return this.r32[2] >>> 0;
  }
  set edx(v: number) {
    this.r32[2] = v;
  }
  get ebx(): number {
    return this.r32[3] >>> 0;
  }
  set ebx(v: number) {
    this.r32[3] = v;
  }
  get esp(): number {
    return this.r32[4] >>> 0;
  }
  set esp(v: number) {
    this.r32[4] = v;
  }
  get ebp(): number {
    return this.r32[5] >>> 0;
  }
  set ebp(v: number) {
    this.r32[5] = v;
  }
  get esi(): number {
    return this.r32[6] >>> 0;
  }
  set esi(v: number) {
    this.r32[6] = v;
  }
  get edi(): number {
    return this.r32[7] >>> 0;
  }
  set edi(v: number) {
    this.r32[7] = v;
  }
  get eip(): number {
    return this.ip >>> 0;
  }
  set eip(v: number) {
    this.ip = v | 0;
  }
  get eflags(): number {
    return this.getFlags() >>> 0;
  }
  set eflags(v: number) {
    this.setFlags(v);
    this.refreshAttention();
  }
  get cr0(): number {
    return this.cr0Reg >>> 0;
  }
  get cr2(): number {
    return this.cr2Reg >>> 0;
  }
  set cr2(v: number) {
    this.cr2Reg = v | 0;
  }
  get cr3(): number {
    return this.cr3Reg >>> 0;
  }
  get cr4(): number {
    return this.cr4Reg >>> 0;
  }
  /** Writes CR0 as MOV CR0 does (mode, paging and cache effects included). */
  set cr0(v: number) {
    this.writeCr0(v);
  }
  set cr3(v: number) {
    this.writeCr3(v);
  }
  set cr4(v: number) {
    this.writeCr4(v);
  }

  /** True in protected mode (CR0.PE). */
  get protectedMode(): boolean {
    return (this.cr0Reg & 1) !== 0;
  }

  /** A segment register's selector and descriptor cache. */
  getSegment(sreg: SegmentRegister | number): SegmentState {
    const s = typeof sreg === 'number' ? sreg : SEGMENT_NAMES.indexOf(sreg);
    if (s < 0 || s > 5) throw new CpuError(`getSegment: sreg must be es/cs/ss/ds/fs/gs or 0..5, got ${sreg}`);
    return {
      selector: this.segSel[s],
      base: this.segBase[s] >>> 0,
      limit: this.segLimit[s],
      attributes: this.segAttr[s],
    };
  }

  /** Loads a segment register's selector and cache directly (host-side setup, no checks). */
  setSegment(sreg: SegmentRegister | number, seg: SegmentState): void {
    const s = typeof sreg === 'number' ? sreg : SEGMENT_NAMES.indexOf(sreg);
    if (s < 0 || s > 5) throw new CpuError(`setSegment: sreg must be es/cs/ss/ds/fs/gs or 0..5, got ${sreg}`);
    this.setSegRaw(s, seg.selector, seg.base, seg.limit, seg.attributes);
    if (s === CS) {
      // In protected mode the CPL is CS.RPL (host code entering ring 3 sets CS to an RPL 3 selector).
      if (this.cr0Reg & 1) this.cpl = seg.selector & 3;
      this.updateCpl();
    }
  }

  getState(): CpuState {
    const tbl = (selector: number, base: number, limit: number, attributes: number): TableState => ({
      selector,
      base: base >>> 0,
      limit: limit >>> 0,
      attributes,
    });
    return {
      eax: this.eax,
      ecx: this.ecx,
      edx: this.edx,
      ebx: this.ebx,
      esp: this.esp,
      ebp: this.ebp,
      esi: this.esi,
      edi: this.edi,
      eip: this.eip,
      eflags: this.eflags,
      es: this.getSegment(ES),
      cs: this.getSegment(CS),
      ss: this.getSegment(SS),
      ds: this.getSegment(DS),
      fs: this.getSegment(FS),
      gs: this.getSegment(GS),
      cr0: this.cr0,
      cr2: this.cr2,
      cr3: this.cr3,
      cr4: this.cr4,
      gdtr: tbl(0, this.gdtBase, this.gdtLimit, 0),
      idtr: tbl(0, this.idtBase, this.idtLimit, 0),
      ldtr: tbl(this.ldtSel, this.ldtBase, this.ldtLimit, this.ldtAttr),
      tr: tbl(this.trSel, this.trBase, this.trLimit, this.trAttr),
      cpl: this.cpl,
      halted: this.halted,
      interruptShadow: this.interruptShadow,
      nmiPending: this.nmiPending,
      nmiMasked: this.nmiMasked,
      instructionCount: this.instructionCount,
      msr: {
        sysenterCs: this.sysenterCs >>> 0,
        sysenterEsp: this.sysenterEsp >>> 0,
        sysenterEip: this.sysenterEip >>> 0,
        tscOffset: this.tscOffset,
      },
      fpu: getFpuState(this.fpu),
    };
  }

  setState(s: CpuState): void {
    const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
    for (let i = 0; i < 8; i++) {
      const v = s[names[i]];
      if (typeof v !== 'number') throw new CpuError(`setState: ${names[i]} must be a number, got ${v}`);
      this.r32[i] = v;
    }
    this.ip = s.eip | 0;
    this.cr0Reg = s.cr0 | 0;
    this.cr2Reg = s.cr2 | 0;
    this.cr3Reg = s.cr3 | 0;
    this.cr4Reg = s.cr4 | 0;
    this.gdtBase = s.gdtr.base | 0;
    this.gdtLimit = s.gdtr.limit;
    this.idtBase = s.idtr.base | 0;
    this.idtLimit = s.idtr.limit;
    this.ldtSel = s.ldtr.selector;
    this.ldtBase = s.ldtr.base | 0;
    this.ldtLimit = s.ldtr.limit >>> 0;
    this.ldtAttr = s.ldtr.attributes;
    this.trSel = s.tr.selector;
    this.trBase = s.tr.base | 0;
    this.trLimit = s.tr.limit >>> 0;
    this.trAttr = s.tr.attributes;
    for (let i = 0; i < 6; i++) {
      const seg = s[SEGMENT_NAMES[i]];
      this.setSegRaw(i, seg.selector, seg.base, seg.limit, seg.attributes);
    }
    this.cpl = s.cpl & 3;
    this.setFlags(s.eflags);
    this.fl = (this.fl & ~VM) | (s.eflags & VM);
    this.halted = s.halted;
    this.interruptShadow = s.interruptShadow;
    this.nmiPending = s.nmiPending;
    this.nmiMasked = s.nmiMasked;
    this.instructionCount = s.instructionCount;
    this.sysenterCs = s.msr.sysenterCs | 0;
    this.sysenterEsp = s.msr.sysenterEsp | 0;
    this.sysenterEip = s.msr.sysenterEip | 0;
    this.tscOffset = s.msr.tscOffset;
    if (s.fpu) setFpuState(this.fpu, s.fpu);
    else this.fpu.reset();
    this.selectTags();
    this.recomputeAllLimits();
    this.flushTlb();
    this.refreshAttention();
  }

  /**
   * Translates a linear address through the current paging mode without side effects: the physical
   * address, or -1 when the access would fault.
   */
  translate(linear: number, write: boolean, user: boolean): number {
    return this.walk(linear | 0, write, user, true);
  }

  readLinear8(linear: number): number {
    return this.bus.read8(this.hostTranslate(linear, false));
  }
  readLinear16(linear: number): number {
    return this.readLinear8(linear) | (this.readLinear8(linear + 1) << 8);
  }
  readLinear32(linear: number): number {
    return (this.readLinear16(linear) | (this.readLinear16(linear + 2) << 16)) >>> 0;
  }
  writeLinear8(linear: number, value: number): void {
    this.bus.write8(this.hostTranslate(linear, true), value);
  }
  writeLinear16(linear: number, value: number): void {
    this.writeLinear8(linear, value);
    this.writeLinear8(linear + 1, value >>> 8);
  }
  writeLinear32(linear: number, value: number): void {
    this.writeLinear16(linear, value);
    this.writeLinear16(linear + 2, value >>> 16);
  }

  /** Disassembles one instruction (Intel syntax) from `bytes` at `offset`. */
  disassemble(
    bytes: Uint8Array,
    offset = 0,
    options: DisassembleOptions = { bits: this.code32 ? 32 : 16 },
  ): Disassembly {
    return disassemble(bytes, offset, options);
  }

  // ============================================================================================
  // Run-loop internals
  // ============================================================================================

  refreshAttention(): void {
    this.attention =
      this.stopRequested ||
      this.nmiPending ||
      this.interruptShadow !== 0 ||
      this.hook !== undefined ||
      (this.fl & TF) !== 0;
  }

  /** Handles stop requests and pending NMI/INTR before an instruction; true when run must return. */
  private serviceEvents(): boolean {
    if (this.stopRequested) {
      this.stopRequested = false;
      this.stopReason = this.breakpointHit ? 'breakpoint' : 'stop';
      this.breakpointHit = false;
      this.refreshAttention();
      return true;
    }
    if (this.interruptShadow === 0) {
      if (this.nmiPending && !this.nmiMasked) {
        this.nmiPending = false;
        this.nmiMasked = true;
        this.halted = false;
        this.refreshAttention();
        this.instructionCount++;
        this.runDelivery(NMI_VECTOR, -1, 'hw');
        return this.tripleFaulted;
      }
      if (this.fl & IF && this.pic.intr()) {
        this.instructionCount++;
        this.takeIntr();
        return this.tripleFaulted;
      }
    }
    return false;
  }

  private takeIntr(): void {
    this.halted = false;
    const vector = this.pic.acknowledge() & 0xff;
    this.runDelivery(vector, -1, 'hw');
  }

  private runDelivery(vector: number, code: number, kind: 'hw' | 'exc'): void {
    this.instrStart = this.ip;
    try {
      if (kind === 'hw') {
        this.delivering = -2;
        deliverInterrupt(this, vector, code, false, true);
        this.delivering = -1;
      } else this.handleFault(vector, code);
    } catch (e) {
      if (e !== FAULT) throw e;
      this.delivering = -1;
      this.handleFault(FAULT.vector, FAULT.code);
    }
  }

  /**
   * The fast path's breakpoint test before an instruction: true (and a stop requested) when the
   * instruction at CS:EIP is a breakpoint, except for the first instruction of a `run`, which
   * resumes from the breakpoint it stopped at.
   */
  private atBreakpoint(): boolean {
    if (this.skipBreakpointOnce) {
      this.skipBreakpointOnce = false;
      return false;
    }
    if (!this.breakpoints.has((this.csBase + this.ip) >>> 0)) return false;
    this.breakpointHit = true;
    this.stopRequested = true;
    this.attention = true;
    return true;
  }

  /** One instruction on the slow path: hook, breakpoints, interrupt shadow, single-step trap. */
  private stepChecked(): void {
    if (this.breakpoints.size !== 0) {
      const lin = (this.csBase + this.ip) >>> 0;
      if (!this.skipBreakpointOnce && this.breakpoints.has(lin)) {
        this.breakpointHit = true;
        this.stopRequested = true;
        return;
      }
    }
    this.skipBreakpointOnce = false;
    if (this.hook) this.hook(this);
    const shadow = this.interruptShadow;
    const trap = (this.fl & TF) !== 0;
    this.instrStart = this.ip;
    execute(this);
    this.instructionCount++;
    // The shadow covers exactly one instruction; a new STI/MOV SS inside it does not extend it.
    if (shadow) this.interruptShadow = 0;
    if (trap && !this.halted) {
      this.dr[6] |= 0x4000;
      this.runDelivery(DB, -1, 'hw');
    }
    this.refreshAttention();
  }

  /** Starts the one-instruction interrupt shadow of STI / MOV SS / POP SS. */
  setShadow(): void {
    this.interruptShadow = 1;
    this.attention = true;
  }

  /** Raises an architectural fault: unwinds the current instruction. `code` -1 means none. */
  fault(vector: number, code = -1): never {
    FAULT.vector = vector;
    FAULT.code = code;
    throw FAULT;
  }

  /** Delivers a fault, escalating to #DF and to a triple fault as the manual's table says. */
  handleFault(vector: number, code: number): void {
    const prev = this.delivering;
    this.resetDecoder();
    this.ip = this.instrStart;
    if (prev !== -1) {
      const contributory = (v: number) => v === 0 || (v >= 10 && v <= 13);
      if (prev === DF_VECTOR) {
        this.tripleFault();
        return;
      }
      if (
        (contributory(prev) && contributory(vector)) ||
        (prev === PF_VECTOR && (vector === PF_VECTOR || contributory(vector)))
      ) {
        vector = DF_VECTOR;
        code = 0;
      }
    }
    this.delivering = vector;
    try {
      deliverInterrupt(this, vector, code, false, false);
      this.delivering = -1;
    } catch (e) {
      if (e !== FAULT) throw e;
      this.handleFault(FAULT.vector, FAULT.code);
    }
  }

  tripleFault(): void {
    this.delivering = -1;
    this.tripleFaulted = true;
    const cb = this.onTripleFault;
    this.reset();
    this.instructionCount += 0;
    if (cb) cb();
  }

  // ============================================================================================
  // Flags
  // ============================================================================================

  getCF(): number {
    if (!(this.lazyMask & CF)) return this.fl & CF;
    if (this.ls === 31) {
      const lop = this.lop;
      if (lop === L_SUB) return this.la >>> 0 < this.lb >>> 0 ? 1 : 0;
      if (lop === L_ADD) return this.lr >>> 0 < this.la >>> 0 ? 1 : 0;
    }
    const sz = this.ls === 31 ? 0xffffffff : (2 << this.ls) - 1;
    const a = (this.la & sz) >>> 0;
    const b = (this.lb & sz) >>> 0;
    const r = (this.lr & sz) >>> 0;
    switch (this.lop) {
      case L_ADD:
        return r < a ? 1 : 0;
      case L_ADC:
        return r < a || (this.lc && r === a) ? 1 : 0;
      case L_SUB:
        return a < b ? 1 : 0;
      case L_SBB:
        return a < b || (this.lc && a === b) ? 1 : 0;
      default:
        return 0;
    }
  }

  getOF(): number {
    if (!(this.lazyMask & OF)) return (this.fl >> 11) & 1;
    const s = this.ls;
    switch (this.lop) {
      case L_ADD:
      case L_ADC:
        return (((this.la ^ this.lr) & (this.lb ^ this.lr)) >>> s) & 1;
      case L_SUB:
      case L_SBB:
        return (((this.la ^ this.lb) & (this.la ^ this.lr)) >>> s) & 1;
      default:
        return 0;
    }
  }

  getZF(): number {
    if (!(this.lazyMask & ZF)) return (this.fl >> 6) & 1;
    return (this.ls === 31 ? this.lr : this.lr & ((2 << this.ls) - 1)) === 0 ? 1 : 0;
  }

  getSF(): number {
    if (!(this.lazyMask & SF)) return (this.fl >> 7) & 1;
    return (this.lr >>> this.ls) & 1;
  }

  getPF(): number {
    if (!(this.lazyMask & PF)) return (this.fl >> 2) & 1;
    return PARITY[this.lr & 0xff] ? 1 : 0;
  }

  getAF(): number {
    if (!(this.lazyMask & AF)) return (this.fl >> 4) & 1;
    if (this.lop === L_LOGIC) return 0;
    return ((this.la ^ this.lb ^ this.lr) >> 4) & 1;
  }

  /** Materialises EFLAGS. */
  getFlags(): number {
    const m = this.lazyMask;
    if (m === 0) return this.fl;
    let f = this.fl & ~m;
    if (m & CF) f |= this.getCF();
    if (m & PF) f |= this.getPF() << 2;
    if (m & AF) f |= this.getAF() << 4;
    if (m & ZF) f |= this.getZF() << 6;
    if (m & SF) f |= this.getSF() << 7;
    if (m & OF) f |= this.getOF() << 11;
    this.fl = f;
    this.lazyMask = 0;
    return f;
  }

  /** Replaces EFLAGS (all writable bits; callers apply privilege rules first). */
  setFlags(v: number): void {
    const old = this.fl;
    // VM is kept: only IRET from CPL 0, interrupt delivery and task switches change it.
    this.fl = (v & (ARITH | TF | IF | DF | IOPL | NT | AC | ID)) | FIXED_ONE | (old & VM);
    this.lazyMask = 0;
    if ((old ^ this.fl) & TF) this.refreshAttention();
  }

  /** Sets one flag bit (materialising it first if it was lazy). */
  setFlag(bit: number, on: boolean | number): void {
    if (this.lazyMask & bit) this.getFlags();
    if (on) this.fl |= bit;
    else this.fl &= ~bit;
  }

  /** Evaluates condition code 0..15 (the low nibble of Jcc/SETcc/CMOVcc). */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0:
        r = this.getOF() !== 0;
        break;
      case 1:
        r = this.getCF() !== 0;
        break;
      case 2:
        r = this.getZF() !== 0;
        break;
      case 3:
        r = this.getCF() !== 0 || this.getZF() !== 0;
        break;
      case 4:
        r = this.getSF() !== 0;
        break;
      case 5:
        r = this.getPF() !== 0;
        break;
      case 6:
        r = this.getSF() !== this.getOF();
        break;
      default:
        r = this.getZF() !== 0 || this.getSF() !== this.getOF();
        break;
    }
    return (cc & 1) === 0 ? r : !r;
  }

  // ============================================================================================
  // Segments
  // ============================================================================================

  /** Loads a segment register's cache without checks and derives the fast-path limits. */
  setSegRaw(s: number, sel: number, base: number, limit: number, attr: number): void {
    this.segSel[s] = sel & 0xffff;
    this.segBase[s] = base | 0;
    this.segLimit[s] = limit >>> 0;
    this.segAttr[s] = attr & 0xffff;
    this.recomputeLimit(s);
    if (s === CS) {
      this.csBase = base | 0;
      this.code32 = (attr & 0x4000) !== 0 && (this.cr0Reg & 1) !== 0;
      this.ipMask = this.code32 ? -1 : 0xffff;
      this.fetchPage = -1;
      this.o32 = this.a32 = this.code32;
    } else if (s === SS) {
      this.ssBig = (attr & 0x4000) !== 0 && (this.cr0Reg & 1) !== 0;
    }
  }

  recomputeLimit(s: number): void {
    const attr = this.segAttr[s];
    const limit = this.segLimit[s];
    if (!(this.cr0Reg & 1)) {
      // Real mode: every segment is readable and writable up to its cached limit.
      this.segRLim[s] = limit;
      this.segWLim[s] = limit;
      return;
    }
    if (!(attr & 0x80) || !(attr & 0x10)) {
      // Null (unusable) or system descriptor: every access takes the slow path and faults.
      this.segRLim[s] = -1;
      this.segWLim[s] = -1;
      return;
    }
    if (attr & 8) {
      this.segRLim[s] = attr & 2 ? limit : -1;
      this.segWLim[s] = -1;
    } else if (attr & 4) {
      this.segRLim[s] = -1;
      this.segWLim[s] = -1;
    } else {
      this.segRLim[s] = limit;
      this.segWLim[s] = attr & 2 ? limit : -1;
    }
  }

  recomputeAllLimits(): void {
    for (let s = 0; s < 6; s++) this.recomputeLimit(s);
    const csAttr = this.segAttr[CS];
    this.code32 = (csAttr & 0x4000) !== 0 && (this.cr0Reg & 1) !== 0;
    this.ipMask = this.code32 ? -1 : 0xffff;
    this.ssBig = (this.segAttr[SS] & 0x4000) !== 0 && (this.cr0Reg & 1) !== 0;
    this.fetchPage = -1;
    this.resetDecoder();
  }

  /** Returns the prefix state to the code segment's defaults (after a prefixed instruction or a fault). */
  resetDecoder(): void {
    this.o32 = this.a32 = this.code32;
    this.segOv = -1;
    this.rep = 0;
  }

  updateCpl(): void {
    if (!(this.cr0Reg & 1)) this.cpl = 0;
    this.selectTags();
  }

  selectTags(): void {
    const user = this.cpl === 3;
    this.tagR = user ? this.tagRU : this.tagRS;
    this.tagW = user ? this.tagWU : this.tagWS;
    this.fetchPage = -1;
  }

  /** The slow segment check: expand-down data, null selectors, type violations, limit faults. */
  segCheckSlow(s: number, off: number, len: number, write: boolean): void {
    const attr = this.segAttr[s];
    // Real mode reports every limit violation, stack ones included, as #GP (as the 286 recordings show).
    const vec = s === SS && this.cr0Reg & 1 ? SSF : GP;
    if (this.cr0Reg & 1) {
      if (!(attr & 0x80) || !(attr & 0x10)) this.fault(vec, 0);
      if (write && (attr & 8 || !(attr & 2))) this.fault(vec, 0);
      if (!write && attr & 8 && !(attr & 2)) this.fault(vec, 0);
      if (!(attr & 8) && attr & 4) {
        const upper = attr & 0x4000 ? 0xffffffff : 0xffff;
        if (off <= this.segLimit[s] || off + len - 1 > upper) this.fault(vec, 0);
        return;
      }
    }
    if (off + len - 1 > this.segLimit[s]) this.fault(vec, 0);
  }

  /** Segment:offset to linear for a read of `len` bytes, with the limit check. */
  linR(s: number, off: number, len: number): number {
    const o = off >>> 0;
    if (o + len - 1 > this.segRLim[s]) this.segCheckSlow(s, o, len, false);
    return (this.segBase[s] + o) | 0;
  }

  linW(s: number, off: number, len: number): number {
    const o = off >>> 0;
    if (o + len - 1 > this.segWLim[s]) this.segCheckSlow(s, o, len, true);
    return (this.segBase[s] + o) | 0;
  }

  /** The effective address `n` bytes past the decoded one, wrapped to the address size. */
  eaNext(n: number): number {
    return this.a32 ? (this.eaOff + n) | 0 : (this.eaOff + n) & 0xffff;
  }

  // ============================================================================================
  // Memory: segment-relative accessors used by instructions
  // ============================================================================================

  rd8(s: number, off: number): number {
    return this.lin8(this.linR(s, off, 1));
  }
  rd16(s: number, off: number): number {
    return this.lin16(this.linR(s, off, 2));
  }
  rd32(s: number, off: number): number {
    return this.lin32(this.linR(s, off, 4));
  }
  wr8(s: number, off: number, v: number): void {
    this.linW8(this.linW(s, off, 1), v);
  }
  wr16(s: number, off: number, v: number): void {
    this.linW16(this.linW(s, off, 2), v);
  }
  wr32(s: number, off: number, v: number): void {
    this.linW32(this.linW(s, off, 4), v);
  }

  // ============================================================================================
  // Memory: linear accessors through the software TLB (current privilege)
  // ============================================================================================

  lin8(lin: number): number {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    if (this.tagR[i] === page) return this.tlbFrame[i]![lin & 0xfff];
    return this.slowRead8(lin, this.cpl === 3);
  }

  lin16(lin: number): number {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagR[i] === page && o !== 0xfff) {
      const f = this.tlbFrame[i]!;
      return f[o] | (f[o + 1] << 8);
    }
    return this.lin8(lin) | (this.lin8(lin + 1) << 8);
  }

  lin32(lin: number): number {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagR[i] === page && o <= 0xffc) {
      const f = this.tlbFrame[i]!;
      return f[o] | (f[o + 1] << 8) | (f[o + 2] << 16) | (f[o + 3] << 24);
    }
    if (o > 0xffc) {
      // Split across pages: check both pages before combining (either may fault).
      const lo = this.lin16(lin) | (this.lin8(lin + 2) << 16);
      return lo | (this.lin8(lin + 3) << 24);
    }
    return (
      this.lin8(lin) | (this.lin8(lin + 1) << 8) | (this.lin8(lin + 2) << 16) | (this.lin8(lin + 3) << 24)
    );
  }

  linW8(lin: number, v: number): void {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    if (this.tagW[i] === page) {
      this.tlbFrame[i]![lin & 0xfff] = v;
      return;
    }
    this.slowWrite8(lin, v, this.cpl === 3);
  }

  linW16(lin: number, v: number): void {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagW[i] === page && o !== 0xfff) {
      const f = this.tlbFrame[i]!;
      f[o] = v;
      f[o + 1] = v >> 8;
      return;
    }
    if (o === 0xfff) this.probeSplitWrite(lin);
    this.linW8(lin, v);
    this.linW8(lin + 1, v >> 8);
  }

  linW32(lin: number, v: number): void {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagW[i] === page && o <= 0xffc) {
      const f = this.tlbFrame[i]!;
      f[o] = v;
      f[o + 1] = v >> 8;
      f[o + 2] = v >> 16;
      f[o + 3] = v >> 24;
      return;
    }
    if (o > 0xffc) this.probeSplitWrite(lin);
    this.linW8(lin, v);
    this.linW8(lin + 1, v >> 8);
    this.linW8(lin + 2, v >> 16);
    this.linW8(lin + 3, v >> 24);
  }

  /**
   * The write checks of a read-modify-write, made before its read: the segment's (limit, writable)
   * and then each page's write permission. An RMW instruction that cannot write faults before it
   * changes anything, flags included, as on hardware (a #PF on a copy-on-write page must leave CF
   * for the restarted ADC as it was).
   */
  checkWrite(s: number, off: number, len: number): void {
    const lin = this.linW(s, off, len);
    const page = lin >>> 12;
    const o = lin & 0xfff;
    if (o > 0x1000 - len) this.probeSplitWrite(lin);
    else if (this.tagW[page & TLB_MASK] !== page) this.probeWrite(lin, this.cpl === 3);
  }

  /**
   * A write that crosses into the next page: checks both pages before either part is written, so a
   * fault on the second leaves memory unchanged. CR2 then holds the first byte of that page (SDM
   * vol. 3 §4.7).
   */
  private probeSplitWrite(lin: number): void {
    const user = this.cpl === 3;
    this.probeWrite(lin, user);
    this.probeWrite(((lin & ~0xfff) + 0x1000) | 0, user);
  }

  /** Checks (through the page walk) that a write at `lin` would succeed; raises #PF if not. */
  probeWrite(lin: number, user: boolean): void {
    this.walk(lin, true, user, false);
  }

  /** Reads a byte at a linear address with supervisor privilege (descriptor tables, TSS, IDT). */
  // These use the supervisor tags of the software TLB (filled only by a walk that set the A bit, and
  // for writes the D bit), so a table read within one page costs one tag compare.
  sysRead8(lin: number): number {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    if (this.tagRS[i] === page) return this.tlbFrame[i]![lin & 0xfff];
    return this.slowRead8(lin, false);
  }
  sysRead16(lin: number): number {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagRS[i] === page && o !== 0xfff) {
      const f = this.tlbFrame[i]!;
      return f[o] | (f[o + 1] << 8);
    }
    return this.sysRead8(lin) | (this.sysRead8(lin + 1) << 8);
  }
  sysRead32(lin: number): number {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagRS[i] === page && o <= 0xffc) {
      const f = this.tlbFrame[i]!;
      return f[o] | (f[o + 1] << 8) | (f[o + 2] << 16) | (f[o + 3] << 24);
    }
    return this.sysRead16(lin) | (this.sysRead16(lin + 2) << 16);
  }
  sysWrite8(lin: number, v: number): void {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    if (this.tagWS[i] === page) {
      this.tlbFrame[i]![lin & 0xfff] = v;
      return;
    }
    this.slowWrite8(lin, v, false);
  }
  sysWrite16(lin: number, v: number): void {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagWS[i] === page && o !== 0xfff) {
      const f = this.tlbFrame[i]!;
      f[o] = v;
      f[o + 1] = v >> 8;
      return;
    }
    this.sysWrite8(lin, v);
    this.sysWrite8(lin + 1, v >> 8);
  }
  sysWrite32(lin: number, v: number): void {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagWS[i] === page && o <= 0xffc) {
      const f = this.tlbFrame[i]!;
      f[o] = v;
      f[o + 1] = v >> 8;
      f[o + 2] = v >> 16;
      f[o + 3] = v >> 24;
      return;
    }
    this.sysWrite16(lin, v);
    this.sysWrite16(lin + 2, v >> 16);
  }

  slowRead8(lin: number, user: boolean): number {
    const phys = this.walk(lin, false, user, false);
    const page = lin >>> 12;
    const frame = this.bus.frameForRead(phys >>> 12);
    if (frame !== null) {
      this.fillTlb(page, frame, phys, false, user);
      return frame[lin & 0xfff];
    }
    return this.bus.read8(phys);
  }

  slowWrite8(lin: number, v: number, user: boolean): void {
    const phys = this.walk(lin, true, user, false);
    const page = lin >>> 12;
    const frame = this.bus.frameForWrite(phys >>> 12);
    if (frame !== null) {
      this.fillTlb(page, frame, phys, true, user);
      frame[lin & 0xfff] = v;
      return;
    }
    this.bus.write8(phys, v);
  }

  /** Permission bits of the last successful walk: bit 0 user-accessible, bit 1 writable. */
  private walkPerm = 3;

  private fillTlb(page: number, frame: Uint8Array, _phys: number, write: boolean, user: boolean): void {
    const i = page & TLB_MASK;
    if (this.tlbFrame[i] !== frame || this.tagRS[i] !== page) {
      this.tagRS[i] = this.tagWS[i] = this.tagRU[i] = this.tagWU[i] = -1;
      this.tlbFrame[i] = frame;
    }
    const perm = this.walkPerm;
    const paging = this.cr0Reg < 0;
    const wp = (this.cr0Reg & 0x10000) !== 0;
    this.tagRS[i] = page;
    if (perm & 1) this.tagRU[i] = page;
    if (write || !paging) {
      if (!paging) {
        if (this.bus.frameForWrite(_phys >>> 12) === frame) {
          this.tagWS[i] = page;
          this.tagWU[i] = page;
        }
      } else {
        if (perm & 2 || !wp) this.tagWS[i] = page;
        if (perm & 1 && perm & 2) this.tagWU[i] = page;
      }
    }
    void user;
  }

  /** Drops every cached translation (CR3 load, paging mode change, bus map change). */
  flushTlb(): void {
    this.tagRS.fill(-1);
    this.tagWS.fill(-1);
    this.tagRU.fill(-1);
    this.tagWU.fill(-1);
    this.tlbFrame.fill(null);
    this.fetchPage = -1;
  }

  /** INVLPG: drops the translation for one linear page. */
  invalidatePage(lin: number): void {
    const page = lin >>> 12;
    const i = page & TLB_MASK;
    this.tagRS[i] = this.tagWS[i] = this.tagRU[i] = this.tagWU[i] = -1;
    this.fetchPage = -1;
  }

  /**
   * Walks the page tables (SDM vol. 3 §4.3). Returns the physical address (A20-masked). With
   * `probe` it has no side effects and returns -1 instead of raising #PF.
   */
  walk(lin: number, write: boolean, user: boolean, probe: boolean): number {
    const a20 = this.bus.a20Mask;
    if (this.cr0Reg >= 0) {
      this.walkPerm = 3;
      return (lin & a20) >>> 0;
    }
    const wp = (this.cr0Reg & 0x10000) !== 0;
    const pdeAddr = ((this.cr3Reg & ~0xfff) | ((lin >>> 20) & 0xffc)) & a20;
    const pde = this.bus.read32(pdeAddr) | 0;
    let err = (write ? 2 : 0) | (user ? 4 : 0);
    if (!(pde & 1)) return probe ? -1 : this.pageFault(lin, err);
    err |= 1;
    if (pde & 0x80 && this.cr4Reg & 0x10) {
      const perm = (pde & 4 ? 1 : 0) | (pde & 2 ? 2 : 0);
      if ((user && !(perm & 1)) || (write && !(perm & 2) && (user || wp))) {
        return probe ? -1 : this.pageFault(lin, err);
      }
      if (!probe) {
        const want = pde | 0x20 | (write ? 0x40 : 0);
        if (want !== pde) this.bus.write32(pdeAddr, want);
      }
      this.walkPerm = perm;
      return (((pde & 0xffc00000) | (lin & 0x3fffff)) & a20) >>> 0;
    }
    const pteAddr = ((pde & ~0xfff) | ((lin >>> 10) & 0xffc)) & a20;
    const pte = this.bus.read32(pteAddr) | 0;
    if (!(pte & 1)) return probe ? -1 : this.pageFault(lin, err & ~1);
    const perm = (pde & pte & 4 ? 1 : 0) | (pde & pte & 2 ? 2 : 0);
    if ((user && !(perm & 1)) || (write && !(perm & 2) && (user || wp))) {
      return probe ? -1 : this.pageFault(lin, err);
    }
    if (!probe) {
      if (!(pde & 0x20)) this.bus.write32(pdeAddr, pde | 0x20);
      const want = pte | 0x20 | (write ? 0x40 : 0);
      if (want !== pte) this.bus.write32(pteAddr, want);
    }
    this.walkPerm = perm;
    return (((pte & ~0xfff) | (lin & 0xfff)) & a20) >>> 0;
  }

  private pageFault(lin: number, err: number): never {
    this.cr2Reg = lin | 0;
    return this.fault(PF_VECTOR, err);
  }

  private hostTranslate(linear: number, write: boolean): number {
    const phys = this.walk(linear | 0, write, false, true);
    if (phys < 0) {
      throw new CpuError(`linear address ${hex(linear)} is not mapped for ${write ? 'writing' : 'reading'}`);
    }
    return phys;
  }

  // ============================================================================================
  // Instruction fetch
  // ============================================================================================

  fetchSlow(eip: number): Uint8Array {
    const lin = (this.csBase + eip) | 0;
    const limit = this.segLimit[CS];
    if (eip >>> 0 > limit) this.fault(GP, 0);
    const user = this.cpl === 3;
    const phys = this.walk(lin, false, user, false);
    const frame = this.bus.frameForRead(phys >>> 12);
    const page = lin >>> 12;
    if (frame !== null) {
      this.fillTlb(page, frame, phys, false, user);
      // Cache the page for fetching only when the whole page lies within the CS limit.
      const pageStartOff = (eip - (lin & 0xfff)) >>> 0;
      const pageEndOff = pageStartOff + 0xfff;
      if (pageEndOff <= limit && pageStartOff <= pageEndOff && (this.ipMask === -1 || pageEndOff <= 0xffff)) {
        this.fetchPage = page;
        this.fetchFrame = frame;
        this.fetchBlocks = this.blockCache.forFrame(frame);
      } else this.fetchPage = -1;
      return frame;
    }
    this.fetchPage = -1;
    this.mmioFetch[0] = this.bus.read8(phys);
    return this.mmioFetch;
  }
  private readonly mmioFetch = new Uint8Array(4096);

  fetch8(): number {
    const eip = this.ip;
    const lin = (this.csBase + eip) | 0;
    let v: number;
    if (lin >>> 12 === this.fetchPage) v = this.fetchFrame[lin & 0xfff];
    else {
      const f = this.fetchSlow(eip);
      v = f === this.mmioFetch ? f[0] : f[lin & 0xfff];
    }
    this.ip = (eip + 1) & this.ipMask;
    return v;
  }

  fetch16(): number {
    const eip = this.ip;
    const lin = (this.csBase + eip) | 0;
    if (lin >>> 12 === this.fetchPage && (lin & 0xfff) < 0xfff && (eip & 0xffff) !== 0xffff) {
      const o = lin & 0xfff;
      const f = this.fetchFrame;
      this.ip = (eip + 2) & this.ipMask;
      return f[o] | (f[o + 1] << 8);
    }
    const lo = this.fetch8();
    return lo | (this.fetch8() << 8);
  }

  fetch32(): number {
    const eip = this.ip;
    const lin = (this.csBase + eip) | 0;
    if (lin >>> 12 === this.fetchPage && (lin & 0xfff) <= 0xffc && this.ipMask === -1) {
      const o = lin & 0xfff;
      const f = this.fetchFrame;
      this.ip = (eip + 4) | 0;
      return f[o] | (f[o + 1] << 8) | (f[o + 2] << 16) | (f[o + 3] << 24);
    }
    const lo = this.fetch16();
    return lo | (this.fetch16() << 16);
  }

  // ============================================================================================
  // Control registers
  // ============================================================================================

  writeCr0(v: number): void {
    v |= 0x10; // ET is hardwired to 1: an x87 is present (SDM vol. 3 §2.5).
    const old = this.cr0Reg;
    // PG without PE is #GP(0).
    if (v & 0x80000000 && !(v & 1)) this.fault(GP, 0);
    this.cr0Reg = v | 0;
    if ((old ^ v) & 1) {
      if (!(v & 1)) this.cpl = 0;
      this.recomputeAllLimits();
      this.selectTags();
    }
    if ((old ^ v) & 0x80010000) this.flushTlb();
  }

  writeCr3(v: number): void {
    this.cr3Reg = v | 0;
    this.flushTlb();
  }

  writeCr4(v: number): void {
    // Only PSE (bit 4), TSD (bit 2) and DE (bit 3) are implemented; other bits are reserved (#GP).
    if (v & ~0x1c) this.fault(GP, 0);
    const old = this.cr4Reg;
    this.cr4Reg = v | 0;
    if ((old ^ v) & 0x10) this.flushTlb();
  }

  // ============================================================================================
  // Stack helpers (SS-relative, honouring SS.B)
  // ============================================================================================

  push16(v: number): void {
    if (this.ssBig) {
      const sp = (this.r32[4] - 2) | 0;
      this.wr16(SS, sp, v);
      this.r32[4] = sp;
    } else {
      const sp = (this.r16[8] - 2) & 0xffff;
      this.wr16(SS, sp, v);
      this.r16[8] = sp;
    }
  }

  push32(v: number): void {
    if (this.ssBig) {
      const sp = (this.r32[4] - 4) | 0;
      this.wr32(SS, sp, v);
      this.r32[4] = sp;
    } else {
      const sp = (this.r16[8] - 4) & 0xffff;
      this.wr32(SS, sp, v);
      this.r16[8] = sp;
    }
  }

  pop16(): number {
    if (this.ssBig) {
      const v = this.rd16(SS, this.r32[4]);
      this.r32[4] = (this.r32[4] + 2) | 0;
      return v;
    }
    const v = this.rd16(SS, this.r16[8]);
    this.r16[8] = this.r16[8] + 2;
    return v;
  }

  pop32(): number {
    if (this.ssBig) {
      const v = this.rd32(SS, this.r32[4]);
      this.r32[4] = (this.r32[4] + 4) | 0;
      return v;
    }
    const v = this.rd32(SS, this.r16[8]);
    this.r16[8] = this.r16[8] + 4;
    return v;
  }

  /** Reads the stack `depth` bytes above the stack pointer without popping. */
  peek16(depth: number): number {
    return this.ssBig
      ? this.rd16(SS, (this.r32[4] + depth) | 0)
      : this.rd16(SS, (this.r16[8] + depth) & 0xffff);
  }
  peek32(depth: number): number {
    return this.ssBig
      ? this.rd32(SS, (this.r32[4] + depth) | 0)
      : this.rd32(SS, (this.r16[8] + depth) & 0xffff);
  }

  get sp(): number {
    return this.ssBig ? this.r32[4] : this.r16[8];
  }
  adjustSp(delta: number): void {
    if (this.ssBig) this.r32[4] = (this.r32[4] + delta) | 0;
    else this.r16[8] = this.r16[8] + delta;
  }

  /** The RDTSC value: instructions retired plus the offset written through IA32_TIME_STAMP_COUNTER. */
  tsc(): number {
    return this.instructionCount + this.tscOffset;
  }
}

export { AC, AF, CF, DF, ID, IF, IOPL, NT, OF, PF, SF, TF, ZF };
