// ModR/M and SIB addressing (Intel SDM vol. 2 §2.1.5) and operand access for the interpreter:
// effective-address calculation for 16- and 32-bit address sizes, register/memory operand
// reads and writes, and the ALU with lazy flags (Intel SDM vol. 1 §3.4.3.1).

import { BYTE_REG, type Cpu, L_ADC, L_ADD, L_LOGIC, L_SBB, L_SUB } from './cpu.js';
import { AF, ARITH, CF, OF, PF, SF, ZF } from './flags.js';
import { DS, SS } from './state.js';

/** Decodes the memory operand of ModR/M byte `m` (mod != 3) into cpu.eaSeg / cpu.eaOff. */
export function decodeEA(c: Cpu, m: number): void {
  const mod = m >> 6;
  const rm = m & 7;
  let seg = DS;
  let off: number;
  if (!c.a32) {
    const r = c.r16;
    switch (rm) {
      case 0:
        off = r[6] + r[12];
        break;
      case 1:
        off = r[6] + r[14];
        break;
      case 2:
        off = r[10] + r[12];
        seg = SS;
        break;
      case 3:
        off = r[10] + r[14];
        seg = SS;
        break;
      case 4:
        off = r[12];
        break;
      case 5:
        off = r[14];
        break;
      case 6:
        if (mod === 0) {
          off = c.fetch16();
        } else {
          off = r[10];
          seg = SS;
        }
        break;
      default:
        off = r[6];
        break;
    }
    if (mod === 1) off += (c.fetch8() << 24) >> 24;
    else if (mod === 2) off += c.fetch16();
    c.eaOff = off & 0xffff;
  } else {
    if (rm === 4) {
      const sib = c.fetch8();
      const base = sib & 7;
      const idx = (sib >> 3) & 7;
      off = idx === 4 ? 0 : c.r32[idx] << (sib >> 6);
      if (base === 5 && mod === 0) off += c.fetch32();
      else {
        off += c.r32[base];
        if (base === 4 || base === 5) seg = SS;
      }
    } else if (rm === 5 && mod === 0) {
      off = c.fetch32();
    } else {
      off = c.r32[rm];
      if (rm === 5) seg = SS;
    }
    if (mod === 1) off += (c.fetch8() << 24) >> 24;
    else if (mod === 2) off += c.fetch32();
    c.eaOff = off | 0;
  }
  c.eaSeg = c.segOv >= 0 ? c.segOv : seg;
}

/** Fetches a ModR/M byte and decodes its memory operand if it has one. */
export function modrm(c: Cpu): number {
  const m = c.fetch8();
  if (m < 0xc0) decodeEA(c, m);
  return m;
}

/** Before a read-modify-write of operand E (`size` bytes): the write's checks (Cpu.checkWrite). */
export function checkRmw(c: Cpu, m: number, size: number): void {
  if (m < 0xc0) c.checkWrite(c.eaSeg, c.eaOff, size);
}

export function getE8(c: Cpu, m: number): number {
  return m >= 0xc0 ? c.r8[BYTE_REG[m & 7]] : c.rd8(c.eaSeg, c.eaOff);
}
export function setE8(c: Cpu, m: number, v: number): void {
  if (m >= 0xc0) c.r8[BYTE_REG[m & 7]] = v;
  else c.wr8(c.eaSeg, c.eaOff, v);
}
export function getE16(c: Cpu, m: number): number {
  return m >= 0xc0 ? c.r16[(m & 7) << 1] : c.rd16(c.eaSeg, c.eaOff);
}
export function setE16(c: Cpu, m: number, v: number): void {
  if (m >= 0xc0) c.r16[(m & 7) << 1] = v;
  else c.wr16(c.eaSeg, c.eaOff, v);
}
export function getE32(c: Cpu, m: number): number {
  return m >= 0xc0 ? c.r32[m & 7] : c.rd32(c.eaSeg, c.eaOff);
}
export function setE32(c: Cpu, m: number, v: number): void {
  if (m >= 0xc0) c.r32[m & 7] = v;
  else c.wr32(c.eaSeg, c.eaOff, v);
}
/** Ev by operand size. */
export function getEv(c: Cpu, m: number): number {
  return c.o32 ? getE32(c, m) : getE16(c, m);
}
export function setEv(c: Cpu, m: number, v: number): void {
  if (c.o32) setE32(c, m, v);
  else setE16(c, m, v);
}
export function getG8(c: Cpu, m: number): number {
  return c.r8[BYTE_REG[(m >> 3) & 7]];
}
export function setG8(c: Cpu, m: number, v: number): void {
  c.r8[BYTE_REG[(m >> 3) & 7]] = v;
}
export function getGv(c: Cpu, m: number): number {
  return c.o32 ? c.r32[(m >> 3) & 7] : c.r16[((m >> 3) & 7) << 1];
}
export function setGv(c: Cpu, m: number, v: number): void {
  if (c.o32) c.r32[(m >> 3) & 7] = v;
  else c.r16[((m >> 3) & 7) << 1] = v;
}

