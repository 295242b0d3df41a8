// The x87 instructions, opcodes D8-DF (Intel SDM vol. 2, and vol. 1 ch. 8; encodings in vol. 2
// appendix A.4): decoding by opcode, ModR/M mod and reg, memory operand formats, the environment and
// save-area layouts (vol. 1 §8.1.10-8.1.11, figures 8-9 to 8-12), and the #NM / #MF rules (vol. 1
// §8.6-8.7, vol. 3 §2.5 table 2-2). State and arithmetic are in fpu.ts.

import { type Cpu, NM, UD } from './cpu.js';
import { AF, CF, OF, PF, SF as SF_FLAG, ZF } from './flags.js';
import {
  C0,
  C1,
  C2,
  C3,
  DE,
  ES,
  type Fpu,
  IE,
  INDEFINITE,
  PE,
  roundInt,
  scale2,
  toF80,
  x80,
  ZE,
} from './fpu.js';
import { decodeEA } from './operands.js';
import { CS } from './state.js';

/** #MF, the x87 floating-point error (SDM vol. 3 §6.15, interrupt 16). */
export const MF = 16;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const f32u = new Uint32Array(f32.buffer);
/** Scratch for FRSTOR: the eight registers read before any state changes. */
const rstExp = new Uint16Array(8);
const rstHi = new Uint32Array(8);
const rstLo = new Uint32Array(8);
const rstEmpty = new Uint8Array(8);
/** 64-bit integer results (low, high) of the conversions below. */
let il = 0;
let ih = 0;

/** Constants of FLD1 ... FLDZ (D9 E8-EE) as 80-bit encodings rounded to nearest (SDM vol. 1 §8.3.5). */
const CONST_EXP = [0x3fff, 0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe, 0];
const CONST_HI = [0x80000000, 0xd49a784b, 0xb8aa3b29, 0xc90fdaa2, 0x9a209a84, 0xb17217f7, 0];
const CONST_LO = [0, 0xcd1b8afe, 0x5c17f0bc, 0x2168c235, 0xfbcff799, 0xd1cf79ac, 0];
/** +1: the nearest value was rounded up (down/chop take one less); -1: rounded down (up adds one). */
const CONST_DIR = [0, -1, 1, 1, 1, 1, 0];

/** WAIT/FWAIT (9B): #NM when CR0.MP and CR0.TS, then any pending unmasked exception. */
export function fwait(c: Cpu): void {
  if ((c.cr0Reg & 0xa) === 0xa) c.fault(NM);
  pending(c);
}

/** Reports a pending unmasked exception: #MF with CR0.NE=1, else FERR# (IRQ 13 on a PC). */
function pending(c: Cpu): void {
  const f = c.fpu;
  if (!(f.sw & ES)) return;
  if (c.cr0Reg & 0x20) c.fault(MF);
  if (!f.ferr) {
    f.ferr = true;
    if (f.onFerr) f.onFerr();
  }
}

/** Records the last instruction (and operand) pointers of a non-control instruction. */
function note(c: Cpu, op: number, m: number): void {
  const f = c.fpu;
  const pm = (c.cr0Reg & 1) !== 0;
  f.fip = pm ? c.instrStart >>> 0 : (c.csBase + c.instrStart) & 0xfffff;
  f.fcs = c.segSel[CS];
  f.fop = ((op & 7) << 8) | m;
  if (m < 0xc0) {
    f.fdp = pm ? c.eaOff >>> 0 : (c.segBase[c.eaSeg] + c.eaOff) & 0xfffff;
    f.fds = c.segSel[c.eaSeg];
  }
}

/** Executes an ESC instruction D8-DF (the opcode byte already fetched). */
export function executeFpu(c: Cpu, op: number): void {
  // #NM when CR0.EM or CR0.TS (SDM vol. 3 table 2-2); EM emulates, TS defers the context switch.
  if (c.cr0Reg & 0xc) c.fault(NM);
  const m = c.fetch8();
  if (m < 0xc0) {
    decodeEA(c, m);
    memoryForm(c, op, m);
  } else registerForm(c, op, m);
}

// ---- memory operands ---------------------------------------------------------------------------

function rdM32(c: Cpu): number {
  return c.lin32(c.linR(c.eaSeg, c.eaOff, 4));
}
function rdM16(c: Cpu): number {
  return c.lin16(c.linR(c.eaSeg, c.eaOff, 2));
}

/** Set by loadM32/loadM64 when an unmasked IE or DE means the instruction must not go on. */
let operandFault = false;

/** Reads an m32 real; IE for an SNaN (quietened), DE for a denormal. */
function loadM32(c: Cpu): number {
  f32u[0] = rdM32(c);
  const bits = f32u[0];
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff && !(bits & 0x400000)) {
    operandFault = !c.fpu.raise(IE);
    f32u[0] = bits | 0x400000;
  } else if ((bits & 0x7f800000) === 0 && bits & 0x7fffff) operandFault = !c.fpu.raise(DE);
  return f32[0];
}

/** Reads an m64 real; IE for an SNaN (quietened), DE for a denormal. */
function loadM64(c: Cpu): number {
  const lin = c.linR(c.eaSeg, c.eaOff, 8);
  u32[0] = c.lin32(lin);
  u32[1] = c.lin32(lin + 4);
  const hi = u32[1];
  if ((hi & 0x7ff00000) === 0x7ff00000 && (hi & 0xfffff || u32[0]) && !(hi & 0x80000)) {
    operandFault = !c.fpu.raise(IE);
    u32[1] = hi | 0x80000;
  } else if ((hi & 0x7ff00000) === 0 && (hi & 0xfffff || u32[0])) operandFault = !c.fpu.raise(DE);
  return f64[0];
}

