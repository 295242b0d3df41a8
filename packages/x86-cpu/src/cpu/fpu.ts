// The x87 FPU's state and arithmetic (Intel SDM vol. 1 ch. 8): control, status and tag words, the
// eight data registers used as a stack, the last-instruction pointers, the exception flags with
// their masked responses, and the conversions between the register format and memory formats.
//
// Registers hold IEEE double (f64) values, as v86 does. What that makes exact and what not:
// - Exact: every load and store of m16/m32/m64 integers, m32/m64 reals, and m80 reals and m64
//   integers that are not changed in between. A register loaded by FLD m80, FILD m64 or a
//   constant (FLDPI ...) keeps its 80-bit encoding beside the f64 ("raw"), so FSTP m80, FISTP m64,
//   FNSAVE/FRSTOR and FXAM see the full 64-bit significand; any arithmetic uses the f64.
// - Arithmetic rounds to 53 bits (as with PC=10b) whatever PC says, except PC=00b (24 bits). RC
//   is honoured for FADD/FSUB/FMUL/FDIV/FSQRT (directed rounding from the exact error of the f64
//   operation), FRNDINT, FIST/FISTP, FBSTP and FST m32; PE comes from the same exact error.
// - The exponent range is f64's: results beyond ±1.8e308 become ±inf (OE) and below 2^-1022 lose
//   precision without UE, where a real x87 would still be exact; m80 denormals load as 0.
// - Transcendentals (FSIN, FPTAN, F2XM1, FYL2X ...) use the host's Math functions (f64 accuracy,
//   PE always set); NaN payloads follow the first NaN operand; SNaN operands from m32/m64 raise IE
//   on load, SNaNs loaded by FLD m80 raise IE in the basic arithmetic only.

/** Status word bits (SDM vol. 1 §8.1.3). */
export const IE = 0x01;
export const DE = 0x02;
export const ZE = 0x04;
export const OE = 0x08;
export const UE = 0x10;
export const PE = 0x20;
export const SF = 0x40;
export const ES = 0x80;
export const C0 = 0x100;
export const C1 = 0x200;
export const C2 = 0x400;
export const C3 = 0x4000;
export const B = 0x8000;
const CC = C0 | C1 | C2 | C3;

/** Tag values (SDM vol. 1 §8.1.7). */
export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const f32u = new Uint32Array(f32.buffer);

/** The QNaN floating-point indefinite (sign 1, quiet bit only). */
export const INDEFINITE = (() => {
  u32[0] = 0;
  u32[1] = 0xfff80000;
  return f64[0];
})();

/** 80-bit conversion results (module scratch, no allocation per instruction). */
export const x80 = { exp: 0, hi: 0, lo: 0 };

/** Splits an f64 into the 80-bit extended format (SDM vol. 1 §4.2.2): x80.exp (sign in bit 15), hi, lo. */
export function toF80(v: number): void {
  f64[0] = v;
  const lo = u32[0];
  const hi = u32[1];
  const sign = (hi >>> 16) & 0x8000;
  const e = (hi >>> 20) & 0x7ff;
  const frac = hi & 0xfffff;
  if (e === 0x7ff) {
    x80.exp = sign | 0x7fff;
    x80.hi = (0x80000000 | (frac << 11) | (lo >>> 21)) >>> 0;
    x80.lo = (lo << 11) >>> 0;
    return;
  }
  if (e === 0) {
    if (frac === 0 && lo === 0) {
      x80.exp = sign;
      x80.hi = x80.lo = 0;
      return;
    }
    // An f64 denormal is a normal extended number: normalise.
    let mh = frac;
    let ml = lo;
    let exp = 1 - 1023 + 16383;
    while (!(mh & 0x100000)) {
      mh = (mh << 1) | (ml >>> 31);
      ml = (ml << 1) >>> 0;
      exp--;
    }
    x80.exp = sign | exp;
    x80.hi = ((mh << 11) | (ml >>> 21)) >>> 0;
    x80.lo = (ml << 11) >>> 0;
    return;
  }
  x80.exp = sign | (e - 1023 + 16383);
  x80.hi = (0x80000000 | (frac << 11) | (lo >>> 21)) >>> 0;
  x80.lo = (lo << 11) >>> 0;
}

