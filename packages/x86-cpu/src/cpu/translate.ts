// The block translator: turns the straight run of guest instructions that starts at one address into
// a JavaScript function, which V8 then compiles to machine code like any other. A hot loop costs one
// dispatch per pass instead of a fetch, a decode and a dispatch per instruction, and a block whose
// last instruction jumps back to its own start loops inside the function.
//
// The generated code has the interpreter's semantics exactly, so a machine runs the same with or
// without translation (blocks.test.ts runs both side by side):
// - Instruction semantics mirror execute.ts and hot.ts case by case (Intel SDM vol. 2). Common
//   integer instructions are emitted inline; a whitelist of other simple ones calls the interpreter
//   (`execute`) for that one instruction, and the block leaves if it did not fall through.
// - Flags stay lazy. A flag-producing instruction stores the lazy state (`lop la lb lr ls lazyMask`)
//   only when a later reader could observe it: a fault, an interpreter call, a runtime flag read or
//   the block's end; readers inside the block evaluate conditions from the producer's locals.
// - Before an instruction that can fault, the block notes which one it is; its catch then sets the
//   instruction's EIP and the instructions retired before it, so a fault is delivered exactly as
//   the interpreter delivers it.
// - Blocks never cross a 4 KiB page, are looked up by host frame and offset (blocks.ts), and check on
//   every entry that their code bytes are unchanged, so any write to code — by the guest, a device
//   or the host — is seen. Inside a block, a write that lands in the block's own frame (or goes
//   through the slow path) is followed by the same check, and the block leaves if its code changed:
//   as on x86, modified code runs from the next instruction on.
// - Nothing that changes the mode, IF, the TLB, the interrupt controller or device state is
//   translated (no I/O, no far transfers, no system instructions), so interrupts are polled between
//   blocks with the same outcome as between instructions.

import { BYTE_REG, type Cpu, L_ADC, L_ADD, L_LOGIC, L_SBB, L_SUB } from './cpu.js';
import { disassemble } from './disassemble.js';
import { execute } from './execute.js';
import { ARITH, CF, PARITY, PF, SF, ZF } from './flags.js';
import { shift } from './operands.js';
import { CS, DS, SS } from './state.js';

/** A translated block. */
export interface Block {
  /** EIP the block was translated at (signed, as Cpu.ip). */
  readonly eip: number;
  /** `blockMode` of the CPU it was translated for (code size and stack size). */
  readonly mode: number;
  /** Instructions in one pass. */
  readonly length: number;
  /** Bytes of code it covers, from its start. */
  readonly bytes: number;
  /**
   * Runs the block from `c.ip` until it leaves or `stop` instructions have retired; updates `c.ip` and
   * `c.instructionCount`. Returns false, having done nothing, when its code bytes have changed.
   */
  readonly run: (c: Cpu, words: Int32Array, stop: number) => boolean;
}

/** The mode bits a block depends on: 32-bit code (operand/address size) and a 32-bit stack. */
export function blockMode(c: Cpu): number {
  return (c.code32 ? 1 : 0) | (c.ssBig ? 2 : 0);
}

/** Longest block in instructions: bounds the latency of a pass and the size of the function. */
const MAX_LENGTH = 48;

// Flag effect of an instruction, for the liveness pass.
const F_NONE = 0; // reads and writes no flags
const F_FULL = 1; // ALU producer: writes all six (ADC/SBB also read CF)
const F_INCDEC = 2; // INC/DEC: writes all but CF, which passes through
const F_OPAQUE = 3; // interpreter or helper call: reads and writes flags at run time
const F_READ = 4; // condition reader that stays in the block (SETcc, CMOVcc)
const F_EXIT = 5; // branch that may leave the block (Jcc, LOOP): everything is live there

/**
 * A flag producer's locals: operands `a` `b`, result `r` (masked to the size), carry-in `cin`
 * (ADC/SBB), and for 'result' producers (shifts, IMUL: Cpu's `resultFlags`) CF and OF in `cin` and `b`.
 */
interface Producer {
  kind: 'add' | 'sub' | 'adc' | 'sbb' | 'logic' | 'result';
  a: string;
  b: string;
  r: string;
  cin: string;
  s: number;
}

interface Op {
  eip: number;
  next: number;
  len: number;
  /** Can raise an exception: the block records EIP and count first, and flags must be in the CPU. */
  fault: boolean;
  /** Writes guest memory (the block checks its code bytes after it when the write hit its frame). */
  writes: boolean;
  /** Runs on the interpreter (checks the code bytes itself afterwards). */
  interpreted: boolean;
  flags: number;
  /** ADC/SBB: reads CF. */
  readsCF: boolean;
  /** Condition code read (Jcc, SETcc, CMOVcc); -1 for LOOP, which reads none. */
  cc: number;
  /** Ends the block (a branch); it emits its own exit. */
  ends: boolean;
  // Filled by the flag passes:
  prodStatic: boolean;
  cfStatic: boolean;
  store: boolean;
  emit: (e: Emitter) => void;
}

/** Code generation state for one block. */
class Emitter {
  readonly lines: string[] = [];
  /** The last flag producer in this pass of the block (null: the flags are in the CPU). */
  prod: Producer | null = null;
  /** The last producer of CF (INC/DEC keep it). */
  cfProd: Producer | null = null;
  i = 0;
  op!: Op;
  constructor(
    readonly start: number,
    readonly length: number,
    readonly pageStart: number,
    readonly code32: boolean,
    readonly ssBig: boolean,
    /** True (as an expression) when the block's code bytes differ from those it was translated from. */
    readonly changed: string,
  ) {}

  line(s: string): void {
    this.lines.push(s);
  }

  private locals = 0;
  /**
   * A fresh local variable name: a two-letter prefix and a counter, so it cannot meet the
   * per-instruction names (one letter and the instruction's index: a3, r3, v3, ...).
   */
  local(prefix: string): string {
    return `${prefix}${this.locals++}`;
  }

