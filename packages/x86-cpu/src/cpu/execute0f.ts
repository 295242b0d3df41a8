// Two-byte opcodes 0F xx (Intel SDM vol. 2, appendix A, table A-3): system instructions
// (descriptor tables, control registers, LAR/LSL/VERR/VERW), the 386 additions (Jcc rel16/32,
// SETcc, bit tests, SHLD/SHRD, MOVZX/MOVSX, IMUL r,r/m) and the later ones i386 Linux and glibc
// use: BSWAP, XADD, CMPXCHG, CMPXCHG8B, CMOVcc, CPUID, RDTSC, RDMSR/WRMSR, INVLPG, UD2.

import { type Cpu, GP, UD } from './cpu.js';
import { execute0fExt } from './execute0fExt.js';
import { CF, ZF } from './flags.js';
import {
  add,
  checkRmw,
  decodeEA,
  getE8,
  getE16,
  getE32,
  getEv,
  getGv,
  imul,
  modrm,
  resultFlags,
  setE8,
  setEv,
  setGv,
  sub,
} from './operands.js';
import { descAttr, descBase, descLimit, dHi, dLo, fetchDesc, loadSeg } from './protected.js';
import { FS, GS, SS } from './state.js';

/** CPUID leaf 1 EDX: FPU (0), PSE (3), TSC (4), MSR (5), CX8 (8), CMOV (15; with FPU also FCMOV). No APIC, no SEP. */
export const CPUID_FEATURES = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 15);
/** CPUID leaf 1 EAX: family 6, model 1, stepping 1 (a Pentium Pro-class i686). */
export const CPUID_SIGNATURE = 0x611;
/** The vendor string "GenuineIntel" as EBX, EDX, ECX. */
const VENDOR = [0x756e6547, 0x49656e69, 0x6c65746e];