/** x * 2^n without intermediate overflow or underflow in the scale factor. */
export function scale2(x: number, n: number): number {
  while (n > 1000) {
    x *= 2 ** 1000;
    n -= 1000;
    if (!Number.isFinite(x)) return x;
  }
  while (n < -1000) {
    x *= 2 ** -1000;
    n += 1000;
    if (x === 0) return x;
  }
  return x * 2 ** n;
}

/** The f64 nearest to an 80-bit value (round to nearest even; unnormals read as their value). */
export function fromF80(exp: number, hi: number, lo: number): number {
  const sign = exp & 0x8000 ? -1 : 1;
  const e = exp & 0x7fff;
  if (e === 0x7fff) {
    if ((hi & 0x7fffffff) === 0 && lo === 0) return sign * Infinity;
    u32[1] = ((exp & 0x8000) << 16) | 0x7ff80000 | ((hi >>> 11) & 0x7ffff);
    u32[0] = ((hi << 21) | (lo >>> 11)) >>> 0;
    return f64[0];
  }
  const m = (hi >>> 0) * 4294967296 + (lo >>> 0); // one rounding to 53 bits
  return sign * scale2(m, (e === 0 ? 1 : e) - 16383 - 63);
}

/** The next f64 towards +inf (up) or -inf. */
export function nextAfter(v: number, up: boolean): number {
  if (v === 0) return up ? 5e-324 : -5e-324;
  f64[0] = v;
  const inc = v > 0 === up;
  let lo = u32[0];
  let hi = u32[1];
  if (inc) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) >>> 0;
  }
  u32[0] = lo;
  u32[1] = hi;
  return f64[0];
}

/** The next f32 towards +inf (up) or -inf, as an f64. */
function nextAfter32(v: number, up: boolean): number {
  if (v === 0) return up ? 2 ** -149 : -(2 ** -149);
  f32[0] = v;
  f32u[0] += v > 0 === up ? 1 : -1;
  return f32[0];
}

