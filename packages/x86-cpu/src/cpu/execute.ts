// The interpreter: decodes prefixes and one-byte opcodes and executes them (Intel SDM vol. 2,
// appendix A, table A-2). Two-byte opcodes are in execute0f.ts, string instructions in string.ts,
// far transfers and interrupts in protected.ts. The opcode table in opcodes.ts describes the same
// encodings for the disassembler; opcodes.test.ts checks that both agree on instruction lengths.

import { BP, BR, BYTE_REG, type Cpu, DE, GP, OFV, UD } from './cpu.js';
import { execute0f } from './execute0f.js';
import { AC, AF, CF, DF, ID, IF, IOPL, NT, OF, PF, SF, TF, VM, ZF } from './flags.js';
import { executeFpu, fwait } from './fpu_instructions.js';
import { aluEvGv, aluGvEv, executeHot, group1, jcc, jmpShort, movEbIb } from './hot.js';
import {
  add,
  alu,
  checkRmw,
  dec,
  decodeEA,
  getE8,
  getE16,
  getE32,
  getEv,
  getG8,
  getGv,
  imul,
  imulHigh32,
  inc,
  incDecReg,
  logic,
  modrm,
  mulHigh32,
  resultFlags,
  SIGN,
  setE8,
  setE16,
  setEv,
  setG8,
  setGv,
  shift,
  sub,
} from './operands.js';
import { callFar, checkIo, deliverInterrupt, iret, jmpFar, loadSeg, retFar } from './protected.js';
import { CS, DS, ES, FS, GS, SS } from './state.js';
import { stringOp } from './string.js';

/** 1 for prefix bytes (segment overrides, 66, 67, F0, F2, F3). */
const PREFIX = new Uint8Array(256);
for (const p of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) PREFIX[p] = 1;

/** Executes one instruction at CS:EIP. Faults unwind by throwing the CPU's fault token. */
export function execute(c: Cpu): void {
  // Kept small so that V8 inlines it, the opcode fetch and the hot-opcode dispatch into the run loop;
  // prefixes and the remaining opcodes are calls.
  const op = c.fetch8();
  if (PREFIX[op]) executePrefixed(c, op);
  else if (!executeHot(c, op)) executeOp(c, op);
}

/** An instruction with prefixes: `op` is the first prefix byte. */
function executePrefixed(c: Cpu, op: number): void {
  // Decoder state (o32, a32, segOv, rep) rests at the code segment's defaults between
  // instructions; only prefixed instructions change it, and they restore it afterwards.
  const d32 = c.code32;
  let n = 0;
  let lock = false;
  do {
    switch (op) {
      case 0x26:
        c.segOv = ES;
        break;
      case 0x2e:
        c.segOv = CS;
        break;
      case 0x36:
        c.segOv = SS;
        break;
      case 0x3e:
        c.segOv = DS;
        break;
      case 0x64:
        c.segOv = FS;
        break;
      case 0x65:
        c.segOv = GS;
        break;
      case 0x66:
        c.o32 = !d32;
        break;
      case 0x67:
        c.a32 = !d32;
        break;
      case 0xf0:
        lock = true;
        break;
      case 0xf2:
        c.rep = 2;
        break;
      default:
        c.rep = 1;
        break;
    }
    // The 386 limits an instruction to 15 bytes: #GP(0) beyond.
    if (++n >= 15) c.fault(GP, 0);
    op = c.fetch8();
  } while (PREFIX[op]);
  if (lock && c.cr0Reg & 1) checkLock(c, op);
  executeOp(c, op);
  c.resetDecoder();
}

/**
 * LOCK is valid only on ADD ADC AND BTC BTR BTS CMPXCHG DEC INC NEG NOT OR SBB SUB XOR XADD XCHG with
 * a memory destination; anything else raises #UD (SDM vol. 2, LOCK). Peeks at the ModR/M byte.
 * Applied in protected mode only: the real-mode conformance recordings (286) execute such
 * instructions normally, and the checks that test #UD (test386.asm) run in protected mode.
 */
function checkLock(c: Cpu, op: number): void {
  const ip = c.ip;
  let ok = false;
  if (op === 0x0f) {
    const op2 = c.fetch8();
    const m = c.fetch8();
    if (m < 0xc0) {
      const reg = (m >> 3) & 7;
      ok =
        op2 === 0xab ||
        op2 === 0xb3 ||
        op2 === 0xbb ||
        (op2 === 0xba && reg >= 5) ||
        op2 === 0xb0 ||
        op2 === 0xb1 ||
        op2 === 0xc0 ||
        op2 === 0xc1 ||
        (op2 === 0xc7 && reg === 1);
    }
  } else {
    const m = c.fetch8();
    if (m < 0xc0) {
      const reg = (m >> 3) & 7;
      ok =
        (op < 0x40 && (op & 7) < 2 && op !== 0x38 && op !== 0x39) ||
        ((op & 0xfc) === 0x80 && reg !== 7) ||
        op === 0x86 ||
        op === 0x87 ||
        ((op === 0xf6 || op === 0xf7) && (reg === 2 || reg === 3)) ||
        ((op === 0xfe || op === 0xff) && reg < 2);
    }
  }
  c.ip = ip;
  if (!ok) c.fault(UD);
}