/** Sign-bit position for an operand size in bytes. */
export const SIGN = (size: number) => (size === 1 ? 7 : size === 2 ? 15 : 31);

/**
 * The eight classic ALU operations (ADD OR ADC SBB AND SUB XOR CMP, the `reg` field of 80-83) on
 * operands of sign position `s` (7, 15, 31). Returns the result (CMP returns the difference; callers
 * do not store it). Flags are left lazy.
 */
export function alu(c: Cpu, op: number, a: number, b: number, s: number): number {
  const mask = s === 31 ? -1 : (2 << s) - 1;
  let r: number;
  let lop: number;
  switch (op) {
    case 0:
      r = (a + b) & mask;
      lop = L_ADD;
      break;
    case 1:
      r = (a | b) & mask;
      lop = L_LOGIC;
      break;
    case 2: {
      const cin = c.getCF();
      r = (a + b + cin) & mask;
      lop = L_ADC;
      c.lc = cin;
      break;
    }
    case 3: {
      const cin = c.getCF();
      r = (a - b - cin) & mask;
      lop = L_SBB;
      c.lc = cin;
      break;
    }
    case 4:
      r = a & b & mask;
      lop = L_LOGIC;
      break;
    case 5:
    case 7:
      r = (a - b) & mask;
      lop = L_SUB;
      break;
    default:
      r = (a ^ b) & mask;
      lop = L_LOGIC;
      break;
  }
  setLazy(c, lop, a, b, r, s, ARITH);
  return r;
}

/**
 * Remembers an arithmetic result for the lazy flags (Cpu.getCF and friends derive them on demand):
 * the operation kind, its operands and result, the sign-bit position and the flags it covers.
 */
export function setLazy(
  c: Cpu,
  lop: number,
  a: number,
  b: number,
  r: number,
  s: number,
  covers: number,
): void {
  c.lop = lop;
  c.la = a;
  c.lb = b;
  c.lr = r;
  c.ls = s;
  c.lazyMask = covers;
}

/** ADD with lazy flags. */
export function add(c: Cpu, a: number, b: number, s: number): number {
  const r = s === 31 ? (a + b) | 0 : (a + b) & ((2 << s) - 1);
  setLazy(c, L_ADD, a, b, r, s, ARITH);
  return r;
}

/** SUB / CMP with lazy flags. */
export function sub(c: Cpu, a: number, b: number, s: number): number {
  const r = s === 31 ? (a - b) | 0 : (a - b) & ((2 << s) - 1);
  setLazy(c, L_SUB, a, b, r, s, ARITH);
  return r;
}

/** Result flags of a logical operation: CF = OF = AF = 0, SF/ZF/PF from the result. */
export function logic(c: Cpu, r: number, s: number): number {
  setLazy(c, L_LOGIC, 0, 0, r, s, ARITH);
  return r;
}

/** INC (`d` = 1) or DEC (`d` = -1): like ADD/SUB 1, but CF is kept (materialised into EFLAGS first). */
export function incDec(c: Cpu, a: number, s: number, d: number): number {
  if (c.lazyMask & CF) c.fl = (c.fl & ~CF) | c.getCF();
  const r = s === 31 ? (a + d) | 0 : (a + d) & ((2 << s) - 1);
  setLazy(c, d === 1 ? L_ADD : L_SUB, a, 1, r, s, ARITH & ~CF);
  return r;
}

export function inc(c: Cpu, a: number, s: number): number {
  return incDec(c, a, s, 1);
}

export function dec(c: Cpu, a: number, s: number): number {
  return incDec(c, a, s, -1);
}

/** INC r / DEC r (40-4F) at the operand size. */
export function incDecReg(c: Cpu, op: number): void {
  const i = op & 7;
  const d = op < 0x48 ? 1 : -1;
  if (c.o32) c.r32[i] = incDec(c, c.r32[i], 31, d);
  else c.r16[i << 1] = incDec(c, c.r16[i << 1], 15, d);
}

/** Sets CF, OF and AF eagerly and SF/ZF/PF lazily from `r` (shifts, multiplies, bit scans). */
export function resultFlags(c: Cpu, r: number, s: number, cf: number, of: number): void {
  c.fl = (c.fl & ~(CF | OF | AF | SF | ZF | PF)) | (cf ? CF : 0) | (of ? OF : 0);
  setLazy(c, L_LOGIC, 0, 0, r, s, SF | ZF | PF);
}