/** Rounds to an integer by RC (0 nearest even, 1 down, 2 up, 3 toward zero). */
export function roundInt(v: number, rc: number): number {
  switch (rc) {
    case 0: {
      const r = Math.round(v);
      return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
    case 1:
      return Math.floor(v);
    case 2:
      return Math.ceil(v);
    default:
      return Math.trunc(v);
  }
}

const SPLIT = 134217729; // 2^27 + 1 (Dekker)

/** The exact error of the f64 product p = a*b: a*b - p (valid when nothing overflows). */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** Arithmetic operation numbers: the ModR/M reg field of D8 /r. */
export const OP_ADD = 0;
export const OP_MUL = 1;
export const OP_SUB = 4;
export const OP_SUBR = 5;
export const OP_DIV = 6;
export const OP_DIVR = 7;

export class Fpu {
  /** Physical data registers R0..R7 as f64. ST(i) is R[(top + i) & 7]. */
  readonly regs = new Float64Array(8);
  /** 1 when physical register i is empty (tag 11b). */
  readonly empty = new Uint8Array(8);
  /** 1 when rawExp/rawHi/rawLo hold the register's exact 80-bit encoding. */
  readonly rawOk = new Uint8Array(8);
  readonly rawExp = new Uint16Array(8);
  readonly rawHi = new Uint32Array(8);
  readonly rawLo = new Uint32Array(8);
  /** Control word (SDM vol. 1 §8.1.5). */
  cw = 0x40;
  /** Status word without TOP (bits 11..13 are kept in `top`). */
  sw = 0;
  top = 0;
  /** Last instruction pointer (offset, or linear in real mode), its CS, the opcode (11 bits). */
  fip = 0;
  fcs = 0;
  fop = 0;
  /** Last data (operand) pointer and its selector. */
  fdp = 0;
  fds = 0;
  /** FERR# is asserted (an unmasked exception with CR0.NE=0 was signalled). */
  ferr = false;
  /** Called when FERR# rises (a PC routes it to IRQ 13). */
  onFerr: (() => void) | null = null;

  /** State after RESET on a P6 (SDM vol. 3 table 9-1): FCW 0040H, FSW 0, FTW 5555H, regs +0.0. */
  reset(): void {
    this.regs.fill(0);
    this.empty.fill(0);
    this.rawOk.fill(0);
    this.cw = 0x40;
    this.sw = 0;
    this.top = 0;
    this.fip = this.fcs = this.fop = this.fdp = this.fds = 0;
    this.ferr = false;
  }

  /** FNINIT (SDM vol. 2 FINIT): CW 037FH, SW 0, all registers empty, pointers cleared. */
  init(): void {
    this.cw = 0x37f;
    this.sw = 0;
    this.top = 0;
    this.empty.fill(1);
    this.rawOk.fill(0);
    this.fip = this.fcs = this.fop = this.fdp = this.fds = 0;
    this.ferr = false;
  }

  /** The status word as FNSTSW stores it. */
  get status(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  /** Loads a status word (FLDENV/FRSTOR); ES and B are recomputed from the flags and masks. */
  set status(v: number) {
    this.top = (v >> 11) & 7;
    this.sw = v & ~0x3800 & 0xffff;
    this.summarise();
  }

  /** FLDCW: bits 6 reads as 1, bits 13..15 are reserved. */
  setControl(v: number): void {
    this.cw = (v & 0x1f3f) | 0x40;
    this.summarise();
  }

  /** Recomputes ES/B: set when any exception flag is unmasked (SDM vol. 1 §8.1.3.5). */
  summarise(): void {
    if (this.sw & ~this.cw & 0x3f) this.sw |= ES | B;
    else this.sw &= ~(ES | B);
  }

  /** Sets exception flags; true when all of them are masked (the masked response applies). */
  raise(flags: number): boolean {
    this.sw |= flags;
    if (flags & ~this.cw & 0x3f) {
      this.sw |= ES | B;
      return false;
    }
    return true;
  }

  setCC(bits: number): void {
    this.sw = (this.sw & ~CC) | bits;
  }

  // --- the register stack -----------------------------------------------------------------------

  phys(i: number): number {
    return (this.top + i) & 7;
  }
  get(i: number): number {
    return this.regs[(this.top + i) & 7];
  }
  isEmpty(i: number): boolean {
    return this.empty[(this.top + i) & 7] !== 0;
  }
  set(i: number, v: number): void {
    const p = (this.top + i) & 7;
    this.regs[p] = v;
    this.empty[p] = 0;
    this.rawOk[p] = 0;
  }
  /** ST(i) is a signalling NaN kept exactly from FLD m80 (its f64 copy is already quiet). */
  isSNaN(i: number): boolean {
    const p = (this.top + i) & 7;
    return (
      this.rawOk[p] === 1 &&
      (this.rawExp[p] & 0x7fff) === 0x7fff &&
      (this.rawHi[p] & 0xc0000000) >>> 0 === 0x80000000 &&
      ((this.rawHi[p] & 0x3fffffff) | this.rawLo[p]) !== 0
    );
  }

  /** Sets ST(i) from an exact 80-bit encoding (and its f64 value). */
  setRaw(i: number, exp: number, hi: number, lo: number): void {
    const p = (this.top + i) & 7;
    this.regs[p] = fromF80(exp, hi, lo);
    this.empty[p] = 0;
    this.rawOk[p] = 1;
    this.rawExp[p] = exp;
    this.rawHi[p] = hi;
    this.rawLo[p] = lo;
  }
  /** Copies physical register `from` (value and raw encoding) into ST(i). */
  copyTo(i: number, from: number): void {
    const p = (this.top + i) & 7;
    this.regs[p] = this.regs[from];
    this.empty[p] = this.empty[from];
    this.rawOk[p] = this.rawOk[from];
    this.rawExp[p] = this.rawExp[from];
    this.rawHi[p] = this.rawHi[from];
    this.rawLo[p] = this.rawLo[from];
  }

  /**
   * Makes room for a push: false when ST(7) is in use (stack overflow, SDM vol. 1 §8.5.1.1), after
   * the masked response (push the indefinite) or nothing when IE is unmasked.
   */
  pushCheck(): boolean {
    if (!this.empty[(this.top - 1) & 7]) {
      this.setCC(C1);
      if (this.raise(IE | SF)) {
        this.top = (this.top - 1) & 7;
        this.set(0, INDEFINITE);
      }
      return false;
    }
    this.sw &= ~C1;
    return true;
  }
  push(v: number): void {
    if (!this.pushCheck()) return;
    this.top = (this.top - 1) & 7;
    this.set(0, v);
  }
  pushRaw(exp: number, hi: number, lo: number): void {
    if (!this.pushCheck()) return;
    this.top = (this.top - 1) & 7;
    this.setRaw(0, exp, hi, lo);
  }
  pop(): void {
    this.empty[this.top] = 1;
    this.rawOk[this.top] = 0;
    this.top = (this.top + 1) & 7;
  }

  /** Stack underflow (an empty operand): IE+SF, C1=0; true when masked (write the indefinite). */
  underflow(): boolean {
    this.setCC(0);
    return this.raise(IE | SF);
  }

  // --- classification ---------------------------------------------------------------------------

  /** Tag of physical register p (SDM vol. 1 §8.1.7). */
  tagOf(p: number): number {
    if (this.empty[p]) return TAG_EMPTY;
    if (this.rawOk[p]) {
      const e = this.rawExp[p] & 0x7fff;
      const hi = this.rawHi[p];
      if (e === 0) return hi === 0 && this.rawLo[p] === 0 ? TAG_ZERO : TAG_SPECIAL;
      if (e === 0x7fff || !(hi & 0x80000000)) return TAG_SPECIAL;
      return TAG_VALID;
    }
    const v = this.regs[p];
    if (v === 0) return TAG_ZERO;
    return Number.isFinite(v) ? TAG_VALID : TAG_SPECIAL;
  }

  /** The full tag word (FNSTENV/FNSAVE). */
  get tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) tw |= this.tagOf(p) << (p * 2);
    return tw;
  }

  /** FLDENV/FRSTOR: only "empty" is taken from the tags; the others follow the contents. */
  set tagWord(tw: number) {
    for (let p = 0; p < 8; p++) {
      this.empty[p] = ((tw >> (p * 2)) & 3) === TAG_EMPTY ? 1 : 0;
    }
  }

  /** FXAM condition codes for ST(0) (SDM vol. 2 FXAM): class in C3,C2,C0 and the sign in C1. */
  examine(): void {
    const p = this.top;
    let sign: boolean;
    let cls: number;
    if (this.rawOk[p]) {
      const e = this.rawExp[p] & 0x7fff;
      const hi = this.rawHi[p];
      const lo = this.rawLo[p];
      sign = (this.rawExp[p] & 0x8000) !== 0;
      if (e === 0) cls = hi === 0 && lo === 0 ? C3 : C3 | C2;
      else if (!(hi & 0x80000000)) cls = 0;
      else if (e === 0x7fff) cls = (hi & 0x7fffffff) === 0 && lo === 0 ? C2 | C0 : C0;
      else cls = C2;
    } else {
      const v = this.regs[p];
      f64[0] = v;
      sign = (u32[1] & 0x80000000) !== 0;
      if (v === 0) cls = C3;
      else if (Number.isNaN(v)) cls = C0;
      else if (!Number.isFinite(v)) cls = C2 | C0;
      else cls = C2;
    }
    if (this.empty[p]) cls = C3 | C0;
    this.setCC(cls | (sign ? C1 : 0));
  }

  // --- arithmetic -------------------------------------------------------------------------------

  /**
   * a op b for the six basic operations, with the invalid/zero-divide checks, PC=single rounding,
   * directed rounding by RC and PE. Returns the result, or NaN with `ok` false when an unmasked
   * exception means the destination must be left alone.
   */
  arith(op: number, a: number, b: number): number {
    this.ok = true;
    if (op === OP_SUBR || op === OP_DIVR) {
      const t = a;
      a = b;
      b = t;
      op--;
    }
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? a : b;
    let r: number;
    let err = 0;
    switch (op) {
      case OP_ADD:
      case OP_SUB: {
        if (op === OP_SUB) b = -b;
        r = a + b;
        if (Number.isNaN(r)) return this.invalid();
        if (Number.isFinite(r)) {
          const bb = r - a;
          err = a - (r - bb) + (b - bb);
          // x + (-x) is +0 except when rounding down (SDM vol. 1 table 4-7 / §4.8.3.2).
          if (r === 0 && a !== 0 && (this.cw & 0xc00) === 0x400) r = -0;
        }
        break;
      }
      case OP_MUL:
        r = a * b;
        if (Number.isNaN(r)) return this.invalid();
        if (Number.isFinite(r) && r !== 0) err = productError(a, b, r);
        break;
      default: {
        if (b === 0) {
          if (a === 0) return this.invalid();
          if (Number.isFinite(a)) {
            if (!this.raise(ZE)) return this.fail();
            return a < 0 !== Object.is(b, -0) ? -Infinity : Infinity;
          }
        }
        r = a / b;
        if (Number.isNaN(r)) return this.invalid();
        if (Number.isFinite(r) && r !== 0 && Number.isFinite(a) && Number.isFinite(b)) {
          const p = r * b;
          const rem = a - p - productError(r, b, p);
          err = rem === 0 ? 0 : rem > 0 === b > 0 ? 1 : -1;
        }
        break;
      }
    }
    return this.finish(r, err, Number.isFinite(a) && Number.isFinite(b));
  }

  /** Set by arith/sqrt: false when an unmasked exception suppressed the result. */
  ok = true;

  private invalid(): number {
    if (this.raise(IE)) return INDEFINITE;
    return this.fail();
  }

  private fail(): number {
    this.ok = false;
    return Number.NaN;
  }

  /** Applies PC=single, RC (given the sign of the exact error) and sets PE/OE for a result. */
  finish(r: number, err: number, finiteOperands: boolean): number {
    if (!Number.isFinite(r)) {
      if (finiteOperands && !Number.isNaN(r)) {
        this.raise(OE | PE);
        this.sw |= C1;
        const rc = (this.cw >> 10) & 3;
        if (rc === 3 || (rc === 1 && r > 0) || (rc === 2 && r < 0))
          r = r > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
      }
      return r;
    }
    if (err !== 0) {
      const rc = (this.cw >> 10) & 3;
      let up = false;
      if (rc === 1 && err < 0) r = nextAfter(r, false);
      else if (rc === 2 && err > 0) {
        r = nextAfter(r, true);
        up = true;
      } else if (rc === 3 && r !== 0 && (r > 0 ? err < 0 : err > 0)) r = nextAfter(r, r < 0);
      else if (rc === 0) up = err < 0;
      this.raise(PE);
      this.sw = up ? this.sw | C1 : this.sw & ~C1;
    }
    if ((this.cw & 0x300) === 0) {
      const s = Math.fround(r);
      if (s !== r) {
        this.raise(PE);
        return s;
      }
    }
    return r;
  }

  /** FSQRT: IE for a negative non-zero operand; -0 stays -0. */
  sqrt(a: number): number {
    this.ok = true;
    if (Number.isNaN(a)) return a;
    if (a < 0) return this.invalid();
    const r = Math.sqrt(a);
    let err = 0;
    if (Number.isFinite(r) && r !== 0) {
      const p = r * r;
      const rem = a - p - productError(r, r, p);
      err = rem === 0 ? 0 : rem > 0 ? 1 : -1;
    }
    return this.finish(r, err, true);
  }

  /** Compares a with b for FCOM/FUCOM/FCOMI: 0 greater, 1 less, 2 equal, 3 unordered. */
  compare(a: number, b: number, unordered: boolean): number {
    if (Number.isNaN(a) || Number.isNaN(b)) {
      // FCOM: any NaN is invalid; FUCOM: only SNaNs (not told apart here, so never).
      if (!unordered) this.raise(IE);
      return 3;
    }
    return a > b ? 0 : a < b ? 1 : 2;
  }

  /** Rounds to a value representable as f32 by RC (FST m32); sets PE/OE/UE. */
  roundSingle(v: number): number {
    let s = Math.fround(v);
    if (s === v || Number.isNaN(v)) return s;
    const rc = (this.cw >> 10) & 3;
    if (!Number.isFinite(s)) {
      // Overflow (SDM vol. 1 §4.9.1.4): ±inf for nearest, else the largest finite toward zero.
      this.raise(OE | PE);
      if (rc === 3 || (rc === 1 && v > 0) || (rc === 2 && v < 0)) s = Math.sign(v) * 3.4028234663852886e38;
      return s;
    }
    if (rc === 1 && s > v) s = nextAfter32(s, false);
    else if (rc === 2 && s < v) s = nextAfter32(s, true);
    else if (rc === 3 && Math.abs(s) > Math.abs(v)) s = nextAfter32(s, v < 0);
    if (Math.abs(s) < 1.1754943508222875e-38) this.raise(UE);
    this.raise(PE);
    this.sw = Math.abs(s) > Math.abs(v) ? this.sw | C1 : this.sw & ~C1;
    return s;
  }
}

