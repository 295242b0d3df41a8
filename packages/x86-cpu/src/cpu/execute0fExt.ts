// System instructions among the two-byte opcodes (Intel SDM vol. 3 §2.8): SLDT STR LLDT LTR VERR
// VERW (0F 00), SGDT SIDT LGDT LIDT SMSW LMSW INVLPG (0F 01), LAR LSL, CLTS, INVD/WBINVD, MOV to
// and from control and debug registers, RDMSR/WRMSR.

import { type Cpu, GP, NP, UD } from './cpu.js';
import { VM, ZF } from './flags.js';
import { decodeEA, getE16, modrm, setE16 } from './operands.js';
import { descAttr, descBase, descLimit, dHi, dLo, fetchDesc } from './protected.js';

/** IA32 MSR numbers this CPU implements (others raise #GP(0)). */
export const MSR_TSC = 0x10;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;

function requireCpl0(c: Cpu): void {
  if (c.cr0Reg & 1 && c.cpl !== 0) c.fault(GP, 0);
}

function requireProtected(c: Cpu): void {
  if (!(c.cr0Reg & 1) || c.fl & VM) c.fault(UD);
}

export function execute0fExt(c: Cpu, op: number): void {
  const r32 = c.r32;
  switch (op) {
    case 0x00:
      group6(c);
      return;
    case 0x01:
      group7(c);
      return;
    case 0x02:
    case 0x03: {
      requireProtected(c);
      const m = modrm(c);
      const sel = getE16(c, m);
      const ok = selectorVisible(c, sel, op === 0x02);
      if (!ok) {
        c.setFlag(ZF, false);
        return;
      }
      const reg = (m >> 3) & 7;
      if (op === 0x02) {
        const v = dHi & (c.o32 ? 0x00f0ff00 : 0xff00);
        if (c.o32) r32[reg] = v;
        else c.r16[reg << 1] = v;
      } else {
        const lim = descLimit(dLo, dHi);
        if (c.o32) r32[reg] = lim;
        else c.r16[reg << 1] = lim;
      }
      c.setFlag(ZF, true);
      return;
    }
    case 0x06:
      requireCpl0(c);
      c.cr0Reg &= ~8;
      return;
    case 0x08:
    case 0x09:
      requireCpl0(c);
      return;
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23: {
      requireCpl0(c);
      const m = c.fetch8();
      const n = (m >> 3) & 7;
      const reg = m & 7;
      if (op === 0x20) {
        if (n === 0) r32[reg] = c.cr0Reg;
        else if (n === 2) r32[reg] = c.cr2Reg;
        else if (n === 3) r32[reg] = c.cr3Reg;
        else if (n === 4) r32[reg] = c.cr4Reg;
        else c.fault(UD);
      } else if (op === 0x22) {
        const v = r32[reg];
        if (n === 0) c.writeCr0(v);
        else if (n === 2) c.cr2Reg = v;
        else if (n === 3) c.writeCr3(v);
        else if (n === 4) c.writeCr4(v);
        else c.fault(UD);
      } else if (op === 0x21) {
        r32[reg] = c.dr[n];
      } else {
        c.dr[n] = r32[reg];
      }
      return;
    }
    case 0x30: {
      requireCpl0(c);
      const msr = r32[1] >>> 0;
      const lo = r32[0] >>> 0;
      const hi = r32[2] >>> 0;
      switch (msr) {
        case MSR_TSC:
          c.tscOffset = hi * 4294967296 + lo - c.instructionCount;
          return;
        case MSR_SYSENTER_CS:
          c.sysenterCs = lo & 0xffff;
          return;
        case MSR_SYSENTER_ESP:
          c.sysenterEsp = lo | 0;
          return;
        case MSR_SYSENTER_EIP:
          c.sysenterEip = lo | 0;
          return;
        default:
          c.fault(GP, 0);
      }
      return;
    }
    case 0x32: {
      requireCpl0(c);
      const msr = r32[1] >>> 0;
      let lo = 0;
      let hi = 0;
      switch (msr) {
        case MSR_TSC: {
          const t = c.tsc();
          lo = t % 4294967296;
          hi = Math.floor(t / 4294967296);
          break;
        }
        case MSR_SYSENTER_CS:
          lo = c.sysenterCs;
          break;
        case MSR_SYSENTER_ESP:
          lo = c.sysenterEsp;
          break;
        case MSR_SYSENTER_EIP:
          lo = c.sysenterEip;
          break;
        default:
          c.fault(GP, 0);
      }
      r32[0] = lo;
      r32[2] = hi;
      return;
    }
    default:
      c.fault(UD);
  }
}

/** Whether LAR/LSL/VERR/VERW may see the descriptor (SDM vol. 2, LAR); leaves it in dLo/dHi. */
function selectorVisible(c: Cpu, sel: number, lar: boolean): boolean {
  if ((sel & 0xfffc) === 0 || !fetchDesc(c, sel)) return false;
  const attr = descAttr(dHi);
  const dpl = (attr >> 5) & 3;
  if (!(attr & 0x10)) {
    const type = attr & 0xf;
    const okLsl = type === 1 || type === 2 || type === 3 || type === 9 || type === 0xb;
    const okLar = okLsl || type === 4 || type === 5 || type === 0xc;
    if (!(lar ? okLar : okLsl)) return false;
  } else if ((attr & 0xc) === 0xc) return true; // conforming code: no privilege check
  return !(dpl < c.cpl || dpl < (sel & 3));
}