export function execute0f(c: Cpu): void {
  const op = c.fetch8();
  const r32 = c.r32;
  const r16 = c.r16;
  if (op >= 0x80 && op <= 0x8f) {
    const d = c.o32 ? c.fetch32() : (c.fetch16() << 16) >> 16;
    if (c.cond(op & 15)) {
      const t = c.o32 ? (c.ip + d) | 0 : (c.ip + d) & 0xffff;
      if (t >>> 0 > c.segLimit[1]) c.fault(GP, 0);
      c.ip = t;
    }
    return;
  }
  if (op >= 0x90 && op <= 0x9f) {
    const m = modrm(c);
    setE8(c, m, c.cond(op & 15) ? 1 : 0);
    return;
  }
  if (op >= 0x40 && op <= 0x4f) {
    const m = modrm(c);
    const v = getEv(c, m); // the source is read even when the condition is false
    if (c.cond(op & 15)) setGv(c, m, v);
    return;
  }
  if (op >= 0xc8 && op <= 0xcf) {
    const v = r32[op & 7];
    r32[op & 7] = (v >>> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24) | 0;
    return;
  }
  switch (op) {
    case 0xa0:
    case 0xa8: {
      const v = c.segSel[op === 0xa0 ? FS : GS];
      if (c.o32) c.push32(v);
      else c.push16(v);
      return;
    }
    case 0xa1:
    case 0xa9: {
      const v = c.o32 ? c.peek32(0) & 0xffff : c.peek16(0);
      loadSeg(c, op === 0xa1 ? FS : GS, v);
      c.adjustSp(c.o32 ? 4 : 2);
      return;
    }
    case 0xa2:
      cpuid(c);
      return;
    case 0x31:
      // RDTSC (#GP at CPL>0 when CR4.TSD).
      if (c.cr4Reg & 4 && c.cpl !== 0 && c.cr0Reg & 1) c.fault(GP, 0);
      {
        const t = c.tsc();
        r32[0] = t % 4294967296;
        r32[2] = Math.floor(t / 4294967296);
      }
      return;
    case 0x0b:
      c.fault(UD);
      return;
    case 0xa3:
    case 0xab:
    case 0xb3:
    case 0xbb:
      bitOp(c, op === 0xa3 ? 0 : op === 0xab ? 1 : op === 0xb3 ? 2 : 3, false);
      return;
    case 0xba: {
      bitOpImm(c);
      return;
    }
    case 0xa4:
    case 0xa5:
    case 0xac:
    case 0xad:
      shiftDouble(c, op);
      return;
    case 0xaf: {
      const m = modrm(c);
      setGv(c, m, imul(c, getGv(c, m), getEv(c, m)));
      return;
    }
    case 0xb0: {
      const m = modrm(c);
      checkRmw(c, m, 1);
      const dst = getE8(c, m);
      sub(c, c.r8[0], dst, 7);
      if (c.r8[0] === dst) setE8(c, m, c.r8[(((m >> 3) & 3) << 2) | ((m >> 5) & 1)]);
      else {
        setE8(c, m, dst); // the destination is always written
        c.r8[0] = dst;
      }
      return;
    }
    case 0xb1: {
      const m = modrm(c);
      checkRmw(c, m, c.o32 ? 4 : 2);
      const dst = getEv(c, m);
      if (c.o32) {
        sub(c, r32[0], dst, 31);
        if (r32[0] === dst) setEv(c, m, r32[(m >> 3) & 7]);
        else {
          setEv(c, m, dst);
          r32[0] = dst;
        }
      } else {
        sub(c, r16[0], dst, 15);
        if (r16[0] === dst) setEv(c, m, r16[((m >> 3) & 7) << 1]);
        else {
          setEv(c, m, dst);
          r16[0] = dst;
        }
      }
      return;
    }
    case 0xb2:
    case 0xb4:
    case 0xb5: {
      const m = c.fetch8();
      if (m >= 0xc0) c.fault(UD);
      decodeEA(c, m);
      const off = c.o32 ? c.rd32(c.eaSeg, c.eaOff) : c.rd16(c.eaSeg, c.eaOff);
      const sel = c.rd16(c.eaSeg, c.eaNext(c.o32 ? 4 : 2));
      const seg = op === 0xb2 ? SS : op === 0xb4 ? FS : GS;
      loadSeg(c, seg, sel);
      setGv(c, m, off);
      return;
    }
    case 0xb6: {
      const m = modrm(c);
      setGv(c, m, getE8(c, m));
      return;
    }
    case 0xb7: {
      const m = modrm(c);
      setGv(c, m, getE16(c, m));
      return;
    }
    case 0xbe: {
      const m = modrm(c);
      setGv(c, m, (getE8(c, m) << 24) >> 24);
      return;
    }
    case 0xbf: {
      const m = modrm(c);
      setGv(c, m, (getE16(c, m) << 16) >> 16);
      return;
    }
    case 0xbc:
    case 0xbd: {
      const m = modrm(c);
      const v = c.o32 ? getE32(c, m) : getE16(c, m);
      if (v === 0) {
        c.setFlag(ZF, true);
        return;
      }
      let idx: number;
      if (op === 0xbc) idx = 31 - Math.clz32(v & -v);
      else idx = 31 - Math.clz32(v);
      setGv(c, m, idx);
      resultFlags(c, 1, 31, 0, 0);
      c.getFlags();
      c.fl &= ~ZF;
      return;
    }
    case 0xc0: {
      const m = modrm(c);
      checkRmw(c, m, 1);
      const dst = getE8(c, m);
      const src = c.r8[(((m >> 3) & 3) << 2) | ((m >> 5) & 1)];
      const sum = add(c, dst, src, 7);
      setE8(c, m, sum);
      c.r8[(((m >> 3) & 3) << 2) | ((m >> 5) & 1)] = dst;
      return;
    }
    case 0xc1: {
      const m = modrm(c);
      checkRmw(c, m, c.o32 ? 4 : 2);
      const dst = getEv(c, m);
      const src = getGv(c, m);
      const s = c.o32 ? 31 : 15;
      const sum = add(c, dst, src, s);
      setEv(c, m, sum);
      setGv(c, m, dst);
      return;
    }
    case 0xc7: {
      const m = c.fetch8();
      if ((m & 0x38) !== 0x08 || m >= 0xc0) c.fault(UD);
      decodeEA(c, m);
      const lo = c.rd32(c.eaSeg, c.eaOff);
      const hi = c.rd32(c.eaSeg, c.eaNext(4) | 0);
      if (lo === r32[0] && hi === r32[2]) {
        c.wr32(c.eaSeg, c.eaOff, r32[3]);
        c.wr32(c.eaSeg, c.eaNext(4) | 0, r32[1]);
        c.setFlag(ZF, true);
      } else {
        c.wr32(c.eaSeg, c.eaOff, lo);
        c.wr32(c.eaSeg, c.eaNext(4) | 0, hi);
        r32[0] = lo;
        r32[2] = hi;
        c.setFlag(ZF, false);
      }
      return;
    }
    default:
      execute0fExt(c, op);
  }
}