/** Reads an m80 real into x80. */
function loadM80(c: Cpu, at = 0): void {
  const lin = c.linR(c.eaSeg, at ? c.eaNext(at) : c.eaOff, 10);
  x80.lo = c.lin32(lin) >>> 0;
  x80.hi = c.lin32(lin + 4) >>> 0;
  x80.exp = c.lin16(lin + 8);
}

/** The operand of D8-DF memory arithmetic (m32/m64 real, m32/m16 integer). */
function arithOperand(c: Cpu, op: number): number {
  switch (op) {
    case 0xd8:
      return loadM32(c);
    case 0xdc:
      return loadM64(c);
    case 0xda:
      return rdM32(c);
    default:
      return (rdM16(c) << 16) >> 16;
  }
}

function memoryForm(c: Cpu, op: number, m: number): void {
  const f = c.fpu;
  const reg = (m >> 3) & 7;
  // D8 DA DC DE: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR with a memory source.
  if (!(op & 1)) {
    pending(c);
    operandFault = false;
    const v = arithOperand(c, op);
    note(c, op, m);
    if (operandFault) return;
    if (reg === 2 || reg === 3) compare(c, f.isEmpty(0), f.get(0), false, v, false, reg === 3 ? 1 : 0);
    else binary(f, reg, 0, v, false);
    return;
  }
  switch ((op << 3) | reg) {
    case (0xd9 << 3) | 0: {
      pending(c);
      operandFault = false;
      const v = loadM32(c);
      note(c, op, m);
      if (operandFault) return;
      f.push(v);
      return;
    }
    case (0xd9 << 3) | 2:
    case (0xd9 << 3) | 3:
      pending(c);
      note(c, op, m);
      storeReal(c, 4, reg === 3);
      return;
    case (0xd9 << 3) | 4:
      pending(c);
      loadEnv(c);
      return;
    case (0xd9 << 3) | 5:
      pending(c);
      f.setControl(rdM16(c));
      return;
    case (0xd9 << 3) | 6:
      storeEnv(c);
      f.cw |= 0x3f; // FNSTENV masks all exceptions after storing
      f.summarise();
      return;
    case (0xd9 << 3) | 7:
      c.wr16(c.eaSeg, c.eaOff, f.cw);
      return;
    case (0xdb << 3) | 0: {
      pending(c);
      const v = rdM32(c);
      note(c, op, m);
      f.push(v);
      return;
    }
    case (0xdb << 3) | 2:
    case (0xdb << 3) | 3:
      pending(c);
      note(c, op, m);
      storeInt(c, 4, reg === 3);
      return;
    case (0xdb << 3) | 5:
      pending(c);
      loadM80(c);
      note(c, op, m);
      f.pushRaw(x80.exp, x80.hi, x80.lo);
      return;
    case (0xdb << 3) | 7:
      pending(c);
      note(c, op, m);
      storeReal(c, 10, true);
      return;
    case (0xdd << 3) | 0: {
      pending(c);
      operandFault = false;
      const v = loadM64(c);
      note(c, op, m);
      if (operandFault) return;
      f.push(v);
      return;
    }
    case (0xdd << 3) | 2:
    case (0xdd << 3) | 3:
      pending(c);
      note(c, op, m);
      storeReal(c, 8, reg === 3);
      return;
    case (0xdd << 3) | 4:
      pending(c);
      frstor(c);
      return;
    case (0xdd << 3) | 6:
      fnsave(c);
      return;
    case (0xdd << 3) | 7:
      c.wr16(c.eaSeg, c.eaOff, f.status);
      return;
    case (0xdf << 3) | 0: {
      pending(c);
      const v = (rdM16(c) << 16) >> 16;
      note(c, op, m);
      f.push(v);
      return;
    }
    case (0xdf << 3) | 2:
    case (0xdf << 3) | 3:
      pending(c);
      note(c, op, m);
      storeInt(c, 2, reg === 3);
      return;
    case (0xdf << 3) | 4:
      pending(c);
      loadM80(c);
      note(c, op, m);
      f.push(fromBcd());
      return;
    case (0xdf << 3) | 5: {
      pending(c);
      const lin = c.linR(c.eaSeg, c.eaOff, 8);
      const lo = c.lin32(lin) >>> 0;
      const hi = c.lin32(lin + 4);
      note(c, op, m);
      fild64(f, lo, hi);
      return;
    }
    case (0xdf << 3) | 6:
      pending(c);
      note(c, op, m);
      fbstp(c);
      return;
    case (0xdf << 3) | 7:
      pending(c);
      note(c, op, m);
      storeInt(c, 8, true);
      return;
    default:
      // D9 /1, DB /1 /4 /6, DD /1 /5, DF /1 (FISTTP is SSE3, which CPUID does not report).
      c.fault(UD);
  }
}