/** The FPU's state as plain data (registers as 80-bit encodings: 4 hex digits of sign and exponent, 16 of significand). */
export interface FpuState {
  cw: number;
  sw: number;
  tw: number;
  /** Physical registers R0..R7. */
  regs: string[];
  fip: number;
  fcs: number;
  fop: number;
  fdp: number;
  fds: number;
  ferr: boolean;
}

const hex = (v: number, n: number) => (v >>> 0).toString(16).padStart(n, '0');

/** Saves the FPU state (exact: each register as its 80-bit encoding). */
export function getFpuState(f: Fpu): FpuState {
  const regs: string[] = [];
  for (let p = 0; p < 8; p++) {
    if (f.rawOk[p]) regs.push(hex(f.rawExp[p], 4) + hex(f.rawHi[p], 8) + hex(f.rawLo[p], 8));
    else {
      toF80(f.regs[p]);
      regs.push(hex(x80.exp, 4) + hex(x80.hi, 8) + hex(x80.lo, 8));
    }
  }
  return {
    cw: f.cw,
    sw: f.status,
    tw: f.tagWord,
    regs,
    fip: f.fip >>> 0,
    fcs: f.fcs,
    fop: f.fop,
    fdp: f.fdp >>> 0,
    fds: f.fds,
    ferr: f.ferr,
  };
}

/** Restores a state saved by getFpuState. */
export function setFpuState(f: Fpu, s: FpuState): void {
  for (let p = 0; p < 8; p++) {
    const r = s.regs[p] ?? '';
    const exp = Number.parseInt(r.slice(0, 4), 16) || 0;
    const hi = Number.parseInt(r.slice(4, 12), 16) || 0;
    const lo = Number.parseInt(r.slice(12, 20), 16) || 0;
    f.regs[p] = fromF80(exp, hi, lo);
    f.rawOk[p] = 1;
    f.rawExp[p] = exp;
    f.rawHi[p] = hi;
    f.rawLo[p] = lo;
  }
  f.cw = (s.cw & 0x1f3f) | 0x40;
  f.status = s.sw;
  f.tagWord = s.tw;
  f.fip = s.fip;
  f.fcs = s.fcs;
  f.fop = s.fop;
  f.fdp = s.fdp;
  f.fds = s.fds;
  f.ferr = s.ferr;
}