function executeOp(c: Cpu, op: number): void {
  const r32 = c.r32;
  const r16 = c.r16;
  const r8 = c.r8;
  switch (op) {
    // ---- ALU: ADD OR ADC SBB AND SUB XOR CMP in six forms each ------------------------------
    case 0x00:
    case 0x08:
    case 0x10:
    case 0x18:
    case 0x20:
    case 0x28:
    case 0x30:
    case 0x38: {
      const m = modrm(c);
      const aop = op >> 3;
      if (aop !== 7) checkRmw(c, m, 1);
      const r = alu(c, aop, getE8(c, m), getG8(c, m), 7);
      if (aop !== 7) setE8(c, m, r);
      return;
    }
    case 0x01:
    case 0x09:
    case 0x11:
    case 0x19:
    case 0x21:
    case 0x29:
    case 0x31:
    case 0x39:
      aluEvGv(c, op);
      return;
    case 0x02:
    case 0x0a:
    case 0x12:
    case 0x1a:
    case 0x22:
    case 0x2a:
    case 0x32:
    case 0x3a: {
      const m = modrm(c);
      const aop = op >> 3;
      const r = alu(c, aop, getG8(c, m), getE8(c, m), 7);
      if (aop !== 7) setG8(c, m, r);
      return;
    }
    case 0x03:
    case 0x0b:
    case 0x13:
    case 0x1b:
    case 0x23:
    case 0x2b:
    case 0x33:
    case 0x3b:
      aluGvEv(c, op);
      return;
    case 0x04:
    case 0x0c:
    case 0x14:
    case 0x1c:
    case 0x24:
    case 0x2c:
    case 0x34:
    case 0x3c: {
      const aop = op >> 3;
      const r = alu(c, aop, r8[0], c.fetch8(), 7);
      if (aop !== 7) r8[0] = r;
      return;
    }
    case 0x05:
    case 0x0d:
    case 0x15:
    case 0x1d:
    case 0x25:
    case 0x2d:
    case 0x35:
    case 0x3d: {
      const aop = op >> 3;
      if (c.o32) {
        const r = alu(c, aop, r32[0], c.fetch32(), 31);
        if (aop !== 7) r32[0] = r;
      } else {
        const r = alu(c, aop, r16[0], c.fetch16(), 15);
        if (aop !== 7) r16[0] = r;
      }
      return;
    }

    // ---- segment register push/pop --------------------------------------------------------
    case 0x06:
    case 0x0e:
    case 0x16:
    case 0x1e:
      pushV(c, c.segSel[op >> 3]);
      return;
    case 0x07:
    case 0x17:
    case 0x1f: {
      const s = op >> 3;
      const v = c.o32 ? c.peek32(0) & 0xffff : c.peek16(0);
      // POP: the stack pointer moves per the B bit of the stack the value came from, before SS is
      // replaced (SDM vol. 2B, POP: "ESP <- ESP + 4" on the old stack, then the load).
      const n = c.o32 ? 4 : 2;
      const esp = c.ssBig ? (r32[4] + n) | 0 : (r32[4] & ~0xffff) | ((r32[4] + n) & 0xffff);
      loadSeg(c, s, v);
      r32[4] = esp;
      if (s === SS) c.setShadow();
      return;
    }
    case 0x0f:
      execute0f(c);
      return;

    // ---- BCD adjustments ------------------------------------------------------------------
    case 0x27:
    case 0x2f:
      daaDas(c, op === 0x2f);
      return;
    case 0x37:
    case 0x3f:
      aaaAas(c, op === 0x3f);
      return;

    // ---- INC/DEC/PUSH/POP register --------------------------------------------------------
    case 0x40:
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44:
    case 0x45:
    case 0x46:
    case 0x47:
    case 0x48:
    case 0x49:
    case 0x4a:
    case 0x4b:
    case 0x4c:
    case 0x4d:
    case 0x4e:
    case 0x4f:
      // Reached with a prefix only: plain INC/DEC r run in hot.ts.
      incDecReg(c, op);
      return;
    case 0x50:
    case 0x51:
    case 0x52:
    case 0x53:
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57:
      if (c.o32) c.push32(r32[op & 7]);
      else c.push16(r16[(op & 7) << 1]);
      return;
    case 0x58:
    case 0x59:
    case 0x5a:
    case 0x5b:
    case 0x5c:
    case 0x5d:
    case 0x5e:
    case 0x5f:
      if (c.o32) {
        const v = c.pop32();
        r32[op & 7] = v;
      } else {
        const v = c.pop16();
        r16[(op & 7) << 1] = v;
      }
      return;
    case 0x60: {
      // PUSHA/PUSHAD: the pushed SP is the value before the instruction. Check room first.
      const size = c.o32 ? 4 : 2;
      const sp = c.sp;
      if (c.o32) {
        // The stored ESP is the full register before the instruction, even on a 16-bit stack.
        for (let i = 0; i < 8; i++) c.wr32(SS, stackOff(c, sp - 4 * (i + 1)), r32[i]);
      } else {
        for (let i = 0; i < 8; i++) c.wr16(SS, stackOff(c, sp - 2 * (i + 1)), i === 4 ? sp : r16[i << 1]);
      }
      c.adjustSp(-8 * size);
      return;
    }
    case 0x61: {
      const sp = c.sp;
      if (c.o32) {
        for (let i = 7; i >= 0; i--) {
          const val = c.rd32(SS, stackOff(c, sp + 4 * (7 - i)));
          if (i !== 4) r32[i] = val;
        }
        c.adjustSp(32);
      } else {
        for (let i = 7; i >= 0; i--) {
          const val = c.rd16(SS, stackOff(c, sp + 2 * (7 - i)));
          if (i !== 4) r16[i << 1] = val;
        }
        c.adjustSp(16);
      }
      return;
    }
    case 0x62: {
      // BOUND Gv, Ma
      const m = c.fetch8();
      if (m >= 0xc0) c.fault(UD);
      decodeEA(c, m);
      if (c.o32) {
        const idx = r32[(m >> 3) & 7];
        const lo = c.rd32(c.eaSeg, c.eaOff);
        const hi = c.rd32(c.eaSeg, c.eaNext(4));
        if (idx < lo || idx > hi) c.fault(BR);
      } else {
        const idx = (r16[((m >> 3) & 7) << 1] << 16) >> 16;
        const lo = (c.rd16(c.eaSeg, c.eaOff) << 16) >> 16;
        const hi = (c.rd16(c.eaSeg, c.eaNext(2)) << 16) >> 16;
        if (idx < lo || idx > hi) c.fault(BR);
      }
      return;
    }
    case 0x63: {
      // ARPL Ew, Gw (protected mode only; #UD in virtual-8086 mode too)
      if (!(c.cr0Reg & 1) || c.fl & VM) c.fault(UD);
      const m = modrm(c);
      const dst = getE16(c, m);
      const src = r16[((m >> 3) & 7) << 1];
      if ((dst & 3) < (src & 3)) {
        setE16(c, m, (dst & ~3) | (src & 3));
        c.setFlag(ZF, true);
      } else c.setFlag(ZF, false);
      return;
    }
    case 0x68:
      if (c.o32) c.push32(c.fetch32());
      else c.push16(c.fetch16());
      return;
    case 0x69:
    case 0x6b: {
      const m = modrm(c);
      const a = getEv(c, m);
      const b = op === 0x69 ? (c.o32 ? c.fetch32() : (c.fetch16() << 16) >> 16) : (c.fetch8() << 24) >> 24;
      setGv(c, m, imul(c, a, b));
      return;
    }
    case 0x6a: {
      const v = (c.fetch8() << 24) >> 24;
      if (c.o32) c.push32(v);
      else c.push16(v);
      return;
    }
    case 0x6c:
    case 0x6d:
    case 0x6e:
    case 0x6f:
    case 0xa4:
    case 0xa5:
    case 0xa6:
    case 0xa7:
    case 0xaa:
    case 0xab:
    case 0xac:
    case 0xad:
    case 0xae:
    case 0xaf:
      stringOp(c, op);
      return;

    // ---- Jcc rel8 ------------------------------------------------------------------------
    case 0x70:
    case 0x71:
    case 0x72:
    case 0x73:
    case 0x74:
    case 0x75:
    case 0x76:
    case 0x77:
    case 0x78:
    case 0x79:
    case 0x7a:
    case 0x7b:
    case 0x7c:
    case 0x7d:
    case 0x7e:
    case 0x7f:
      jcc(c, op);
      return;

    // ---- group 1: ALU Eb/Ev with an immediate --------------------------------------------
    case 0x80:
    case 0x81:
    case 0x82:
    case 0x83:
      group1(c, op);
      return;
    case 0x84: {
      const m = modrm(c);
      logic(c, getE8(c, m) & getG8(c, m), 7);
      return;
    }
    case 0x85: {
      const m = modrm(c);
      if (c.o32) logic(c, getE32(c, m) & r32[(m >> 3) & 7], 31);
      else logic(c, getE16(c, m) & r16[((m >> 3) & 7) << 1], 15);
      return;
    }
    case 0x86: {
      const m = modrm(c);
      const a = getE8(c, m);
      setE8(c, m, getG8(c, m));
      setG8(c, m, a);
      return;
    }
    case 0x87: {
      const m = modrm(c);
      const a = getEv(c, m);
      setEv(c, m, getGv(c, m));
      setGv(c, m, a);
      return;
    }

    // ---- MOV -----------------------------------------------------------------------------
    case 0x88: {
      const m = modrm(c);
      setE8(c, m, getG8(c, m));
      return;
    }
    case 0x89: {
      const m = c.fetch8();
      if (c.o32) {
        if (m >= 0xc0) r32[m & 7] = r32[(m >> 3) & 7];
        else {
          decodeEA(c, m);
          c.wr32(c.eaSeg, c.eaOff, r32[(m >> 3) & 7]);
        }
      } else {
        if (m < 0xc0) decodeEA(c, m);
        setE16(c, m, r16[((m >> 3) & 7) << 1]);
      }
      return;
    }
    case 0x8a: {
      const m = modrm(c);
      setG8(c, m, getE8(c, m));
      return;
    }
    case 0x8b: {
      const m = c.fetch8();
      if (c.o32) {
        if (m >= 0xc0) r32[(m >> 3) & 7] = r32[m & 7];
        else {
          decodeEA(c, m);
          r32[(m >> 3) & 7] = c.rd32(c.eaSeg, c.eaOff);
        }
      } else {
        if (m < 0xc0) decodeEA(c, m);
        r16[((m >> 3) & 7) << 1] = getE16(c, m);
      }
      return;
    }
    case 0x8c: {
      const m = modrm(c);
      const s = (m >> 3) & 7;
      if (s > 5) c.fault(UD);
      if (m >= 0xc0 && c.o32) r32[m & 7] = c.segSel[s];
      else setE16(c, m, c.segSel[s]);
      return;
    }
    case 0x8d: {
      const m = c.fetch8();
      if (m >= 0xc0) c.fault(UD);
      decodeEA(c, m);
      setGv(c, m, c.eaOff);
      return;
    }
    case 0x8e: {
      const m = modrm(c);
      const s = (m >> 3) & 7;
      if (s > 5 || s === CS) c.fault(UD);
      loadSeg(c, s, getE16(c, m));
      if (s === SS) c.setShadow();
      return;
    }
    case 0x8f: {
      // POP Ev: ESP is incremented before the destination address is computed.
      const m = c.fetch8();
      if ((m & 0x38) !== 0) c.fault(UD);
      const size = c.o32 ? 4 : 2;
      const v = c.o32 ? c.peek32(0) : c.peek16(0);
      if (m >= 0xc0) {
        c.adjustSp(size);
        setEv(c, m, v);
      } else {
        const oldSp = r32[4];
        c.adjustSp(size);
        try {
          decodeEA(c, m);
          setEv(c, m, v);
        } catch (e) {
          r32[4] = oldSp;
          throw e;
        }
      }
      return;
    }
    case 0x90:
      return;
    case 0x91:
    case 0x92:
    case 0x93:
    case 0x94:
    case 0x95:
    case 0x96:
    case 0x97: {
      const i = op & 7;
      if (c.o32) {
        const t = r32[0];
        r32[0] = r32[i];
        r32[i] = t;
      } else {
        const t = r16[0];
        r16[0] = r16[i << 1];
        r16[i << 1] = t;
      }
      return;
    }
    case 0x98:
      if (c.o32) r32[0] = (r32[0] << 16) >> 16;
      else r16[0] = (r8[0] << 24) >> 24;
      return;
    case 0x99:
      if (c.o32) r32[2] = r32[0] >> 31;
      else r16[4] = (r16[0] & 0x8000) !== 0 ? 0xffff : 0;
      return;
    case 0x9a: {
      const off = c.o32 ? c.fetch32() : c.fetch16();
      const sel = c.fetch16();
      callFar(c, sel, off, c.o32);
      return;
    }
    case 0x9b:
      // WAIT: #NM when CR0.MP and CR0.TS are both set, then pending x87 exceptions (#MF).
      fwait(c);
      return;
    case 0x9c: {
      // PUSHF: VM and RF are never pushed. IOPL-sensitive in virtual-8086 mode (SDM vol. 3 §20.2.7).
      if (c.fl & VM && (c.fl & IOPL) !== IOPL) c.fault(GP, 0);
      if (c.o32) c.push32(c.getFlags() & 0x00fcffff);
      else c.push16(c.getFlags());
      return;
    }
    case 0x9d: {
      if (c.fl & VM && (c.fl & IOPL) !== IOPL) c.fault(GP, 0);
      const v = c.o32 ? c.peek32(0) : c.peek16(0);
      writeFlags(c, v, c.o32 ? -1 : 0xffff);
      c.adjustSp(c.o32 ? 4 : 2);
      return;
    }
    case 0x9e: {
      // SAHF
      const f = c.getFlags();
      c.fl = (f & ~0xd5) | (r8[1] & 0xd5);
      return;
    }
    case 0x9f:
      r8[1] = (c.getFlags() & 0xd5) | 2;
      return;
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3: {
      const off = c.a32 ? c.fetch32() : c.fetch16();
      const seg = c.segOv >= 0 ? c.segOv : DS;
      switch (op) {
        case 0xa0:
          r8[0] = c.rd8(seg, off);
          break;
        case 0xa1:
          if (c.o32) r32[0] = c.rd32(seg, off);
          else r16[0] = c.rd16(seg, off);
          break;
        case 0xa2:
          c.wr8(seg, off, r8[0]);
          break;
        default:
          if (c.o32) c.wr32(seg, off, r32[0]);
          else c.wr16(seg, off, r16[0]);
      }
      return;
    }
    case 0xa8:
      logic(c, r8[0] & c.fetch8(), 7);
      return;
    case 0xa9:
      if (c.o32) logic(c, r32[0] & c.fetch32(), 31);
      else logic(c, r16[0] & c.fetch16(), 15);
      return;
    case 0xb0:
    case 0xb1:
    case 0xb2:
    case 0xb3:
    case 0xb4:
    case 0xb5:
    case 0xb6:
    case 0xb7:
      r8[BYTE_REG[op & 7]] = c.fetch8();
      return;
    case 0xb8:
    case 0xb9:
    case 0xba:
    case 0xbb:
    case 0xbc:
    case 0xbd:
    case 0xbe:
    case 0xbf:
      if (c.o32) r32[op & 7] = c.fetch32();
      else r16[(op & 7) << 1] = c.fetch16();
      return;

    // ---- shifts ---------------------------------------------------------------------------
    case 0xc0:
    case 0xd0:
    case 0xd2: {
      const m = modrm(c);
      checkRmw(c, m, 1);
      const v = getE8(c, m);
      const n = op === 0xc0 ? c.fetch8() : op === 0xd0 ? 1 : r8[4];
      setE8(c, m, shift(c, (m >> 3) & 7, v, n, 7));
      return;
    }
    case 0xc1:
    case 0xd1:
    case 0xd3: {
      const m = modrm(c);
      checkRmw(c, m, c.o32 ? 4 : 2);
      const v = getEv(c, m);
      const n = op === 0xc1 ? c.fetch8() : op === 0xd1 ? 1 : r8[4];
      setEv(c, m, shift(c, (m >> 3) & 7, v, n, c.o32 ? 31 : 15));
      return;
    }

    // ---- near returns, far pointers, MOV imm ---------------------------------------------
    case 0xc2:
    case 0xc3: {
      const imm = op === 0xc2 ? c.fetch16() : 0;
      const target = c.o32 ? c.peek32(0) : c.peek16(0);
      setIp(c, target);
      c.adjustSp((c.o32 ? 4 : 2) + imm);
      return;
    }
    case 0xc4:
    case 0xc5: {
      const m = c.fetch8();
      if (m >= 0xc0) c.fault(UD);
      decodeEA(c, m);
      loadFarPointer(c, m, op === 0xc4 ? ES : DS);
      return;
    }
    case 0xc6:
      movEbIb(c);
      return;
    case 0xc7: {
      const m = c.fetch8();
      if ((m & 0x38) !== 0) c.fault(UD);
      if (m < 0xc0) decodeEA(c, m);
      setEv(c, m, c.o32 ? c.fetch32() : c.fetch16());
      return;
    }
    case 0xc8:
      enter(c, c.fetch16(), c.fetch8() & 31);
      return;
    case 0xc9: {
      // LEAVE
      const bp = c.ssBig ? r32[5] : r16[10];
      const v = c.o32 ? c.rd32(SS, bp) : c.rd16(SS, bp);
      if (c.ssBig) r32[4] = (bp + (c.o32 ? 4 : 2)) | 0;
      else r16[8] = bp + (c.o32 ? 4 : 2);
      if (c.o32) r32[5] = v;
      else r16[10] = v;
      return;
    }
    case 0xca:
    case 0xcb:
      retFar(c, c.o32, op === 0xca ? c.fetch16() : 0);
      return;
    case 0xcc:
      deliverInterrupt(c, BP, -1, true, false);
      return;
    case 0xcd: {
      const vector = c.fetch8();
      // INT n is IOPL-sensitive in virtual-8086 mode (INT3 and INTO are not: SDM vol. 3 §20.3.1).
      if (c.fl & VM && (c.fl & IOPL) !== IOPL) c.fault(GP, 0);
      deliverInterrupt(c, vector, -1, true, false);
      return;
    }
    case 0xce:
      if (c.getOF()) deliverInterrupt(c, OFV, -1, true, false);
      return;
    case 0xcf:
      iret(c, c.o32);
      return;
    case 0xd4: {
      // AAM imm8
      const base = c.fetch8();
      if (base === 0) c.fault(DE);
      const al = r8[0];
      r8[1] = (al / base) | 0;
      r8[0] = al % base;
      logic(c, r8[0], 7);
      return;
    }
    case 0xd5: {
      // AAD imm8: flags as an 8-bit ADD of AL and AH*imm.
      const base = c.fetch8();
      const t = (r8[1] * base) & 0xff;
      const al = add(c, r8[0], t, 7);
      r16[0] = al;
      return;
    }
    case 0xd6:
      // SALC (undocumented): AL = CF ? 0xFF : 0.
      r8[0] = c.getCF() ? 0xff : 0;
      return;
    case 0xd7: {
      const seg = c.segOv >= 0 ? c.segOv : DS;
      const off = c.a32 ? (r32[3] + r8[0]) | 0 : (r16[6] + r8[0]) & 0xffff;
      r8[0] = c.rd8(seg, off);
      return;
    }
    case 0xd8:
    case 0xd9:
    case 0xda:
    case 0xdb:
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf:
      // ESC: the x87 (fpu_instructions.ts), #NM with CR0.EM or CR0.TS.
      executeFpu(c, op);
      return;
    case 0xe0:
    case 0xe1:
    case 0xe2: {
      const d = (c.fetch8() << 24) >> 24;
      let cnt: number;
      if (c.a32) cnt = r32[1] = (r32[1] - 1) | 0;
      else cnt = r16[2] = r16[2] - 1;
      let take = cnt !== 0;
      if (op === 0xe0) take = take && !c.getZF();
      else if (op === 0xe1) take = take && c.getZF() !== 0;
      if (take) jumpRel(c, d);
      return;
    }
    case 0xe3: {
      const d = (c.fetch8() << 24) >> 24;
      if ((c.a32 ? r32[1] : r16[2]) === 0) jumpRel(c, d);
      return;
    }
    case 0xe4: {
      const port = c.fetch8();
      checkIo(c, port, 1);
      r8[0] = c.io.in8(port);
      return;
    }
    case 0xe5: {
      const port = c.fetch8();
      if (c.o32) {
        checkIo(c, port, 4);
        r32[0] = c.io.in32(port);
      } else {
        checkIo(c, port, 2);
        r16[0] = c.io.in16(port);
      }
      return;
    }
    case 0xe6: {
      const port = c.fetch8();
      checkIo(c, port, 1);
      c.io.out8(port, r8[0]);
      return;
    }
    case 0xe7: {
      const port = c.fetch8();
      if (c.o32) {
        checkIo(c, port, 4);
        c.io.out32(port, r32[0] >>> 0);
      } else {
        checkIo(c, port, 2);
        c.io.out16(port, r16[0]);
      }
      return;
    }
    case 0xe8: {
      if (c.o32) {
        const d = c.fetch32();
        const ret = c.ip;
        const target = (ret + d) | 0;
        checkNear(c, target);
        c.push32(ret);
        c.ip = target;
      } else {
        const d = c.fetch16();
        const ret = c.ip;
        const target = (ret + d) & 0xffff;
        checkNear(c, target);
        c.push16(ret);
        c.ip = target;
      }
      return;
    }
    case 0xe9: {
      const d = c.o32 ? c.fetch32() : (c.fetch16() << 16) >> 16;
      jumpRel(c, d);
      return;
    }
    case 0xea: {
      const off = c.o32 ? c.fetch32() : c.fetch16();
      const sel = c.fetch16();
      jmpFar(c, sel, off);
      return;
    }
    case 0xeb:
      jmpShort(c);
      return;
    case 0xec:
      checkIo(c, r16[4], 1);
      r8[0] = c.io.in8(r16[4]);
      return;
    case 0xed:
      if (c.o32) {
        checkIo(c, r16[4], 4);
        r32[0] = c.io.in32(r16[4]);
      } else {
        checkIo(c, r16[4], 2);
        r16[0] = c.io.in16(r16[4]);
      }
      return;
    case 0xee:
      checkIo(c, r16[4], 1);
      c.io.out8(r16[4], r8[0]);
      return;
    case 0xef:
      if (c.o32) {
        checkIo(c, r16[4], 4);
        c.io.out32(r16[4], r32[0] >>> 0);
      } else {
        checkIo(c, r16[4], 2);
        c.io.out16(r16[4], r16[0]);
      }
      return;
    case 0xf1:
      // INT1 / ICEBP: a debug trap through vector 1.
      deliverInterrupt(c, 1, -1, false, false);
      return;
    case 0xf4:
      // HLT
      if (c.cpl !== 0) c.fault(GP, 0);
      c.halted = true;
      c.attention = true;
      return;
    case 0xf5:
      c.setFlag(CF, !c.getCF());
      return;
    case 0xf6:
      group3(c, 7);
      return;
    case 0xf7:
      group3(c, c.o32 ? 31 : 15);
      return;
    case 0xf8:
      c.setFlag(CF, false);
      return;
    case 0xf9:
      c.setFlag(CF, true);
      return;
    case 0xfa:
      if (c.cr0Reg & 1 && c.cpl > ((c.fl >> 12) & 3)) c.fault(GP, 0);
      c.fl &= ~IF;
      return;
    case 0xfb:
      if (c.cr0Reg & 1 && c.cpl > ((c.fl >> 12) & 3)) c.fault(GP, 0);
      if (!(c.fl & IF)) {
        c.fl |= IF;
        c.setShadow();
      }
      return;
    case 0xfc:
      c.fl &= ~DF;
      return;
    case 0xfd:
      c.fl |= DF;
      return;
    case 0xfe: {
      const m = modrm(c);
      const r = (m >> 3) & 7;
      if (r <= 1) checkRmw(c, m, 1);
      if (r === 0) setE8(c, m, inc(c, getE8(c, m), 7));
      else if (r === 1) setE8(c, m, dec(c, getE8(c, m), 7));
      else c.fault(UD);
      return;
    }
    case 0xff:
      group5(c);
      return;
    default:
      // 0xF0/F2/F3 etc. never reach here; anything else is undefined.
      c.fault(UD);
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function stackOff(c: Cpu, v: number): number {
  return c.ssBig ? v | 0 : v & 0xffff;
}

function pushV(c: Cpu, v: number): void {
  if (c.o32) c.push32(v);
  else c.push16(v);
}

/** Checks a near branch target against the CS limit (#GP(0) before anything changes). */
export function checkNear(c: Cpu, target: number): void {
  if (target >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
}

function setIp(c: Cpu, target: number): void {
  const t = c.o32 ? target | 0 : target & 0xffff;
  checkNear(c, t);
  c.ip = t;
}

/** Relative jump by `d` from the next instruction, truncated to the operand size. */
function jumpRel(c: Cpu, d: number): void {
  const t = c.o32 ? (c.ip + d) | 0 : (c.ip + d) & 0xffff;
  if (t >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
  c.ip = t;
}

/** POPF/IRET flag write with the privilege rules (SDM vol. 2, POPF). `mask` selects 16 or 32 bits. */
export function writeFlags(c: Cpu, v: number, mask: number): void {
  const old = c.getFlags();
  let changeable = AC | ID | NT | DF | OF | TF | SF | ZF | AF | PF | CF | IF | IOPL;
  if (c.cr0Reg & 1) {
    if (c.cpl > 0) changeable &= ~IOPL;
    if (c.cpl > ((old >> 12) & 3)) changeable &= ~IF;
  }
  changeable &= mask;
  c.setFlags((old & ~changeable) | (v & changeable));
  c.refreshAttention();
}

function group3(c: Cpu, s: number): void {
  const m = modrm(c);
  const op = (m >> 3) & 7;
  const r16 = c.r16;
  const r32 = c.r32;
  const r8 = c.r8;
  switch (op) {
    case 0:
    case 1: {
      const v = s === 7 ? getE8(c, m) : getEv(c, m);
      const imm = s === 7 ? c.fetch8() : s === 15 ? c.fetch16() : c.fetch32();
      logic(c, v & imm, s);
      return;
    }
    case 2: {
      if (s === 7) setE8(c, m, ~getE8(c, m) & 0xff);
      else setEv(c, m, ~getEv(c, m));
      return;
    }
    case 3: {
      checkRmw(c, m, (s + 1) >> 3);
      if (s === 7) setE8(c, m, sub(c, 0, getE8(c, m), 7));
      else setEv(c, m, sub(c, 0, getEv(c, m), s));
      return;
    }
    case 4: {
      // MUL
      if (s === 7) {
        const p = r8[0] * getE8(c, m);
        r16[0] = p;
        const hi = p >> 8 ? 1 : 0;
        resultFlags(c, p & 0xff, 7, hi, hi);
      } else if (s === 15) {
        const p = r16[0] * getE16(c, m);
        r16[0] = p;
        r16[4] = p >>> 16;
        const hi = p >>> 16 ? 1 : 0;
        resultFlags(c, p & 0xffff, 15, hi, hi);
      } else {
        const b = getE32(c, m);
        const a = r32[0];
        const lo = Math.imul(a, b);
        const hi = mulHigh32(a, b);
        r32[0] = lo;
        r32[2] = hi;
        resultFlags(c, lo, 31, hi ? 1 : 0, hi ? 1 : 0);
      }
      return;
    }
    case 5: {
      // IMUL (one operand)
      if (s === 7) {
        const p = ((r8[0] << 24) >> 24) * ((getE8(c, m) << 24) >> 24);
        r16[0] = p;
        const over = p !== (p << 24) >> 24 ? 1 : 0;
        resultFlags(c, p & 0xff, 7, over, over);
      } else if (s === 15) {
        const p = ((r16[0] << 16) >> 16) * ((getE16(c, m) << 16) >> 16);
        r16[0] = p;
        r16[4] = p >> 16;
        const over = p !== (p << 16) >> 16 ? 1 : 0;
        resultFlags(c, p & 0xffff, 15, over, over);
      } else {
        const b = getE32(c, m);
        const a = r32[0];
        const lo = Math.imul(a, b);
        const hi = imulHigh32(a, b);
        r32[0] = lo;
        r32[2] = hi;
        const over = hi !== lo >> 31 ? 1 : 0;
        resultFlags(c, lo, 31, over, over);
      }
      return;
    }
    case 6: {
      // DIV
      if (s === 7) {
        const d = getE8(c, m);
        if (d === 0) c.fault(DE);
        const n = r16[0];
        const q = (n / d) | 0;
        if (q > 0xff) c.fault(DE);
        r8[0] = q;
        r8[1] = n % d;
      } else if (s === 15) {
        const d = getE16(c, m);
        if (d === 0) c.fault(DE);
        const n = (r16[4] * 65536 + r16[0]) >>> 0;
        const q = Math.floor(n / d);
        if (q > 0xffff) c.fault(DE);
        r16[0] = q;
        r16[4] = n % d;
      } else {
        const d = getE32(c, m) >>> 0;
        if (d === 0) c.fault(DE);
        const hi = r32[2] >>> 0;
        const lo = r32[0] >>> 0;
        if (hi >= d) c.fault(DE);
        if (hi === 0) {
          r32[0] = Math.floor(lo / d);
          r32[2] = lo % d;
        } else {
          const n = (BigInt(hi) << 32n) | BigInt(lo);
          const bd = BigInt(d);
          r32[0] = Number(n / bd);
          r32[2] = Number(n % bd);
        }
      }
      return;
    }
    default: {
      // IDIV
      if (s === 7) {
        const d = (getE8(c, m) << 24) >> 24;
        if (d === 0) c.fault(DE);
        const n = (r16[0] << 16) >> 16;
        const q = Math.trunc(n / d);
        if (q > 127 || q < -128) c.fault(DE);
        r8[0] = q;
        r8[1] = n % d;
      } else if (s === 15) {
        const d = (getE16(c, m) << 16) >> 16;
        if (d === 0) c.fault(DE);
        const n = (r16[4] << 16) | r16[0];
        const q = Math.trunc(n / d);
        if (q > 32767 || q < -32768) c.fault(DE);
        r16[0] = q;
        r16[4] = n % d;
      } else {
        const d = getE32(c, m);
        if (d === 0) c.fault(DE);
        const n = (BigInt(r32[2]) << 32n) | BigInt(r32[0] >>> 0);
        const bd = BigInt(d);
        const q = n / bd;
        if (q > 0x7fffffffn || q < -0x80000000n) c.fault(DE);
        r32[0] = Number(q);
        r32[2] = Number(n % bd);
      }
      return;
    }
  }
}

function group5(c: Cpu): void {
  const m = modrm(c);
  const op = (m >> 3) & 7;
  switch (op) {
    case 0:
      checkRmw(c, m, c.o32 ? 4 : 2);
      setEv(c, m, inc(c, getEv(c, m), c.o32 ? 31 : 15));
      return;
    case 1:
      checkRmw(c, m, c.o32 ? 4 : 2);
      setEv(c, m, dec(c, getEv(c, m), c.o32 ? 31 : 15));
      return;
    case 2: {
      // CALL near Ev
      const target = getEv(c, m);
      const t = c.o32 ? target : target & 0xffff;
      checkNear(c, t);
      if (c.o32) c.push32(c.ip);
      else c.push16(c.ip);
      c.ip = t;
      return;
    }
    case 3:
    case 5: {
      if (m >= 0xc0) c.fault(UD);
      const off = c.o32 ? c.rd32(c.eaSeg, c.eaOff) : c.rd16(c.eaSeg, c.eaOff);
      const sel = c.rd16(c.eaSeg, c.eaNext(c.o32 ? 4 : 2));
      if (op === 3) callFar(c, sel, off, c.o32);
      else jmpFar(c, sel, off);
      return;
    }
    case 4: {
      const target = getEv(c, m);
      setIp(c, target);
      return;
    }
    case 6:
      pushV(c, getEv(c, m));
      return;
    default:
      c.fault(UD);
  }
}

function loadFarPointer(c: Cpu, m: number, seg: number): void {
  const off = c.o32 ? c.rd32(c.eaSeg, c.eaOff) : c.rd16(c.eaSeg, c.eaOff);
  const sel = c.rd16(c.eaSeg, c.eaNext(c.o32 ? 4 : 2));
  loadSeg(c, seg, sel);
  setGv(c, m, off);
  if (seg === SS) c.setShadow();
}

/** LSS/LFS/LGS (0F B2/B4/B5) share the far-pointer load. */
export function loadFarPointerOp(c: Cpu, seg: number): void {
  const m = c.fetch8();
  if (m >= 0xc0) c.fault(UD);
  decodeEA(c, m);
  loadFarPointer(c, m, seg);
}

function enter(c: Cpu, size: number, level: number): void {
  // SDM vol. 2, ENTER. The operand size picks what is pushed (EBP or BP, dword or word); the stack
  // size picks the pointer arithmetic. On a 16-bit stack the frame pointer is the whole ESP register
  // after the push (its upper half kept), as the 386 does.
  const r32 = c.r32;
  const r16 = c.r16;
  const w = c.o32 ? 4 : 2;
  let sp = c.sp;
  let bp = c.ssBig ? r32[5] : r16[10];
  const frame = stackOff(c, sp - w);
  const frameTemp = c.ssBig ? frame : (r32[4] & ~0xffff) | frame;
  // Push EBP/BP.
  if (c.o32) c.wr32(SS, frame, r32[5]);
  else c.wr16(SS, frame, r16[10]);
  sp = frame;
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      bp = stackOff(c, bp - w);
      const v = c.o32 ? c.rd32(SS, bp) : c.rd16(SS, bp);
      sp = stackOff(c, sp - w);
      if (c.o32) c.wr32(SS, sp, v);
      else c.wr16(SS, sp, v);
    }
    sp = stackOff(c, sp - w);
    if (c.o32) c.wr32(SS, sp, frameTemp);
    else c.wr16(SS, sp, frame);
  }
  const newSp = stackOff(c, sp - size);
  // The 386 checks that the whole new frame is addressable, and writable through paging: ENTER
  // faults whenever a write at the final stack pointer would.
  if (size > 0) c.probeWrite(c.linW(SS, newSp, 1), c.cpl === 3);
  if (c.o32) r32[5] = frameTemp;
  else r16[10] = frame;
  if (c.ssBig) r32[4] = newSp;
  else r16[8] = newSp;
}

function daaDas(c: Cpu, das: boolean): void {
  const r8 = c.r8;
  const oldAl = r8[0];
  const oldCf = c.getCF();
  const af = c.getAF();
  let al = oldAl;
  let cf = 0;
  let newAf = 0;
  if ((al & 0xf) > 9 || af) {
    al = das ? al - 6 : al + 6;
    cf = oldCf | (das ? (oldAl < 6 ? 1 : 0) : al > 0xff ? 1 : 0);
    newAf = 1;
    al &= 0xff;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (das ? al - 0x60 : al + 0x60) & 0xff;
    cf = 1;
  }
  r8[0] = al;
  logic(c, al, 7);
  c.getFlags();
  c.fl = (c.fl & ~(CF | AF | OF)) | (cf ? CF : 0) | (newAf ? AF : 0);
  // OF is undefined; the 386 sets it as the signed overflow of the adjustment.
  if (!das && (oldAl & 0x80) === 0 && (al & 0x80) !== 0) c.fl |= OF;
  if (das && (oldAl & 0x80) !== 0 && (al & 0x80) === 0) c.fl |= OF;
}

function aaaAas(c: Cpu, aas: boolean): void {
  const r8 = c.r8;
  const r16 = c.r16;
  const al = r8[0];
  if ((al & 0xf) > 9 || c.getAF()) {
    if (aas) {
      r16[0] = r16[0] - 6;
      r8[1] = r8[1] - 1;
    } else {
      r16[0] = r16[0] + 0x106;
    }
    r8[0] &= 0xf;
    logic(c, r8[0], 7);
    c.getFlags();
    c.fl |= AF | CF;
  } else {
    r8[0] &= 0xf;
    logic(c, r8[0], 7);
    c.getFlags();
  }
  void SIGN;
  void PF;
  void TF;
  void NT;
}