  /** Records a flag producer: stores the lazy state when a later reader needs it. */
  produce(p: Producer, incdec: boolean): void {
    const op = this.op;
    if (incdec) {
      if (op.store) {
        // INC/DEC keep CF: materialise it into EFLAGS before the lazy state stops covering it.
        if (this.cfProd) this.line(`c.fl = (c.fl & -2) | (${cfExpr(this.cfProd)} ? 1 : 0);`);
        else this.line('if (c.lazyMask & 1) c.fl = (c.fl & -2) | c.getCF();');
        this.line(
          `c.lop = ${p.kind === 'add' ? L_ADD : L_SUB}; c.la = ${p.a}; c.lb = 1; c.lr = ${p.r}; c.ls = ${p.s}; c.lazyMask = ${ARITH & ~CF};`,
        );
      }
      this.prod = p;
      return;
    }
    if (op.store && p.kind === 'result') {
      // As Cpu's resultFlags: CF, OF (and AF = 0) eager; SF, ZF, PF lazy from the result.
      this.line(
        `c.fl = (c.fl & ${~ARITH}) | ${p.cin} | (${p.b} << 11); c.lop = ${L_LOGIC}; c.lr = ${p.r}; c.la = 0; c.lb = 0; c.ls = ${p.s}; c.lazyMask = ${SF | ZF | PF};`,
      );
    } else if (op.store) {
      const lop = { add: L_ADD, sub: L_SUB, adc: L_ADC, sbb: L_SBB, logic: L_LOGIC, result: L_LOGIC }[p.kind];
      const lc = p.kind === 'adc' || p.kind === 'sbb' ? ` c.lc = ${p.cin};` : '';
      this.line(
        `c.lop = ${lop}; c.la = ${p.a}; c.lb = ${p.b}; c.lr = ${p.r}; c.ls = ${p.s}; c.lazyMask = ${ARITH};${lc}`,
      );
    }
    this.prod = p;
    this.cfProd = p;
  }

  /** The instruction count after this instruction, as an expression. */
  get retired(): string {
    return `ic + ${this.i + 1}`;
  }

  /** Leaves the block with EIP = `target` (an expression) after this instruction. */
  exit(target: string): void {
    this.line(`c.ip = ${target}; c.instructionCount = ${this.retired}; return true;`);
  }

  /** A branch to the constant `target`: loops when it is the block's start, else leaves. */
  branch(target: number): void {
    if (target === this.start) {
      this.line(
        `ic += ${this.i + 1}; if (ic + ${this.length} <= stop && !c.attention) continue; c.ip = ${target}; c.instructionCount = ic; return true;`,
      );
    } else this.exit(String(target));
  }

  /** The condition `cc` as an expression: from the producers' locals, else asked of the CPU. */
  cond(cc: number): string {
    return condExpr(cc, this.prod, this.cfProd) ?? `c.cond(${cc})`;
  }

  /** True when a jump to `target` stays in the block's page (so within the CS limit). */
  inPage(target: number): boolean {
    // Full 32-bit arithmetic even in 16-bit code: an o32 branch there has a 32-bit target.
    return (target - this.pageStart) >>> 0 <= 0xfff;
  }
}

// --- flag expressions -----------------------------------------------------------------------------

const maskOf = (s: number) => (s === 31 ? -1 : (2 << s) - 1);
const unsigned = (v: string, s: number) => (s === 31 ? `(${v} >>> 0)` : `(${v} & ${maskOf(s)})`);
const signed = (v: string, s: number) =>
  s === 31 ? v : s === 15 ? `((${v} << 16) >> 16)` : `((${v} << 24) >> 24)`;
const wrap = (v: string, s: number) => (s === 31 ? `(${v}) | 0` : `(${v}) & ${maskOf(s)}`);

function cfExpr(p: Producer): string {
  const s = p.s;
  switch (p.kind) {
    case 'add':
      return `${unsigned(p.r, s)} < ${unsigned(p.a, s)}`;
    case 'sub':
      return `${unsigned(p.a, s)} < ${unsigned(p.b, s)}`;
    case 'adc':
      return `(${unsigned(p.r, s)} < ${unsigned(p.a, s)} || (${p.cin} !== 0 && ${unsigned(p.r, s)} === ${unsigned(p.a, s)}))`;
    case 'sbb':
      return `(${unsigned(p.a, s)} < ${unsigned(p.b, s)} || (${p.cin} !== 0 && ${unsigned(p.a, s)} === ${unsigned(p.b, s)}))`;
    case 'result':
      return `${p.cin} !== 0`;
    default:
      return 'false';
  }
}

function ofExpr(p: Producer): string {
  if (p.kind === 'add' || p.kind === 'adc')
    return `((((${p.a} ^ ${p.r}) & (${p.b} ^ ${p.r})) >>> ${p.s}) & 1) !== 0`;
  if (p.kind === 'sub' || p.kind === 'sbb')
    return `((((${p.a} ^ ${p.b}) & (${p.a} ^ ${p.r})) >>> ${p.s}) & 1) !== 0`;
  if (p.kind === 'result') return `${p.b} !== 0`;
  return 'false';
}

/** Condition `cc` (Jcc's low nibble) from the producers' locals, or null when it needs the CPU. */
function condExpr(cc: number, p: Producer | null, q: Producer | null): string | null {
  if (!p) return null;
  const base = cc >> 1;
  if ((base === 1 || base === 3) && !q) return null;
  const s = p.s;
  let x: string;
  if (p === q && p.kind === 'sub' && (base === 1 || base === 3 || base === 6 || base === 7)) {
    // After SUB/CMP the unsigned and signed orderings of the operands are the conditions directly.
    const lt = base === 3 || base === 7 ? '<=' : '<';
    x =
      base <= 3
        ? `${unsigned(p.a, s)} ${lt} ${unsigned(p.b, s)}`
        : `${signed(p.a, s)} ${lt} ${signed(p.b, s)}`;
  } else {
    const zf = `${p.r} === 0`;
    const sf = s === 31 ? `${p.r} < 0` : `(${p.r} & ${1 << s}) !== 0`;
    const of = ofExpr(p);
    switch (base) {
      case 0:
        x = of;
        break;
      case 1:
        x = cfExpr(q!);
        break;
      case 2:
        x = zf;
        break;
      case 3:
        x = `${cfExpr(q!)} || ${zf}`;
        break;
      case 4:
        x = sf;
        break;
      case 5:
        x = `PARITY[${p.r} & 255] !== 0`;
        break;
      case 6:
        x = `(${sf}) !== (${of})`;
        break;
      default:
        x = `${zf} || (${sf}) !== (${of})`;
        break;
    }
  }
  return cc & 1 ? `!(${x})` : `(${x})`;
}

// --- operands -------------------------------------------------------------------------------------

const SIZE_BITS: Record<number, number> = { 7: 8, 15: 16, 31: 32 };

function regExpr(s: number, i: number): string {
  return s === 31 ? `r[${i}]` : s === 15 ? `h[${i << 1}]` : `b[${BYTE_REG[i]}]`;
}

/** A decoded ModR/M operand: a register or a memory location (segment and offset expression). */
interface ModRM {
  reg: number;
  rm: number;
  isReg: boolean;
  seg: number;
  ea: string;
}