/** FILD m64: exact, keeping the 80-bit encoding (so FILD/FISTP copies 64-bit integers exactly). */
function fild64(f: Fpu, lo: number, hi: number): void {
  if (lo === 0 && hi === 0) {
    f.push(0);
    return;
  }
  let sign = 0;
  let mh = hi >>> 0;
  let ml = lo;
  if (hi < 0) {
    sign = 0x8000;
    ml = (~ml + 1) >>> 0;
    mh = (~mh + (ml === 0 ? 1 : 0)) >>> 0;
  }
  let exp = 16383 + 63;
  if (mh === 0) {
    mh = ml;
    ml = 0;
    exp -= 32;
  }
  const z = Math.clz32(mh);
  if (z) {
    mh = ((mh << z) | (ml >>> (32 - z))) >>> 0;
    ml = (ml << z) >>> 0;
    exp -= z;
  }
  f.pushRaw(sign | exp, mh, ml);
}

/** ST(0) as an 80-bit encoding in x80. */
function st0ToF80(f: Fpu, p: number): void {
  if (f.rawOk[p]) {
    x80.exp = f.rawExp[p];
    x80.hi = f.rawHi[p];
    x80.lo = f.rawLo[p];
  } else toF80(f.regs[p]);
}

/** FST/FSTP m32/m64/m80. */
function storeReal(c: Cpu, size: number, pop: boolean): void {
  const f = c.fpu;
  const p = f.top;
  let lo = 0;
  let hi = 0;
  let exp = 0;
  if (f.empty[p]) {
    if (!f.underflow()) return;
    if (size === 4) lo = 0xffc00000;
    else if (size === 8) hi = 0xfff80000;
    else {
      exp = 0xffff;
      hi = 0xc0000000;
    }
  } else if (size === 10) {
    st0ToF80(f, p);
    exp = x80.exp;
    hi = x80.hi;
    lo = x80.lo;
  } else {
    const v = f.regs[p];
    if (size === 4 && Number.isNaN(v)) {
      // Keep the NaN's sign and the top of its payload (the host's f32 conversion may not).
      f64[0] = v;
      lo = (u32[1] & 0x80000000) | 0x7fc00000 | ((u32[1] & 0x7ffff) << 3) | (u32[0] >>> 29);
    } else if (size === 4) {
      const sw = f.sw;
      f32[0] = f.roundSingle(v);
      if ((f.sw & ~sw & ~f.cw & 0x19) !== 0) return; // unmasked IE/OE/UE: nothing stored
      lo = f32u[0];
    } else {
      f64[0] = v;
      lo = u32[0];
      hi = u32[1];
      if (f.rawOk[p] && f.rawLo[p] & 0x7ff && (f.rawExp[p] & 0x7fff) !== 0x7fff) f.raise(PE);
    }
  }
  const lin = c.linW(c.eaSeg, c.eaOff, size);
  c.linW32(lin, lo);
  if (size >= 8) c.linW32(lin + 4, hi);
  if (size === 10) c.linW16(lin + 8, exp);
  if (pop) f.pop();
}

/** Converts ST(0) to a size-byte integer by RC into il/ih; false for the integer indefinite. */
function toInt(f: Fpu, p: number, size: number): boolean {
  if (size === 8 && f.rawOk[p] && intFromRaw(f, p)) return true;
  const v = f.regs[p];
  if (Number.isNaN(v)) {
    f.raise(IE);
    return false;
  }
  const r = roundInt(v, (f.cw >> 10) & 3);
  const lim = size === 2 ? 32768 : size === 4 ? 2147483648 : 2 ** 63;
  if (!(r >= -lim && r < lim)) {
    f.raise(IE);
    return false;
  }
  if (r !== v) {
    f.raise(PE);
    f.sw = Math.abs(r) > Math.abs(v) ? f.sw | C1 : f.sw & ~C1;
  }
  if (size === 8) {
    ih = Math.floor(r / 4294967296);
    il = (r - ih * 4294967296) >>> 0;
    ih |= 0;
  } else {
    il = r | 0;
    ih = r < 0 ? -1 : 0;
  }
  return true;
}

/** An exact 64-bit integer from the 80-bit encoding of physical register p, when it is one. */
function intFromRaw(f: Fpu, p: number): boolean {
  const exp = f.rawExp[p];
  const e = (exp & 0x7fff) - 16383;
  let mh = f.rawHi[p];
  let ml = f.rawLo[p];
  if (e < 0 || e > 62 || !(mh & 0x80000000)) return false;
  const sh = 63 - e;
  if (sh >= 32) {
    if (ml !== 0 || (sh > 32 && mh << (64 - sh) !== 0)) return false;
    ml = mh >>> (sh - 32);
    mh = 0;
  } else {
    if (ml << (32 - sh) !== 0) return false;
    ml = ((ml >>> sh) | (mh << (32 - sh))) >>> 0;
    mh >>>= sh;
  }
  if (exp & 0x8000) {
    ml = (~ml + 1) >>> 0;
    mh = (~mh + (ml === 0 ? 1 : 0)) >>> 0;
  }
  il = ml;
  ih = mh | 0;
  return true;
}

/** FIST/FISTP m16/m32/m64 (SDM vol. 2 FIST): rounding per RC, the integer indefinite on overflow. */
function storeInt(c: Cpu, size: number, pop: boolean): void {
  const f = c.fpu;
  const p = f.top;
  let ok: boolean;
  if (f.empty[p]) {
    if (!f.underflow()) return;
    ok = false;
  } else ok = toInt(f, p, size);
  if (!ok) {
    if (!(f.cw & IE)) return; // unmasked invalid: nothing stored
    il = size === 2 ? 0x8000 : size === 4 ? 0x80000000 : 0;
    ih = 0x80000000;
  }
  const lin = c.linW(c.eaSeg, c.eaOff, size);
  if (size === 2) c.linW16(lin, il);
  else c.linW32(lin, il);
  if (size === 8) c.linW32(lin + 4, ih);
  if (pop) f.pop();
}