/** IMUL with a truncated result (69, 6B, 0F AF) by operand size: CF = OF = the product did not fit. */
export function imul(c: Cpu, a: number, b: number): number {
  if (c.o32) {
    const lo = Math.imul(a, b);
    const over = imulHigh32(a, b) !== lo >> 31 ? 1 : 0;
    resultFlags(c, lo, 31, over, over);
    return lo;
  }
  const p = ((a << 16) >> 16) * ((b << 16) >> 16);
  const r = p & 0xffff;
  const over = p !== (r << 16) >> 16 ? 1 : 0;
  resultFlags(c, r, 15, over, over);
  return r;
}

/** High 32 bits of the signed 64-bit product a*b, from exact 16-bit partial products. */
export function imulHigh32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >> 16;
  const bl = b & 0xffff;
  const bh = b >> 16;
  const t = al * bl;
  const m1 = ah * bl + (t >>> 16);
  const m2 = al * bh + (m1 & 0xffff);
  return (ah * bh + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) | 0;
}

/** High 32 bits of the unsigned 64-bit product a*b. */
export function mulHigh32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const t = al * bl;
  const m1 = ah * bl + (t >>> 16);
  const m2 = al * bh + (m1 & 0xffff);
  return (ah * bh + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) | 0;
}

/**
 * Shift/rotate group (C0/C1/D0-D3 `reg` field: ROL ROR RCL RCR SHL SHR SAL SAR) on an operand of
 * sign position `s`. The count is masked to 5 bits as on the 286 and later.
 */
export function shift(c: Cpu, op: number, v: number, count: number, s: number): number {
  count &= 31;
  if (count === 0) return v;
  const bits = s + 1;
  const mask = s === 31 ? -1 : (2 << s) - 1;
  v &= mask;
  let r: number;
  let cf: number;
  let of: number;
  switch (op) {
    case 0: {
      // ROL
      const n = count % bits;
      r = n === 0 ? v : ((v << n) | (v >>> (bits - n))) & mask;
      cf = r & 1;
      of = ((r >>> s) & 1) ^ cf;
      rotFlags(c, cf, of);
      return r;
    }
    case 1: {
      // ROR
      const n = count % bits;
      r = n === 0 ? v : ((v >>> n) | (v << (bits - n))) & mask;
      cf = (r >>> s) & 1;
      of = cf ^ ((r >>> (s - 1)) & 1);
      rotFlags(c, cf, of);
      return r;
    }
    case 2: {
      // RCL through CF: a (bits+1)-bit rotation.
      const n = count % (bits + 1);
      cf = c.getCF();
      r = v;
      for (let i = 0; i < n; i++) {
        const out = (r >>> s) & 1;
        r = ((r << 1) | cf) & mask;
        cf = out;
      }
      of = ((r >>> s) & 1) ^ cf;
      rotFlags(c, cf, of);
      return r;
    }
    case 3: {
      // RCR
      const n = count % (bits + 1);
      cf = c.getCF();
      r = v;
      of = ((r >>> s) & 1) ^ cf;
      for (let i = 0; i < n; i++) {
        const out = r & 1;
        r = ((r >>> 1) | (cf << s)) & mask;
        cf = out;
      }
      if (n !== 1) of = ((r >>> s) ^ (r >>> (s - 1))) & 1;
      rotFlags(c, cf, of);
      return r;
    }
    case 4:
    case 6: {
      // SHL / SAL
      if (count <= bits) {
        cf = count === bits ? v & 1 : (v >>> (bits - count)) & 1;
        r = count === 32 ? 0 : (v << count) & mask;
      } else {
        cf = 0;
        r = 0;
      }
      of = ((r >>> s) & 1) ^ cf;
      resultFlags(c, r, s, cf, of);
      return r;
    }
    case 5: {
      // SHR
      cf = count <= bits ? (v >>> (count - 1)) & 1 : 0;
      r = count >= bits ? 0 : v >>> count;
      of = count === 1 ? (v >>> s) & 1 : 0;
      resultFlags(c, r & mask, s, cf, of);
      return r & mask;
    }
    default: {
      // SAR
      const sv = (v << (31 - s)) >> (31 - s); // sign-extend
      if (count >= bits) {
        r = (sv >> 31) & mask;
        cf = sv < 0 ? 1 : 0;
      } else {
        r = (sv >> count) & mask;
        cf = (sv >> (count - 1)) & 1;
      }
      resultFlags(c, r, s, cf, 0);
      return r;
    }
  }
}

function rotFlags(c: Cpu, cf: number, of: number): void {
  const f = c.getFlags();
  c.fl = (f & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
}