function cpuid(c: Cpu): void {
  const r32 = c.r32;
  const leaf = r32[0] >>> 0;
  if (leaf === 0) {
    r32[0] = 1;
    r32[3] = VENDOR[0];
    r32[2] = VENDOR[1];
    r32[1] = VENDOR[2];
  } else if (leaf === 1) {
    r32[0] = CPUID_SIGNATURE;
    r32[3] = 0;
    r32[1] = 0;
    r32[2] = CPUID_FEATURES;
  } else {
    r32[0] = r32[3] = r32[1] = r32[2] = 0;
  }
}

/** BT/BTS/BTR/BTC Ev,Gv: a register bit offset may address memory beyond the operand. */
function bitOp(c: Cpu, kind: number, _imm: boolean): void {
  const m = c.fetch8();
  const bits = c.o32 ? 32 : 16;
  let off = c.o32 ? c.r32[(m >> 3) & 7] : (c.r16[((m >> 3) & 7) << 1] << 16) >> 16;
  if (m < 0xc0) {
    decodeEA(c, m);
    const disp = Math.floor(off / bits) * (bits / 8);
    c.eaOff = c.a32 ? (c.eaOff + disp) | 0 : (c.eaOff + disp) & 0xffff;
    off &= bits - 1;
  } else off &= bits - 1;
  applyBit(c, m, kind, off);
}

function bitOpImm(c: Cpu): void {
  const m = modrm(c);
  const kind = (m >> 3) & 7;
  if (kind < 4) c.fault(UD);
  const off = c.fetch8() & (c.o32 ? 31 : 15);
  applyBit(c, m, kind - 4, off);
}

function applyBit(c: Cpu, m: number, kind: number, off: number): void {
  if (kind !== 0) checkRmw(c, m, c.o32 ? 4 : 2);
  const v = getEv(c, m);
  const bit = (v >>> off) & 1;
  c.getFlags();
  c.fl = (c.fl & ~CF) | bit;
  if (kind === 0) return;
  const nv = kind === 1 ? v | (1 << off) : kind === 2 ? v & ~(1 << off) : v ^ (1 << off);
  setEv(c, m, nv);
}

function shiftDouble(c: Cpu, op: number): void {
  const m = modrm(c);
  const count = (op & 1 ? c.r8[4] : c.fetch8()) & 31;
  if (count === 0) return;
  checkRmw(c, m, c.o32 ? 4 : 2);
  const s = c.o32 ? 31 : 15;
  const bits = s + 1;
  const dst = getEv(c, m);
  const src = getGv(c, m);
  let r: number;
  let cf: number;
  if (c.o32) {
    if (op < 0xac) {
      r = (dst << count) | (src >>> (32 - count));
      cf = (dst >>> (32 - count)) & 1;
    } else {
      r = (dst >>> count) | (src << (32 - count));
      cf = (dst >>> (count - 1)) & 1;
    }
  } else {
    // 16-bit with counts above 16 shifts through a 48-bit concatenation (386 behaviour).
    const d = dst & 0xffff;
    const sv = src & 0xffff;
    if (op < 0xac) {
      const wide = d * 2 ** 32 + sv * 65536 + d;
      const sh = wide * 2 ** count;
      r = Math.floor(sh / 2 ** 32) & 0xffff;
      cf = Math.floor(sh / 2 ** 48) & 1;
    } else {
      // SHRD shifts SRC:DST right, so SRC's bits enter at the top of the result (then DST again).
      const wide = d * 2 ** 32 + sv * 65536 + d;
      r = Math.floor(wide / 2 ** count) & 0xffff;
      cf = Math.floor(wide / 2 ** (count - 1)) & 1;
    }
  }
  const mask = s === 31 ? -1 : 0xffff;
  r &= mask;
  const of = ((r ^ dst) >>> s) & 1;
  resultFlags(c, r, s, cf, of);
  void bits;
  setEv(c, m, r);
}

export { descAttr, descBase, descLimit, dHi, dLo, fetchDesc };