function group6(c: Cpu): void {
  requireProtected(c);
  const m = modrm(c);
  const op = (m >> 3) & 7;
  switch (op) {
    case 0:
      if (m >= 0xc0 && c.o32) c.r32[m & 7] = c.ldtSel;
      else setE16(c, m, c.ldtSel);
      return;
    case 1:
      if (m >= 0xc0 && c.o32) c.r32[m & 7] = c.trSel;
      else setE16(c, m, c.trSel);
      return;
    case 2: {
      requireCpl0(c);
      const sel = getE16(c, m);
      if ((sel & 0xfffc) === 0) {
        c.ldtSel = sel;
        c.ldtBase = 0;
        c.ldtLimit = 0;
        return;
      }
      if (sel & 4 || !fetchDesc(c, sel)) c.fault(GP, sel & 0xfffc);
      if ((descAttr(dHi) & 0x1f) !== 2) c.fault(GP, sel & 0xfffc);
      if (!(dHi & 0x8000)) c.fault(NP, sel & 0xfffc);
      c.ldtSel = sel;
      c.ldtBase = descBase(dLo, dHi);
      c.ldtLimit = descLimit(dLo, dHi);
      c.ldtAttr = descAttr(dHi);
      return;
    }
    case 3: {
      requireCpl0(c);
      const sel = getE16(c, m);
      if ((sel & 0xfffc) === 0) c.fault(GP, 0);
      if (sel & 4 || !fetchDesc(c, sel)) c.fault(GP, sel & 0xfffc);
      const type = descAttr(dHi) & 0x1f;
      if (type !== 1 && type !== 9) c.fault(GP, sel & 0xfffc);
      if (!(dHi & 0x8000)) c.fault(NP, sel & 0xfffc);
      const at = (c.gdtBase + (sel & 0xfff8) + 5) | 0;
      c.sysWrite8(at, c.sysRead8(at) | 2);
      c.trSel = sel;
      c.trBase = descBase(dLo, dHi);
      c.trLimit = descLimit(dLo, dHi);
      c.trAttr = descAttr(dHi) | 2;
      return;
    }
    case 4:
    case 5: {
      const sel = getE16(c, m);
      let ok = false;
      if ((sel & 0xfffc) !== 0 && fetchDesc(c, sel)) {
        const attr = descAttr(dHi);
        const dpl = (attr >> 5) & 3;
        if (attr & 0x10) {
          const code = (attr & 8) !== 0;
          const conforming = code && (attr & 4) !== 0;
          const privOk = conforming || !(dpl < c.cpl || dpl < (sel & 3));
          ok = privOk && (op === 4 ? !code || (attr & 2) !== 0 : !code && (attr & 2) !== 0);
        }
      }
      c.setFlag(ZF, ok);
      return;
    }
    default:
      c.fault(UD);
  }
}

function group7(c: Cpu): void {
  const m = c.fetch8();
  const op = (m >> 3) & 7;
  if (m >= 0xc0) {
    if (op === 4) {
      // SMSW r: the whole CR0 with a 32-bit operand.
      if (c.o32) c.r32[m & 7] = c.cr0Reg;
      else c.r16[(m & 7) << 1] = c.cr0Reg;
      return;
    }
    if (op === 6) {
      requireCpl0(c);
      lmsw(c, c.r16[(m & 7) << 1]);
      return;
    }
    c.fault(UD);
  }
  decodeEA(c, m);
  switch (op) {
    case 0:
    case 1: {
      const limit = op === 0 ? c.gdtLimit : c.idtLimit;
      const base = op === 0 ? c.gdtBase : c.idtBase;
      c.wr16(c.eaSeg, c.eaOff, limit);
      c.wr32(c.eaSeg, c.eaNext(2), c.o32 ? base : base & 0xffffff);
      return;
    }
    case 2:
    case 3: {
      requireCpl0(c);
      const limit = c.rd16(c.eaSeg, c.eaOff);
      let base = c.rd32(c.eaSeg, c.eaNext(2));
      if (!c.o32) base &= 0xffffff;
      if (op === 2) {
        c.gdtLimit = limit;
        c.gdtBase = base;
      } else {
        c.idtLimit = limit;
        c.idtBase = base;
      }
      return;
    }
    case 4:
      c.wr16(c.eaSeg, c.eaOff, c.cr0Reg);
      return;
    case 6:
      requireCpl0(c);
      lmsw(c, c.rd16(c.eaSeg, c.eaOff));
      return;
    case 7:
      requireCpl0(c);
      c.invalidatePage(c.linR(c.eaSeg, c.eaOff, 1) | 0);
      return;
    default:
      c.fault(UD);
  }
}

/** LMSW: loads PE MP EM TS; PE can be set but not cleared. */
function lmsw(c: Cpu, v: number): void {
  const cr0 = c.cr0Reg;
  c.writeCr0((cr0 & ~0xe) | (v & 0xf) | (cr0 & 1));
}