/** FBLD: the packed BCD in x80 (18 digits, sign in byte 9 bit 7). */
function fromBcd(): number {
  let v = 0;
  for (let i = 8; i >= 0; i--) {
    const b =
      i < 4 ? (x80.lo >>> (i * 8)) & 0xff : i < 8 ? (x80.hi >>> ((i - 4) * 8)) & 0xff : x80.exp & 0xff;
    v = v * 100 + (b >> 4) * 10 + (b & 15);
  }
  return x80.exp & 0x8000 ? -v : v;
}

/** FBSTP m80: ST(0) rounded per RC as 18 packed BCD digits; the BCD indefinite when out of range. */
function fbstp(c: Cpu): void {
  const f = c.fpu;
  const p = f.top;
  const bytes = BCD;
  let ok = true;
  if (f.empty[p]) {
    if (!f.underflow()) return;
    ok = false;
  } else {
    const v = f.regs[p];
    const r = roundInt(v, (f.cw >> 10) & 3);
    if (Number.isNaN(v) || !(Math.abs(r) < 1e18)) {
      ok = false;
      if (!f.raise(IE)) return;
    } else {
      if (r !== v) f.raise(PE);
      let a = Math.abs(r);
      for (let i = 0; i < 9; i++) {
        const two = a % 100;
        a = Math.floor(a / 100);
        bytes[i] = ((Math.floor(two / 10) << 4) | (two % 10)) & 0xff;
      }
      f64[0] = r;
      bytes[9] = u32[1] & 0x80000000 ? 0x80 : 0;
    }
  }
  if (!ok) {
    bytes.fill(0);
    bytes[7] = 0xc0;
    bytes[8] = bytes[9] = 0xff;
  }
  const lin = c.linW(c.eaSeg, c.eaOff, 10);
  for (let i = 0; i < 10; i++) c.linW8(lin + i, bytes[i]);
  f.pop();
}
const BCD = new Uint8Array(10);

// ---- environment and save area -----------------------------------------------------------------

/** Size of the environment image: 28 bytes with a 32-bit operand size, else 14. */
function envSize(c: Cpu): number {
  return c.o32 ? 28 : 14;
}

/** FNSTENV layout (SDM vol. 1 figures 8-9 to 8-12): protected or real mode, 16 or 32 bits. */
function storeEnv(c: Cpu): void {
  const f = c.fpu;
  const lin = c.linW(c.eaSeg, c.eaOff, envSize(c));
  const pm = (c.cr0Reg & 1) !== 0;
  if (c.o32) {
    c.linW32(lin, f.cw | 0xffff0000);
    c.linW32(lin + 4, f.status | 0xffff0000);
    c.linW32(lin + 8, f.tagWord | 0xffff0000);
    if (pm) {
      c.linW32(lin + 12, f.fip);
      c.linW32(lin + 16, f.fcs | (f.fop << 16));
      c.linW32(lin + 20, f.fdp);
      c.linW32(lin + 24, f.fds | 0xffff0000);
    } else {
      c.linW32(lin + 12, (f.fip & 0xffff) | 0xffff0000);
      c.linW32(lin + 16, ((f.fip >>> 16) << 12) | f.fop);
      c.linW32(lin + 20, (f.fdp & 0xffff) | 0xffff0000);
      c.linW32(lin + 24, (f.fdp >>> 16) << 12);
    }
  } else {
    c.linW16(lin, f.cw);
    c.linW16(lin + 2, f.status);
    c.linW16(lin + 4, f.tagWord);
    if (pm) {
      c.linW16(lin + 6, f.fip);
      c.linW16(lin + 8, f.fcs);
      c.linW16(lin + 10, f.fdp);
      c.linW16(lin + 12, f.fds);
    } else {
      c.linW16(lin + 6, f.fip);
      c.linW16(lin + 8, (((f.fip >>> 16) & 0xf) << 12) | f.fop);
      c.linW16(lin + 10, f.fdp);
      c.linW16(lin + 12, ((f.fdp >>> 16) & 0xf) << 12);
    }
  }
}

/** Reads an environment image; applied by the caller after every read succeeded. */
let envCw = 0;
let envSw = 0;
let envTw = 0;
let envFip = 0;
let envFcs = 0;
let envFop = 0;
let envFdp = 0;
let envFds = 0;

function readEnv(c: Cpu): void {
  const lin = c.linR(c.eaSeg, c.eaOff, envSize(c));
  const pm = (c.cr0Reg & 1) !== 0;
  if (c.o32) {
    envCw = c.lin16(lin);
    envSw = c.lin16(lin + 4);
    envTw = c.lin16(lin + 8);
    const a = c.lin32(lin + 12) >>> 0;
    const b = c.lin32(lin + 16) >>> 0;
    const d = c.lin32(lin + 20) >>> 0;
    const e = c.lin32(lin + 24) >>> 0;
    if (pm) {
      envFip = a;
      envFcs = b & 0xffff;
      envFop = (b >>> 16) & 0x7ff;
      envFdp = d;
      envFds = e & 0xffff;
    } else {
      envFip = ((a & 0xffff) | ((b >>> 12) << 16)) >>> 0;
      envFop = b & 0x7ff;
      envFdp = ((d & 0xffff) | ((e >>> 12) << 16)) >>> 0;
      envFcs = envFds = 0;
    }
  } else {
    envCw = c.lin16(lin);
    envSw = c.lin16(lin + 2);
    envTw = c.lin16(lin + 4);
    const a = c.lin16(lin + 6);
    const b = c.lin16(lin + 8);
    const d = c.lin16(lin + 10);
    const e = c.lin16(lin + 12);
    if (pm) {
      envFip = a;
      envFcs = b;
      envFdp = d;
      envFds = e;
      envFop = 0;
    } else {
      envFip = a | ((b >> 12) << 16);
      envFop = b & 0x7ff;
      envFdp = d | ((e >> 12) << 16);
      envFcs = envFds = 0;
    }
  }
}