/** Reads the little-endian bytes of the frame. */
class Bytes {
  constructor(
    readonly f: Uint8Array,
    public pos: number,
  ) {}
  has(n: number): boolean {
    return this.pos + n <= 4096;
  }
  u8(): number {
    return this.f[this.pos++];
  }
  s8(): number {
    return (this.f[this.pos++] << 24) >> 24;
  }
  u16(): number {
    const v = this.f[this.pos] | (this.f[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }
  s32(): number {
    const f = this.f;
    const p = this.pos;
    this.pos += 4;
    return f[p] | (f[p + 1] << 8) | (f[p + 2] << 16) | (f[p + 3] << 24);
  }
}

/** Adds ModR/M's displacement (mod 1: 8-bit signed; mod 2: `wide` bytes) to `terms`; false past the page. */
function displacement(by: Bytes, mod: number, wide: number, terms: string[]): boolean {
  if (mod === 1) {
    if (!by.has(1)) return false;
    terms.push(String(by.s8()));
  } else if (mod === 2) {
    if (!by.has(wide)) return false;
    terms.push(String(wide === 2 ? by.u16() : by.s32()));
  }
  return true;
}

/** Decodes ModR/M (and SIB and displacement) at the cursor; null if it runs past the page. */
function decodeModRM(by: Bytes, a32: boolean, segOv: number): ModRM | null {
  if (!by.has(1)) return null;
  const m = by.u8();
  const mod = m >> 6;
  const reg = (m >> 3) & 7;
  const rm = m & 7;
  if (mod === 3) return { reg, rm, isReg: true, seg: 0, ea: '' };
  let seg = DS;
  const terms: string[] = [];
  if (!a32) {
    const pairs = [
      [3, 6],
      [3, 7],
      [5, 6],
      [5, 7],
      [6, -1],
      [7, -1],
      [5, -1],
      [3, -1],
    ];
    if (rm === 2 || rm === 3 || (rm === 6 && mod !== 0)) seg = SS;
    if (rm === 6 && mod === 0) {
      if (!by.has(2)) return null;
      terms.push(String(by.u16()));
    } else {
      const [x, y] = pairs[rm];
      terms.push(`h[${x << 1}]`);
      if (y >= 0) terms.push(`h[${y << 1}]`);
    }
    if (!displacement(by, mod, 2, terms)) return null;
    return {
      reg,
      rm,
      isReg: false,
      seg: segOv >= 0 ? segOv : seg,
      ea: `(${terms.join(' + ')}) & 65535`,
    };
  }
  if (rm === 4) {
    if (!by.has(1)) return null;
    const sib = by.u8();
    const base = sib & 7;
    const idx = (sib >> 3) & 7;
    const scale = sib >> 6;
    if (idx !== 4) terms.push(scale ? `(r[${idx}] << ${scale})` : `r[${idx}]`);
    if (base === 5 && mod === 0) {
      if (!by.has(4)) return null;
      terms.push(String(by.s32()));
    } else {
      terms.push(`r[${base}]`);
      if (base === 4 || base === 5) seg = SS;
    }
  } else if (rm === 5 && mod === 0) {
    if (!by.has(4)) return null;
    terms.push(String(by.s32()));
  } else {
    terms.push(`r[${rm}]`);
    if (rm === 5) seg = SS;
  }
  if (!displacement(by, mod, 4, terms)) return null;
  if (terms.length === 0) terms.push('0');
  return { reg, rm, isReg: false, seg: segOv >= 0 ? segOv : seg, ea: `(${terms.join(' + ')}) | 0` };
}

/**
 * Emits a read of `bits` at segment `seg`, offset expression `off`, into a new local and returns its
 * name. The inline path is the interpreter's fast path (Cpu.linR and lin8/16/32: offset within the
 * segment's fast limit, TLB hit, not split across pages); everything else calls the interpreter's
 * accessor, which performs the full checks, and sets `hit` (it may have reached a device).
 */
function emitRead(e: Emitter, bits: number, seg: number, off: string, forWrite = false): string {
  const v = e.local('mr');
  const n = bits >> 3;
  const load =
    bits === 32
      ? 'f[x] | (f[x + 1] << 8) | (f[x + 2] << 16) | (f[x + 3] << 24)'
      : bits === 16
        ? 'f[x] | (f[x + 1] << 8)'
        : 'f[x]';
  // A read-modify-write takes the write's fast path (limit and tags) and otherwise makes the
  // write's checks first (Cpu.checkWrite), as the interpreter does.
  const check = forWrite ? `c.checkWrite(${seg}, ${off}, ${n}); ` : '';
  e.line(
    `let ${v}; { const ${tlbLocals(seg, off)}; ` +
      `if (${tlbHit(bits, seg, forWrite)}) { const f = fr[t]; ${v} = ${load}; } else { ${check}${v} = c.rd${bits}(${seg}, ${off}); hit = true; } }`,
  );
  return v;
}

/** The locals of an inline TLB lookup: offset `o`, linear `l`, page `p`, TLB index `t`, page offset `x`. */
function tlbLocals(seg: number, off: string): string {
  return `o = (${off}) >>> 0, l = (sb[${seg}] + o) | 0, p = l >>> 12, t = p & 4095, x = l & 4095`;
}

/**
 * The fast-path test of Cpu.linR/linW and lin8..32/linW8..32: the access ends within the segment's
 * fast limit, the TLB holds the page for this kind of access, and it does not cross into the next page.
 */
function tlbHit(bits: number, seg: number, write: boolean): string {
  const split = bits === 32 ? ' && x <= 4092' : bits === 16 ? ' && x !== 4095' : '';
  return `o + ${(bits >> 3) - 1} <= ${write ? 'wl' : 'rl'}[${seg}] && ${write ? 'tw' : 'tr'}[t] === p${split}`;
}

/**
 * Emits a write of `bits` (Cpu.linW and linW8/16/32's fast path, else the accessor). A write that
 * lands in the block's own frame (or takes the slow path, which could) sets `hit`, so the block
 * checks its code before going on: x86 runs modified code from the next instruction.
 */
function emitWrite(e: Emitter, bits: number, seg: number, off: string, value: string): void {
  const v = e.local('mw');
  const store =
    bits === 32
      ? `f[x] = ${v}; f[x + 1] = ${v} >> 8; f[x + 2] = ${v} >> 16; f[x + 3] = ${v} >> 24;`
      : bits === 16
        ? `f[x] = ${v}; f[x + 1] = ${v} >> 8;`
        : `f[x] = ${v};`;
  e.line(
    `{ const ${v} = ${value}, ${tlbLocals(seg, off)}; ` +
      `if (${tlbHit(bits, seg, true)}) { const f = fr[t]; ${store} if (f === cf) hit = true; } else { c.wr${bits}(${seg}, ${off}, ${v}); hit = true; } }`,
  );
}

/** Operand E of size `s`: a register expression, or a local holding the value read from memory. */
function readE(e: Emitter, m: ModRM, s: number): string {
  if (m.isReg) return regExpr(s, m.rm);
  return emitRead(e, SIZE_BITS[s], m.seg, `e${e.i}`);
}

/** Operand E read by a read-modify-write (its write's checks come first: Cpu.checkWrite). */
function readRmwE(e: Emitter, m: ModRM, s: number): string {
  if (m.isReg) return regExpr(s, m.rm);
  return emitRead(e, SIZE_BITS[s], m.seg, `e${e.i}`, true);
}

function writeE(e: Emitter, m: ModRM, s: number, v: string): void {
  if (m.isReg) e.line(`${regExpr(s, m.rm)} = ${v};`);
  else emitWrite(e, SIZE_BITS[s], m.seg, `e${e.i}`, v);
}

/** PUSH as Cpu.push16/push32 do it (the value is read before the stack pointer moves). */
function emitPush(e: Emitter, bits: number, value: string): void {
  const v = e.local('pv');
  const sp = e.local('ps');
  const n = bits >> 3;
  e.line(`const ${v} = ${value}, ${sp} = ${e.ssBig ? `(r[4] - ${n}) | 0` : `(h[8] - ${n}) & 65535`};`);
  emitWrite(e, bits, SS, sp, v);
  e.line(e.ssBig ? `r[4] = ${sp};` : `h[8] = ${sp};`);
}

/** POP as Cpu.pop16/pop32 do it: read at the stack pointer, then move it (POP ESP keeps the value read). */
function emitPop(e: Emitter, bits: number, reg: string): void {
  const n = bits >> 3;
  const v = emitRead(e, bits, SS, e.ssBig ? 'r[4]' : 'h[8]');
  e.line(e.ssBig ? `r[4] = (r[4] + ${n}) | 0;` : `h[8] = h[8] + ${n};`);
  e.line(`${reg} = ${v};`);
}

function bindEA(e: Emitter, m: ModRM): void {
  if (!m.isReg) e.line(`const e${e.i} = ${m.ea};`);
}

/** Emits an ALU operation (the `reg` field of 80-83: ADD OR ADC SBB AND SUB XOR CMP); returns the result local. */
function emitAlu(e: Emitter, aop: number, s: number, a: string, b: string): string {
  const i = e.i;
  const p: Producer = { kind: 'logic', a: `a${i}`, b: `b${i}`, r: `r${i}`, cin: `k${i}`, s };
  e.line(`const a${i} = ${a}, b${i} = ${b};`);
  let r: string;
  switch (aop) {
    case 0:
      p.kind = 'add';
      r = wrap(`a${i} + b${i}`, s);
      break;
    case 1:
      r = wrap(`a${i} | b${i}`, s);
      break;
    case 2:
    case 3:
      p.kind = aop === 2 ? 'adc' : 'sbb';
      e.line(`const k${i} = ${e.cfProd ? `${cfExpr(e.cfProd)} ? 1 : 0` : 'c.getCF()'};`);
      r = wrap(aop === 2 ? `a${i} + b${i} + k${i}` : `a${i} - b${i} - k${i}`, s);
      break;
    case 4:
      r = wrap(`a${i} & b${i}`, s);
      break;
    case 6:
      r = wrap(`a${i} ^ b${i}`, s);
      break;
    default:
      p.kind = 'sub';
      r = wrap(`a${i} - b${i}`, s);
      break;
  }
  e.line(`const r${i} = ${r};`);
  e.produce(p, false);
  return `r${i}`;
}

function emitIncDec(e: Emitter, dec: boolean, s: number, a: string): string {
  const i = e.i;
  e.line(`const a${i} = ${a}, r${i} = ${wrap(dec ? `a${i} - 1` : `a${i} + 1`, s)};`);
  e.produce({ kind: dec ? 'sub' : 'add', a: `a${i}`, b: '1', r: `r${i}`, cin: '0', s }, true);
  return `r${i}`;
}

/**
 * SHL/SAL (4, 6), SHR (5), SAR (7) of `v` by the constant count `n` (1..31), as operands.ts `shift`
 * computes them; returns the result local. The flags are a 'result' producer.
 */
function emitShift(e: Emitter, kind: number, v: string, n: number, s: number): string {
  const i = e.i;
  const bits = s + 1;
  const mask = maskOf(s);
  e.line(`const a${i} = ${v} & ${mask};`);
  let r: string;
  let cf: string;
  let of: string;
  if (kind === 4 || kind === 6) {
    if (n <= bits) {
      cf = n === bits ? `a${i} & 1` : `(a${i} >>> ${bits - n}) & 1`;
      r = n === 32 ? '0' : `(a${i} << ${n}) & ${mask}`;
    } else {
      cf = '0';
      r = '0';
    }
    of = `((r${i} >>> ${s}) & 1) ^ k${i}`;
  } else if (kind === 5) {
    cf = n <= bits ? `(a${i} >>> ${n - 1}) & 1` : '0';
    r = n >= bits ? '0' : `(a${i} >>> ${n}) & ${mask}`;
    of = n === 1 ? `(a${i} >>> ${s}) & 1` : '0';
  } else {
    const sv = `((a${i} << ${31 - s}) >> ${31 - s})`;
    if (n >= bits) {
      r = `(${sv} >> 31) & ${mask}`;
      cf = `${sv} < 0 ? 1 : 0`;
    } else {
      r = `(${sv} >> ${n}) & ${mask}`;
      cf = `(${sv} >> ${n - 1}) & 1`;
    }
    of = '0';
  }
  e.line(`const r${i} = ${r}, k${i} = ${cf}, b${i} = ${of};`);
  e.produce({ kind: 'result', a: `a${i}`, b: `b${i}`, r: `r${i}`, cin: `k${i}`, s }, false);
  return `r${i}`;
}

/** IMUL with a truncated result (0F AF, 69, 6B) as execute0f.ts computes it; returns the result local. */
function emitImul(e: Emitter, a: string, b: string, s: number): string {
  const i = e.i;
  if (s === 31) {
    // The double product differs from the 32-bit one exactly when the true product overflows int32.
    e.line(
      `const a${i} = ${a}, c${i} = ${b}, r${i} = Math.imul(a${i}, c${i}), k${i} = a${i} * c${i} !== r${i} ? 1 : 0, b${i} = k${i};`,
    );
  } else {
    e.line(
      `const p${i} = ((${a} << 16) >> 16) * ((${b} << 16) >> 16), r${i} = p${i} & 65535, k${i} = p${i} !== (p${i} << 16) >> 16 ? 1 : 0, b${i} = k${i};`,
    );
  }
  e.produce({ kind: 'result', a: '0', b: `b${i}`, r: `r${i}`, cin: `k${i}`, s }, false);
  return `r${i}`;
}

// --- the interpreter whitelist ----------------------------------------------------------------------

/**
 * One-byte opcodes the block may hand to the interpreter: they touch only registers, flags and
 * data memory (no control transfer except REP's restart, no mode, segment, IF or I/O change).
 */
const INTERPRET_1 = new Uint8Array(256);
for (const op of [
  0x27, 0x2f, 0x37, 0x3f, 0x86, 0x87, 0x8f, 0x98, 0x99, 0x9e, 0x9f, 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac,
  0xad, 0xae, 0xaf, 0xc9, 0xd4, 0xd5, 0xd7, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfc, 0xfd,
])
  INTERPRET_1[op] = 1;
/** Two-byte (0F xx) opcodes likewise. */
const INTERPRET_2 = new Uint8Array(256);
for (let op = 0xc8; op <= 0xcf; op++) INTERPRET_2[op] = 1; // BSWAP
for (const op of [0xa3, 0xa4, 0xa5, 0xab, 0xac, 0xad, 0xb0, 0xb1, 0xb3, 0xba, 0xbb, 0xbc, 0xbd, 0xc0, 0xc1])
  INTERPRET_2[op] = 1;

// --- decoding ---------------------------------------------------------------------------------------

function newOp(eip: number, len: number, code32: boolean): Op {
  return {
    eip,
    next: code32 ? (eip + len) | 0 : (eip + len) & 0xffff,
    len,
    fault: false,
    writes: false,
    interpreted: false,
    flags: F_NONE,
    readsCF: false,
    cc: 0,
    ends: false,
    prodStatic: false,
    cfStatic: false,
    store: false,
    emit: () => {},
  };
}

/** Decodes one instruction at `pos`; null when it cannot be part of a block. */
function decodeOp(frame: Uint8Array, pos: number, eip: number, code32: boolean): Op | null {
  const by = new Bytes(frame, pos);
  let o32 = code32;
  let a32 = code32;
  let segOv = -1;
  let repLock = false;
  let op = 0;
  for (let n = 0; ; n++) {
    if (n >= 14 || !by.has(1)) return null;
    op = by.u8();
    if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) segOv = (op >> 3) & 3;
    else if (op === 0x64 || op === 0x65) segOv = op - 0x60;
    else if (op === 0x66) o32 = !code32;
    else if (op === 0x67) a32 = !code32;
    else if (op === 0xf0 || op === 0xf2 || op === 0xf3) repLock = true;
    else break;
  }
  const s = o32 ? 31 : 15;
  const mk = (fill: (o: Op) => void): Op => {
    const o = newOp(eip, by.pos - pos, code32);
    fill(o);
    return o;
  };

  /**
   * An instruction with a ModR/M operand and nothing after it: it can fault when the operand is
   * memory, and writes memory when `writesE` (its E operand is a destination).
   */
  const modrmOp = (
    flags: number,
    writesE: boolean,
    body: (e: Emitter, m: ModRM) => void,
    cc = 0,
  ): Op | null => {
    const m = decodeModRM(by, a32, segOv);
    if (!m) return null;
    return mk((o) => {
      o.flags = flags;
      o.cc = cc;
      o.fault = !m.isReg;
      o.writes = !m.isReg && writesE;
      o.emit = (e) => {
        bindEA(e, m);
        body(e, m);
      };
    });
  };

  // The interpreter runs LOCK/REP forms (and, below, whatever has no inline form) one at a time.
  if (repLock) return interpretOp(frame, pos, eip, code32);

  if (op < 0x40 && (op & 7) < 6) {
    // ALU in six forms: Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,Ib  eAX,Iz.
    const aop = op >> 3;
    const form = op & 7;
    const readsCF = aop === 2 || aop === 3;
    if (form >= 4) {
      const sz = form === 4 ? 7 : s;
      const need = sz === 7 ? 1 : sz === 15 ? 2 : 4;
      if (!by.has(need)) return null;
      const imm = sz === 7 ? by.u8() : sz === 15 ? by.u16() : by.s32();
      return mk((o) => {
        o.flags = F_FULL;
        o.readsCF = readsCF;
        o.emit = (e) => {
          const r = emitAlu(e, aop, sz, regExpr(sz, 0), String(imm));
          if (aop !== 7) e.line(`${regExpr(sz, 0)} = ${r};`);
        };
      });
    }
    const sz = form & 1 ? s : 7;
    const toE = form < 2;
    const o = modrmOp(F_FULL, toE && aop !== 7, (e, m) => {
      const g = regExpr(sz, m.reg);
      if (toE) {
        const r = emitAlu(e, aop, sz, aop === 7 ? readE(e, m, sz) : readRmwE(e, m, sz), g);
        if (aop !== 7) writeE(e, m, sz, r);
      } else {
        const r = emitAlu(e, aop, sz, g, readE(e, m, sz));
        if (aop !== 7) e.line(`${g} = ${r};`);
      }
    });
    if (o) o.readsCF = readsCF;
    return o;
  }

  if (op >= 0x40 && op <= 0x4f) {
    return mk((o) => {
      o.flags = F_INCDEC;
      o.emit = (e) => {
        const reg = regExpr(s, op & 7);
        const r = emitIncDec(e, op >= 0x48, s, reg);
        e.line(`${reg} = ${r};`);
      };
    });
  }

  if (op >= 0x50 && op <= 0x5f) {
    return mk((o) => {
      o.fault = true;
      o.writes = op < 0x58;
      const bits = o32 ? 32 : 16;
      const reg = regExpr(s, op & 7);
      o.emit = (e) => {
        if (op < 0x58) emitPush(e, bits, reg);
        else emitPop(e, bits, reg);
      };
    });
  }

  if (op >= 0x70 && op <= 0x7f) {
    if (!by.has(1)) return null;
    const d = by.s8();
    return jcc(mk, op & 15, d, o32);
  }

  if (op >= 0x80 && op <= 0x83) {
    const m = decodeModRM(by, a32, segOv);
    if (!m) return null;
    const sz = op & 1 ? s : 7;
    const need = op === 0x81 ? (sz === 31 ? 4 : 2) : 1;
    if (!by.has(need)) return null;
    let imm: number;
    if (op === 0x81) imm = sz === 31 ? by.s32() : by.u16();
    else if (op === 0x83) imm = sz === 31 ? by.s8() : by.s8() & 0xffff;
    else imm = by.u8();
    const aop = m.reg;
    return mk((o) => {
      o.flags = F_FULL;
      o.readsCF = aop === 2 || aop === 3;
      o.fault = !m.isReg;
      o.writes = !m.isReg && aop !== 7;
      o.emit = (e) => {
        bindEA(e, m);
        const r = emitAlu(e, aop, sz, aop === 7 ? readE(e, m, sz) : readRmwE(e, m, sz), String(imm));
        if (aop !== 7) writeE(e, m, sz, r);
      };
    });
  }

  if (op === 0x84 || op === 0x85) {
    const sz = op & 1 ? s : 7;
    return modrmOp(F_FULL, false, (e, m) => {
      emitAlu(e, 4, sz, readE(e, m, sz), regExpr(sz, m.reg));
    });
  }

  if (op === 0xa8 || op === 0xa9) {
    const sz = op & 1 ? s : 7;
    const need = sz === 7 ? 1 : sz === 15 ? 2 : 4;
    if (!by.has(need)) return null;
    const imm = sz === 7 ? by.u8() : sz === 15 ? by.u16() : by.s32();
    return mk((o) => {
      o.flags = F_FULL;
      o.emit = (e) => {
        emitAlu(e, 4, sz, regExpr(sz, 0), String(imm));
      };
    });
  }

  if (op >= 0x88 && op <= 0x8b) {
    const sz = op & 1 ? s : 7;
    const toE = op < 0x8a;
    return modrmOp(F_NONE, toE, (e, m) => {
      if (toE) writeE(e, m, sz, regExpr(sz, m.reg));
      else e.line(`${regExpr(sz, m.reg)} = ${readE(e, m, sz)};`);
    });
  }

  if (op === 0x8d) {
    const m = decodeModRM(by, a32, segOv);
    if (!m || m.isReg) return null;
    return mk((o) => {
      o.emit = (e) => e.line(`${regExpr(s, m.reg)} = ${m.ea};`);
    });
  }

  if (op === 0x90) return mk(() => {});

  if (op >= 0xa0 && op <= 0xa3) {
    // MOV AL/eAX <-> moffs.
    if (!by.has(a32 ? 4 : 2)) return null;
    const off = a32 ? by.s32() : by.u16();
    const sz = op & 1 ? s : 7;
    const seg = segOv >= 0 ? segOv : DS;
    const bits = SIZE_BITS[sz];
    return mk((o) => {
      o.fault = true;
      o.writes = op >= 0xa2;
      o.emit = (e) => {
        if (op < 0xa2) e.line(`${regExpr(sz, 0)} = ${emitRead(e, bits, seg, String(off))};`);
        else emitWrite(e, bits, seg, String(off), regExpr(sz, 0));
      };
    });
  }

  if (op >= 0xb0 && op <= 0xbf) {
    const sz = op < 0xb8 ? 7 : s;
    const need = sz === 7 ? 1 : sz === 15 ? 2 : 4;
    if (!by.has(need)) return null;
    const imm = sz === 7 ? by.u8() : sz === 15 ? by.u16() : by.s32();
    return mk((o) => {
      o.emit = (e) => e.line(`${regExpr(sz, op & 7)} = ${imm};`);
    });
  }

  if (op === 0xc6 || op === 0xc7) {
    const m = decodeModRM(by, a32, segOv);
    if (m?.reg !== 0) return null;
    const sz = op & 1 ? s : 7;
    const need = sz === 7 ? 1 : sz === 15 ? 2 : 4;
    if (!by.has(need)) return null;
    const imm = sz === 7 ? by.u8() : sz === 15 ? by.u16() : by.s32();
    return mk((o) => {
      o.fault = !m.isReg;
      o.writes = !m.isReg;
      o.emit = (e) => {
        bindEA(e, m);
        writeE(e, m, sz, String(imm));
      };
    });
  }

  if ((op === 0xfe || op === 0xff) && by.has(1)) {
    const reg = (frame[by.pos] >> 3) & 7;
    const m = decodeModRM(by, a32, segOv);
    if (!m) return null;
    const sz = op === 0xfe ? 7 : s;
    if (reg === 0 || reg === 1) {
      return mk((o) => {
        o.flags = F_INCDEC;
        o.fault = !m.isReg;
        o.writes = !m.isReg;
        o.emit = (e) => {
          bindEA(e, m);
          const r = emitIncDec(e, reg === 1, sz, readRmwE(e, m, sz));
          writeE(e, m, sz, r);
        };
      });
    }
    if (op === 0xff && (reg === 2 || reg === 4)) {
      // CALL / JMP near, indirect.
      return mk((o) => {
        o.fault = true;
        o.writes = reg === 2;
        o.ends = true;
        o.emit = (e) => {
          bindEA(e, m);
          e.line(`const t${e.i} = ${o32 ? readE(e, m, 31) : `${readE(e, m, 15)} & 65535`};`);
          e.line(`if ((t${e.i} >>> 0) > c.segLimit[${CS}]) c.fault(13, 0);`);
          if (reg === 2) e.line(`c.push${o32 ? 32 : 16}(${o.next});`);
          e.exit(`t${e.i}`);
        };
      });
    }
    return null;
  }

  if (op === 0xeb || op === 0xe9) {
    const need = op === 0xeb ? 1 : o32 ? 4 : 2;
    if (!by.has(need)) return null;
    const d = op === 0xeb ? by.s8() : o32 ? by.s32() : (by.u16() << 16) >> 16;
    return mk((o) => {
      o.ends = true;
      const t = o32 ? (o.next + d) | 0 : (o.next + d) & 0xffff;
      o.emit = (e) => {
        if (!e.inPage(t)) {
          o.fault = true;
          e.line(`if (${t >>> 0} > c.segLimit[${CS}]) c.fault(13, 0);`);
        }
        e.branch(t);
      };
    });
  }

  if (op === 0xe8) {
    if (!by.has(o32 ? 4 : 2)) return null;
    const d = o32 ? by.s32() : by.u16();
    return mk((o) => {
      o.fault = true;
      o.writes = true;
      o.ends = true;
      const t = o32 ? (o.next + d) | 0 : (o.next + d) & 0xffff;
      o.emit = (e) => {
        if (!e.inPage(t)) e.line(`if (${t >>> 0} > c.segLimit[${CS}]) c.fault(13, 0);`);
        e.line(`c.push${o32 ? 32 : 16}(${o.next});`);
        e.exit(String(t));
      };
    });
  }

  if (op === 0xc3 || op === 0xc2) {
    if (op === 0xc2 && !by.has(2)) return null;
    const imm = op === 0xc2 ? by.u16() : 0;
    return mk((o) => {
      o.fault = true;
      o.ends = true;
      o.emit = (e) => {
        e.line(`const t${e.i} = ${o32 ? 'c.peek32(0)' : 'c.peek16(0) & 65535'};`);
        e.line(`if ((t${e.i} >>> 0) > c.segLimit[${CS}]) c.fault(13, 0);`);
        e.line(`c.adjustSp(${(o32 ? 4 : 2) + imm});`);
        e.exit(`t${e.i}`);
      };
    });
  }

  if (op === 0xe2) {
    // LOOP: count down eCX (by address size), branch while nonzero; no flags.
    if (!by.has(1)) return null;
    const d = by.s8();
    return mk((o) => {
      o.flags = F_EXIT;
      o.cc = -1;
      const t = o32 ? (o.next + d) | 0 : (o.next + d) & 0xffff;
      o.emit = (e) => {
        e.line(`if ((${a32 ? 'r[1] = (r[1] - 1) | 0' : 'h[2] = h[2] - 1'}) !== 0) {`);
        takeBranch(e, t);
        e.line('}');
      };
    });
  }

  if (op === 0x68 || op === 0x6a) {
    const need = op === 0x6a ? 1 : o32 ? 4 : 2;
    if (!by.has(need)) return null;
    const v = op === 0x6a ? by.s8() : o32 ? by.s32() : (by.u16() << 16) >> 16;
    return mk((o) => {
      o.fault = true;
      o.writes = true;
      o.emit = (e) => emitPush(e, o32 ? 32 : 16, String(v));
    });
  }

  if ((op === 0x86 || op === 0x87) && by.has(1) && frame[by.pos] >= 0xc0) {
    const m = decodeModRM(by, a32, segOv)!;
    const sz = op & 1 ? s : 7;
    return mk((o) => {
      o.emit = (e) => {
        const x = regExpr(sz, m.rm);
        const y = regExpr(sz, m.reg);
        e.line(`const t${e.i} = ${x}; ${x} = ${y}; ${y} = t${e.i};`);
      };
    });
  }

  if (op >= 0x91 && op <= 0x97) {
    return mk((o) => {
      o.emit = (e) => {
        const x = regExpr(s, 0);
        const y = regExpr(s, op & 7);
        e.line(`const t${e.i} = ${x}; ${x} = ${y}; ${y} = t${e.i};`);
      };
    });
  }

  if (op === 0xc0 || op === 0xc1 || (op >= 0xd0 && op <= 0xd3)) {
    // Shifts and rotates through the interpreter's `shift`; a constant nonzero SHL/SHR/SAL/SAR count
    // writes all six flags, anything else may keep some (count 0, rotates), so reads them.
    const m = decodeModRM(by, a32, segOv);
    if (!m) return null;
    if (op <= 0xc1 && !by.has(1)) return null;
    const count = op <= 0xc1 ? String(by.u8()) : op <= 0xd1 ? '1' : 'b[4]';
    const sz = op & 1 ? s : 7;
    const kind = m.reg;
    const n = count === 'b[4]' ? 0 : Number(count) & 31;
    if (n !== 0 && kind >= 4) {
      return mk((o) => {
        o.fault = !m.isReg;
        o.writes = !m.isReg;
        o.flags = F_FULL;
        o.emit = (e) => {
          bindEA(e, m);
          writeE(e, m, sz, emitShift(e, kind, readRmwE(e, m, sz), n, sz));
        };
      });
    }
    return mk((o) => {
      o.fault = !m.isReg;
      o.writes = !m.isReg;
      o.flags = F_OPAQUE;
      o.emit = (e) => {
        bindEA(e, m);
        writeE(e, m, sz, `shift(c, ${kind}, ${readRmwE(e, m, sz)}, ${count}, ${sz})`);
        e.prod = e.cfProd = null;
      };
    });
  }

  if (op === 0x69 || op === 0x6b) {
    // IMUL Gv, Ev, imm.
    const m = decodeModRM(by, a32, segOv);
    if (!m) return null;
    const need = op === 0x6b ? 1 : o32 ? 4 : 2;
    if (!by.has(need)) return null;
    const imm = op === 0x6b ? by.s8() : o32 ? by.s32() : (by.u16() << 16) >> 16;
    return mk((o) => {
      o.flags = F_FULL;
      o.fault = !m.isReg;
      o.emit = (e) => {
        bindEA(e, m);
        e.line(`${regExpr(s, m.reg)} = ${emitImul(e, readE(e, m, s), String(imm), s)};`);
      };
    });
  }

  if (op === 0x8c && by.has(1) && ((frame[by.pos] >> 3) & 7) <= 5) {
    // MOV Ev, Sreg: a register destination takes the selector zero-extended with a 32-bit operand.
    return modrmOp(F_NONE, true, (e, m) => {
      if (m.isReg && o32) e.line(`r[${m.rm}] = c.segSel[${m.reg}];`);
      else writeE(e, m, 15, `c.segSel[${m.reg}]`);
    });
  }

  if (op === 0x0f && by.has(1)) {
    const op2 = by.u8();
    if (op2 >= 0x80 && op2 <= 0x8f) {
      if (!by.has(o32 ? 4 : 2)) return null;
      const d = o32 ? by.s32() : (by.u16() << 16) >> 16;
      return jcc(mk, op2 & 15, d, o32);
    }
    if (op2 === 0xb6 || op2 === 0xb7 || op2 === 0xbe || op2 === 0xbf) {
      // MOVZX / MOVSX.
      const from = op2 & 1 ? 15 : 7;
      return modrmOp(F_NONE, false, (e, m) => {
        const v = readE(e, m, from);
        e.line(`${regExpr(s, m.reg)} = ${op2 >= 0xbe ? signed(v, from) : v};`);
      });
    }
    if (op2 === 0xaf) {
      // IMUL Gv, Ev.
      return modrmOp(F_FULL, false, (e, m) => {
        const g = regExpr(s, m.reg);
        e.line(`${g} = ${emitImul(e, g, readE(e, m, s), s)};`);
      });
    }
    if (op2 >= 0x90 && op2 <= 0x9f) {
      // SETcc.
      const cc = op2 & 15;
      return modrmOp(F_READ, true, (e, m) => writeE(e, m, 7, `${e.cond(cc)} ? 1 : 0`), cc);
    }
    if (op2 >= 0x40 && op2 <= 0x4f) {
      // CMOVcc: the source is read even when the condition is false.
      const cc = op2 & 15;
      return modrmOp(
        F_READ,
        false,
        (e, m) => {
          e.line(`const v${e.i} = ${readE(e, m, s)};`);
          e.line(`if (${e.cond(cc)}) ${regExpr(s, m.reg)} = v${e.i};`);
        },
        cc,
      );
    }
  }
  return interpretOp(frame, pos, eip, code32);
}

/** A whitelisted instruction the block hands to the interpreter; null if it is not whitelisted. */
function interpretOp(frame: Uint8Array, pos: number, eip: number, code32: boolean): Op | null {
  const d = disassemble(frame.subarray(pos, Math.min(4096, pos + 15)), 0, { bits: code32 ? 32 : 16 });
  if (d.text === '(bad)' || pos + d.length > 4096) return null;
  // The opcode after the prefixes.
  let i = pos;
  while (PREFIXES.has(frame[i]) && i < pos + d.length) i++;
  const op = frame[i];
  const allowed = op === 0x0f ? INTERPRET_2[frame[i + 1]] === 1 : INTERPRET_1[op] === 1;
  if (!allowed) return null;
  const o = newOp(eip, d.length, code32);
  o.fault = true;
  o.writes = true;
  o.interpreted = true;
  o.flags = F_OPAQUE;
  o.emit = (e) => {
    // The interpreter needs the instruction's start (REP restarts from it) and the count (devices).
    e.line(`c.instrStart = ${eip}; c.instructionCount = ic + ${e.i}; c.ip = ${eip}; execute(c);`);
    e.line(
      `if (c.ip !== ${o.next} || c.attention || ${e.changed}) { c.instructionCount = ${e.retired}; return true; }`,
    );
    e.prod = e.cfProd = null;
  };
  return o;
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

/** Jcc: leaves the block when taken (or loops, when it jumps to the start); falls through otherwise. */
function jcc(mk: (fill: (o: Op) => void) => Op, cc: number, d: number, o32: boolean): Op {
  return mk((o) => {
    o.flags = F_EXIT;
    o.cc = cc;
    const t = o32 ? (o.next + d) | 0 : (o.next + d) & 0xffff;
    o.emit = (e) => {
      e.line(`if (${e.cond(cc)}) {`);
      takeBranch(e, t);
      e.line('}');
    };
  });
}

/** The taken side of a conditional branch to `t`: the CS limit check when it leaves the page, then the exit. */
function takeBranch(e: Emitter, t: number): void {
  if (!e.inPage(t)) {
    e.line(`k = ${e.i}; if (${t >>> 0} > c.segLimit[${CS}]) c.fault(13, 0);`);
  }
  e.branch(t);
}

// --- flag liveness --------------------------------------------------------------------------------

/** Decides which producers must store their lazy flags (see the header comment). */
function planFlags(ops: Op[]): void {
  let p = false;
  let q = false;
  for (const op of ops) {
    op.prodStatic = p;
    op.cfStatic = q;
    if (op.flags === F_FULL) p = q = true;
    else if (op.flags === F_INCDEC) p = true;
    else if (op.flags === F_OPAQUE) p = q = false;
  }
  let live = ARITH;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    switch (op.flags) {
      case F_FULL:
        op.store = (live & ARITH) !== 0 || op.fault;
        live = op.readsCF && !op.cfStatic ? CF : 0;
        break;
      case F_INCDEC:
        op.store = (live & ARITH) !== 0 || op.fault;
        if (op.store) live = op.cfStatic ? 0 : CF;
        break;
      case F_OPAQUE:
        live = ARITH;
        break;
      case F_EXIT:
        live = ARITH;
        break;
      case F_READ: {
        const base = op.cc >> 1;
        const needsCF = base === 1 || base === 3;
        if (!op.prodStatic || (needsCF && !op.cfStatic)) live = ARITH;
        break;
      }
    }
    if (op.fault) live = ARITH;
  }
}

// --- assembling the function -----------------------------------------------------------------------

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** `||`-joined tests that the code bytes [off, off+len) of the frame differ from now. */
function changedTest(words: Int32Array, off: number, len: number): string {
  const parts: string[] = [];
  for (let k = off >> 2; k <= (off + len - 1) >> 2; k++) {
    const lo = Math.max(off, k * 4) - k * 4;
    const hi = Math.min(off + len, k * 4 + 4) - k * 4;
    let mask = 0;
    for (let byte = lo; byte < hi; byte++) mask |= 0xff << (byte * 8);
    const value = words[k] & mask;
    parts.push(mask === -1 ? `w[${k}] !== ${value}` : `(w[${k}] & ${mask}) !== ${value}`);
  }
  return parts.join(' || ');
}

/**
 * Translates the block at frame offset `off` (EIP `eip`) for the CPU's current mode. Returns null
 * when its first instruction cannot be translated (the interpreter runs it).
 */
export function translate(
  c: Cpu,
  frame: Uint8Array,
  words: Int32Array,
  off: number,
  eip: number,
): Block | null {
  if (!LITTLE_ENDIAN) return null;
  const code32 = c.code32;
  const ops: Op[] = [];
  let pos = off;
  let e = eip;
  while (ops.length < MAX_LENGTH) {
    const op = decodeOp(frame, pos, e, code32);
    if (!op) break;
    ops.push(op);
    pos += op.len;
    e = op.next;
    if (op.ends) break;
  }
  if (ops.length === 0) return null;
  planFlags(ops);
  const length = ops.length;
  const pageStart = code32 ? (eip - off) | 0 : (eip - off) & 0xffff;
  const changed = changedTest(words, off, pos - off);
  const em = new Emitter(eip, length, pageStart, code32, c.ssBig, changed);
  const body: string[] = [];
  for (let i = 0; i < length; i++) {
    const op = ops[i];
    em.i = i;
    em.op = op;
    em.lines.length = 0;
    op.emit(em);
    if (op.fault) body.push(`k = ${i};`);
    body.push(...em.lines);
    if (op.fault && !op.ends) {
      // After a device access, return to the run loop so that an interrupt it raised (or a stop it
      // requested) is seen before the next instruction, as on the interpreter; after a write into
      // the block's own code, leave so that the new code runs. Both only follow a slow-path access
      // or a write into the code frame (`hit`).
      const leave = `{ c.ip = ${op.next}; c.instructionCount = ic + ${i + 1}; return true; }`;
      if (op.interpreted) body.push(`if (bus.mmioAccesses !== mm) ${leave}`);
      else
        body.push(
          `if (hit) { hit = false; if (bus.mmioAccesses !== mm${op.writes ? ` || ${changed}` : ''}) ${leave} }`,
        );
    }
  }
  const last = ops[length - 1];
  if (!last.ends) {
    body.push(`c.ip = ${last.next}; c.instructionCount = ic + ${length}; return true;`);
  }
  // A fault unwinds through the catch, which records the faulting instruction (`k`) as the
  // interpreter would have: its EIP for the restart and the instructions retired before it.
  const text = body.join('\n');
  const uses = (name: string) => text.includes(name);
  const locals = [
    'r = c.r32',
    uses('h[') ? 'h = c.r16' : '',
    uses('b[') ? 'b = c.r8' : '',
    uses('sb[') ? 'sb = c.segBase, fr = c.tlbFrame' : '',
    uses('rl[') ? 'rl = c.segRLim, tr = c.tagR' : '',
    uses('wl[') ? 'wl = c.segWLim, tw = c.tagW' : '',
    uses('bus.') ? 'bus = c.bus, mm = bus.mmioAccesses' : '',
  ].filter((x) => x !== '');
  const source = [
    'return function block(c, w, stop) {',
    `if (${changed}) return false;`,
    `const ${locals.join(', ')};`,
    'let ic = c.instructionCount, k = 0, hit = false;',
    'try {',
    'for (;;) {',
    text,
    '}',
    '} catch (x) { c.instrStart = EIPS[k]; c.instructionCount = ic + k; throw x; }',
    '};',
  ].join('\n');
  const make = new Function('execute', 'shift', 'PARITY', 'EIPS', 'cf', source) as (
    ex: typeof execute,
    sh: typeof shift,
    parity: Uint8Array,
    eips: Int32Array,
    codeFrame: Uint8Array,
  ) => Block['run'];
  const eips = Int32Array.from(ops, (op) => op.eip);
  return {
    eip,
    mode: blockMode(c),
    length,
    bytes: pos - off,
    run: make(execute, shift, PARITY, eips, frame),
  };
}