function applyEnv(f: Fpu): void {
  f.cw = (envCw & 0x1f3f) | 0x40;
  f.status = envSw;
  f.tagWord = envTw;
  f.fip = envFip;
  f.fcs = envFcs;
  f.fop = envFop;
  f.fdp = envFdp;
  f.fds = envFds;
}

function loadEnv(c: Cpu): void {
  readEnv(c);
  applyEnv(c.fpu);
}

/** FNSAVE: the environment, ST(0)..ST(7) as 80-bit values, then FNINIT. */
function fnsave(c: Cpu): void {
  const f = c.fpu;
  const env = envSize(c);
  const lin = c.linW(c.eaSeg, c.eaOff, env + 80);
  // Touch the last byte first so a fault on either page happens before anything is stored.
  c.linW8(lin + env + 79, 0);
  storeEnv(c);
  for (let i = 0; i < 8; i++) {
    st0ToF80(f, f.phys(i));
    const a = lin + env + i * 10;
    c.linW32(a, x80.lo);
    c.linW32(a + 4, x80.hi);
    c.linW16(a + 8, x80.exp);
  }
  f.init();
}

/** FRSTOR: reads everything first (a fault leaves the FPU unchanged), then loads it. */
function frstor(c: Cpu): void {
  const f = c.fpu;
  const env = envSize(c);
  readEnv(c);
  for (let i = 0; i < 8; i++) {
    loadM80(c, env + i * 10);
    rstExp[i] = x80.exp;
    rstHi[i] = x80.hi;
    rstLo[i] = x80.lo;
  }
  applyEnv(f);
  rstEmpty.set(f.empty);
  for (let i = 0; i < 8; i++) f.setRaw(i, rstExp[i], rstHi[i], rstLo[i]);
  f.empty.set(rstEmpty);
  f.summarise();
}

// ---- register operands -------------------------------------------------------------------------

/**
 * ST(d) = ST(d) op v (reg field numbering of D8 /r). `pop` for the P forms. Stack underflow gives
 * the indefinite when IE is masked; an unmasked IE/ZE leaves the destination unchanged.
 */
function binary(f: Fpu, op: number, d: number, v: number, pop: boolean): void {
  if (f.isEmpty(0)) {
    if (f.underflow()) f.set(d, INDEFINITE);
    else return;
  } else {
    f.sw &= ~C1;
    if (f.isSNaN(0) && !f.raise(IE)) return;
    const r = f.arith(op, f.get(d), v);
    if (!f.ok) return;
    f.set(d, r);
  }
  if (pop) f.pop();
}

/** binary() with a register source ST(s); `dst` is the destination's stack index. */
function binaryReg(f: Fpu, op: number, dst: number, src: number, pop: boolean): void {
  if (f.isEmpty(dst) || f.isEmpty(src)) {
    if (!f.underflow()) return;
    f.set(dst, INDEFINITE);
    if (pop) f.pop();
    return;
  }
  f.sw &= ~C1;
  if ((f.isSNaN(dst) || f.isSNaN(src)) && !f.raise(IE)) return;
  const r = f.arith(op, f.get(dst), f.get(src));
  if (!f.ok) return;
  f.set(dst, r);
  if (pop) f.pop();
}

/**
 * FCOM/FUCOM/FCOMI family: compares a (ST(0)) with b; sets C3/C2/C0 or, with `eflags`, ZF/PF/CF.
 * `pops` is how many registers to pop afterwards.
 */
function compare(
  c: Cpu,
  aEmpty: boolean,
  a: number,
  bEmpty: boolean,
  b: number,
  unordered: boolean,
  pops: number,
  eflags = false,
): void {
  const f = c.fpu;
  let r: number;
  if (aEmpty || bEmpty) {
    if (!f.underflow()) return;
    r = 3;
  } else {
    const before = f.sw;
    r = f.compare(a, b, unordered);
    // An unmasked invalid operation leaves the condition codes (or EFLAGS) and the stack alone.
    if (f.sw & ~before & IE && !(f.cw & IE)) return;
  }
  if (eflags) {
    c.getFlags();
    const bits = r === 0 ? 0 : r === 1 ? CF : r === 2 ? ZF : ZF | PF | CF;
    c.fl = (c.fl & ~(ZF | PF | CF | OF | SF_FLAG | AF)) | bits;
    f.sw &= ~C1;
  } else f.setCC(r === 0 ? 0 : r === 1 ? C0 : r === 2 ? C3 : C3 | C2 | C0);
  for (let i = 0; i < pops; i++) f.pop();
}

/** An operation on ST(0) alone; `fn` returns the result (or sets f.ok false). */
function unaryCheck(f: Fpu): boolean {
  if (f.isEmpty(0)) {
    if (f.underflow()) f.set(0, INDEFINITE);
    return false;
  }
  f.sw &= ~C1;
  return true;
}

function registerForm(c: Cpu, op: number, m: number): void {
  const f = c.fpu;
  const reg = (m >> 3) & 7;
  const i = m & 7;
  switch (op) {
    case 0xd8:
      pending(c);
      note(c, op, m);
      if (reg === 2 || reg === 3) compare(c, f.isEmpty(0), f.get(0), f.isEmpty(i), f.get(i), false, reg & 1);
      else binaryReg(f, reg, 0, i, false);
      return;
    case 0xdc:
    case 0xde:
      // ST(i) = ST(i) op ST(0): the SUB/SUBR and DIV/DIVR encodings swap (SDM vol. 2 A.4.2 note).
      if (op === 0xde && reg === 3 && m !== 0xd9) c.fault(UD);
      pending(c);
      note(c, op, m);
      if (reg === 2 || reg === 3) {
        const pops = op === 0xde ? (reg === 3 ? 2 : 1) : reg & 1;
        compare(c, f.isEmpty(0), f.get(0), f.isEmpty(i), f.get(i), false, pops);
      } else binaryReg(f, reg >= 4 ? reg ^ 1 : reg, i, 0, op === 0xde);
      return;
    case 0xd9:
      d9(c, m, reg, i);
      return;
    case 0xda:
      if (reg < 4) {
        pending(c);
        note(c, op, m);
        fcmov(c, reg, false, i);
      } else if (m === 0xe9) {
        pending(c);
        note(c, op, m);
        compare(c, f.isEmpty(0), f.get(0), f.isEmpty(1), f.get(1), true, 2);
      } else c.fault(UD);
      return;
    case 0xdb:
      if (reg < 4) {
        pending(c);
        note(c, op, m);
        fcmov(c, reg, true, i);
      } else if (reg === 5 || reg === 6) {
        pending(c);
        note(c, op, m);
        compare(c, f.isEmpty(0), f.get(0), f.isEmpty(i), f.get(i), reg === 5, 0, true);
      } else if (m === 0xe2) {
        f.sw &= 0x7f00; // FNCLEX: flags, SF, ES and B cleared
        f.ferr = false;
      } else if (m === 0xe3) f.init();
      else if (m === 0xe0 || m === 0xe1 || m === 0xe4) {
        pending(c); // FENI, FDISI (8087), FSETPM (287): no-ops on a 387 and later
      } else c.fault(UD);
      return;
    case 0xdd:
      if (reg >= 6) c.fault(UD);
      pending(c);
      note(c, op, m);
      if (reg === 0) {
        f.empty[f.phys(i)] = 1; // FFREE
      } else if (reg === 1) fxch(f, i);
      else if (reg === 2 || reg === 3) fstReg(f, i, reg === 3);
      else compare(c, f.isEmpty(0), f.get(0), f.isEmpty(i), f.get(i), true, reg === 5 ? 1 : 0);
      return;
    default:
      // DF
      if (m === 0xe0) {
        c.r16[0] = f.status; // FNSTSW AX
        return;
      }
      if (reg === 4 || reg === 7) c.fault(UD);
      pending(c);
      note(c, op, m);
      if (reg === 0) {
        f.empty[f.phys(i)] = 1; // FFREEP (undocumented)
        f.pop();
      } else if (reg === 1) fxch(f, i);
      else if (reg === 2 || reg === 3) fstReg(f, i, true);
      else compare(c, f.isEmpty(0), f.get(0), f.isEmpty(i), f.get(i), reg === 5, 1, true);
  }
}

/** FCMOVcc (P6): B E BE U on DA, NB NE NBE NU on DB. */
function fcmov(c: Cpu, cc: number, negate: boolean, i: number): void {
  const f = c.fpu;
  let t: boolean;
  switch (cc) {
    case 0:
      t = c.getCF() !== 0;
      break;
    case 1:
      t = c.getZF() !== 0;
      break;
    case 2:
      t = c.getCF() !== 0 || c.getZF() !== 0;
      break;
    default:
      t = c.getPF() !== 0;
  }
  if (f.isEmpty(0) || f.isEmpty(i)) {
    if (f.underflow()) f.set(0, INDEFINITE);
    return;
  }
  f.sw &= ~C1;
  if (t !== negate) f.copyTo(0, f.phys(i));
}

function fxch(f: Fpu, i: number): void {
  if (f.isEmpty(0) || f.isEmpty(i)) {
    if (!f.underflow()) return;
    if (f.isEmpty(0)) f.set(0, INDEFINITE);
    if (f.isEmpty(i)) f.set(i, INDEFINITE);
  }
  f.sw &= ~C1;
  const p = f.phys(i);
  const t = f.top;
  const v = f.regs[t];
  const ok = f.rawOk[t];
  const e = f.rawExp[t];
  const h = f.rawHi[t];
  const l = f.rawLo[t];
  f.copyTo(0, p);
  f.regs[p] = v;
  f.empty[p] = 0;
  f.rawOk[p] = ok;
  f.rawExp[p] = e;
  f.rawHi[p] = h;
  f.rawLo[p] = l;
}

/** FST/FSTP ST(i). */
function fstReg(f: Fpu, i: number, pop: boolean): void {
  if (f.isEmpty(0)) {
    if (!f.underflow()) return;
    f.set(i, INDEFINITE);
  } else {
    f.sw &= ~C1;
    f.copyTo(i, f.top);
  }
  if (pop) f.pop();
}

function d9(c: Cpu, m: number, reg: number, i: number): void {
  const f = c.fpu;
  if (reg === 0) {
    pending(c);
    note(c, 0xd9, m);
    const p = f.phys(i);
    if (f.empty[p]) {
      if (!f.underflow()) return;
      f.push(INDEFINITE);
      return;
    }
    if (!f.pushCheck()) return;
    f.top = (f.top - 1) & 7;
    f.copyTo(0, p);
    return;
  }
  if (reg === 1) {
    pending(c);
    note(c, 0xd9, m);
    fxch(f, i);
    return;
  }
  if (m === 0xd0 || reg === 3) {
    // FNOP; D9 D8+i is an undocumented alias of FSTP ST(i).
    pending(c);
    note(c, 0xd9, m);
    if (reg === 3) fstReg(f, i, true);
    return;
  }
  if (reg === 2) c.fault(UD);
  if (m >= 0xe8 && m <= 0xef) {
    if (m === 0xef) c.fault(UD);
    pending(c);
    note(c, 0xd9, m);
    const k = m - 0xe8;
    const rc = (f.cw >> 10) & 3;
    let lo = CONST_LO[k];
    if (CONST_DIR[k] > 0 && (rc === 1 || rc === 3)) lo -= 1;
    else if (CONST_DIR[k] < 0 && rc === 2) lo += 1;
    f.pushRaw(CONST_EXP[k], CONST_HI[k], lo >>> 0);
    return;
  }
  switch (m) {
    case 0xe2:
    case 0xe3:
    case 0xe6:
    case 0xe7:
      c.fault(UD);
  }
  pending(c);
  note(c, 0xd9, m);
  const p = f.top;
  switch (m) {
    case 0xe0: // FCHS
    case 0xe1: // FABS
      if (!unaryCheck(f)) return;
      if (m === 0xe0) f.regs[p] = -f.regs[p];
      else f.regs[p] = Math.abs(f.regs[p]);
      if (m === 0xe0) f.rawExp[p] ^= 0x8000;
      else f.rawExp[p] &= 0x7fff;
      return;
    case 0xe4: // FTST
      compare(c, f.empty[p] !== 0, f.regs[p], false, 0, false, 0);
      return;
    case 0xe5: // FXAM
      f.examine();
      return;
    case 0xf6: // FDECSTP
      f.top = (f.top - 1) & 7;
      f.sw &= ~C1;
      return;
    case 0xf7: // FINCSTP
      f.top = (f.top + 1) & 7;
      f.sw &= ~C1;
      return;
  }
  transcendental(f, m);
}

/** D9 F0-FF except FDECSTP/FINCSTP. Two-operand ones use ST(1) and pop as the manual says. */
function transcendental(f: Fpu, m: number): void {
  const two = m === 0xf1 || m === 0xf3 || m === 0xf5 || m === 0xf8 || m === 0xf9 || m === 0xfd;
  if (f.isEmpty(0) || (two && f.isEmpty(1))) {
    if (!f.underflow()) return;
    f.set(0, INDEFINITE);
    if (m === 0xf1 || m === 0xf3 || m === 0xf9) {
      f.set(1, INDEFINITE);
      f.pop();
    } else if (m === 0xf2 || m === 0xf4 || m === 0xfb) f.push(INDEFINITE);
    return;
  }
  f.sw &= ~C1;
  const x = f.get(0);
  const y = two ? f.get(1) : 0;
  switch (m) {
    case 0xf0: // F2XM1: 2^x - 1 for -1 <= x <= 1
      setResult(f, 0, Number.isNaN(x) ? x : Math.expm1(x * Math.LN2), x === 0);
      return;
    case 0xf1: // FYL2X: ST(1) = y * log2(x), pop
    case 0xf9: {
      // FYL2XP1: ST(1) = y * log2(x + 1), pop
      let r: number;
      if (Number.isNaN(x) || Number.isNaN(y)) r = Number.isNaN(x) ? x : y;
      else if (m === 0xf1 && (x < 0 || (x === 0 && y === 0) || (x === 1 && !Number.isFinite(y))))
        r = invalid(f);
      else if (m === 0xf9 && x < -1) r = invalid(f);
      else {
        if (m === 0xf1 && x === 0 && Number.isFinite(y) && !f.raise(ZE)) return;
        r = m === 0xf1 ? y * Math.log2(x) : (y * Math.log1p(x)) / Math.LN2;
        if (Number.isNaN(r)) r = invalid(f);
      }
      if (!f.ok) return;
      setResult(f, 1, r, false);
      if (f.ok) f.pop();
      return;
    }
    case 0xf2: // FPTAN: ST(0) = tan, push 1.0
    case 0xfe: // FSIN
    case 0xff: // FCOS
    case 0xfb: {
      // FSINCOS: ST(0) = sin, push cos
      if (Number.isNaN(x) || !Number.isFinite(x)) {
        const r = Number.isNaN(x) ? x : invalid(f);
        if (!f.ok) return;
        f.set(0, r);
        if (m === 0xf2 || m === 0xfb) f.push(r);
        f.sw &= ~C2;
        return;
      }
      if (Math.abs(x) >= 2 ** 63) {
        f.sw |= C2; // out of range: operand unchanged (SDM vol. 2 FSIN)
        return;
      }
      f.sw &= ~C2;
      if (m === 0xf2) {
        setResult(f, 0, Math.tan(x), x === 0);
        f.push(1);
      } else if (m === 0xfe) setResult(f, 0, Math.sin(x), x === 0);
      else if (m === 0xff) setResult(f, 0, Math.cos(x), false);
      else {
        const cos = Math.cos(x);
        setResult(f, 0, Math.sin(x), x === 0);
        f.push(cos);
      }
      return;
    }
    case 0xf3: {
      // FPATAN: ST(1) = atan(ST(1) / ST(0)), pop
      setResult(
        f,
        1,
        Number.isNaN(x) || Number.isNaN(y) ? (Number.isNaN(x) ? x : y) : Math.atan2(y, x),
        y === 0 && x > 0,
      );
      f.pop();
      return;
    }
    case 0xf4: {
      // FXTRACT: ST(0) = exponent, push significand
      if (x === 0) {
        if (!f.raise(ZE)) return;
        f.set(0, -Infinity);
        f.push(x);
        return;
      }
      if (Number.isNaN(x) || !Number.isFinite(x)) {
        f.set(0, Number.isNaN(x) ? x : Infinity);
        f.push(x);
        return;
      }
      const p = f.top;
      if (f.rawOk[p] && f.rawHi[p] & 0x80000000 && f.rawExp[p] & 0x7fff) {
        const e = f.rawExp[p];
        const hi = f.rawHi[p];
        const lo = f.rawLo[p];
        f.set(0, (e & 0x7fff) - 16383);
        f.pushRaw((e & 0x8000) | 0x3fff, hi, lo);
        return;
      }
      toF80(x);
      const e = (x80.exp & 0x7fff) - 16383;
      f.set(0, e);
      f.push(scale2(x, -e));
      return;
    }
    case 0xf5: // FPREM1
    case 0xf8: // FPREM
      fprem(f, x, y, m === 0xf5);
      return;
    case 0xfa: {
      const r = f.sqrt(x);
      if (f.ok) f.set(0, r);
      return;
    }
    case 0xfc: {
      // FRNDINT
      if (Number.isNaN(x) || !Number.isFinite(x)) return;
      const r = roundInt(x, (f.cw >> 10) & 3);
      if (r !== x) {
        f.raise(PE);
        if (Math.abs(r) > Math.abs(x)) f.sw |= C1;
      }
      if (r !== x) f.set(0, r);
      return;
    }
    default: {
      // 0xfd FSCALE: ST(0) * 2^trunc(ST(1))
      let r: number;
      if (Number.isNaN(x) || Number.isNaN(y)) r = Number.isNaN(x) ? x : y;
      else if (!Number.isFinite(y)) {
        if ((y > 0 && x === 0) || (y < 0 && !Number.isFinite(x))) r = invalid(f);
        else r = y > 0 ? x * Infinity : x * 0;
      } else r = scale2(x, Math.max(-100000, Math.min(100000, Math.trunc(y))));
      if (!f.ok) return;
      setResult(f, 0, f.finish(r, 0, Number.isFinite(x) && Number.isFinite(y)), true);
    }
  }
}

function invalid(f: Fpu): number {
  f.ok = true;
  if (f.raise(IE)) return INDEFINITE;
  f.ok = false;
  return Number.NaN;
}

/** Stores a transcendental result in ST(d); PE unless `exact`. */
function setResult(f: Fpu, d: number, r: number, exact: boolean): void {
  f.ok = true;
  if (Number.isNaN(r) && !Number.isNaN(f.get(0)) && (d === 0 || !Number.isNaN(f.get(1)))) {
    r = invalid(f);
    if (!f.ok) return;
  }
  if (!exact && Number.isFinite(r)) f.raise(PE);
  f.set(d, r);
}

/**
 * FPREM (truncating quotient) / FPREM1 (IEEE, nearest quotient): ST(0) = remainder of ST(0) / ST(1).
 * With an exponent difference of 64 or more the reduction is partial (C2=1), by a multiple of
 * ST(1) * 2^(d-63); otherwise complete (C2=0) with the quotient's low three bits in C0, C3, C1.
 */
function fprem(f: Fpu, x: number, y: number, ieee: boolean): void {
  if (Number.isNaN(x) || Number.isNaN(y)) {
    f.set(0, Number.isNaN(x) ? x : y);
    return;
  }
  if (!Number.isFinite(x) || y === 0) {
    const r = invalid(f);
    if (f.ok) f.set(0, r);
    return;
  }
  if (!Number.isFinite(y) || x === 0) {
    f.setCC(0);
    return;
  }
  toF80(x);
  const ex = x80.exp & 0x7fff;
  toF80(y);
  const d = ex - (x80.exp & 0x7fff);
  if (d >= 64) {
    const s = scale2(Math.abs(y), d - 63);
    let r = x % s;
    if (r === 0) r = x < 0 ? -0 : 0;
    f.set(0, r);
    f.setCC(C2);
    return;
  }
  let r = x % y;
  let q = Math.round(Math.abs((x - r) / y));
  if (ieee) {
    const ay = Math.abs(y);
    const ar = Math.abs(r);
    if (ar * 2 > ay || (ar * 2 === ay && q % 2 === 1)) {
      r = r > 0 ? r - ay : r + ay;
      q += 1;
    }
  }
  if (r === 0) r = x < 0 ? -0 : 0;
  f.set(0, r);
  q %= 8;
  f.setCC((q & 4 ? C0 : 0) | (q & 2 ? C3 : 0) | (q & 1 ? C1 : 0));
}
