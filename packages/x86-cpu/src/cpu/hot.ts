// The fast path of the interpreter: the one-byte opcodes that dominate loops (ALU Ev,Gv / Gv,Ev,
// group 1 immediates, INC/DEC r, Jcc rel8, MOV Ev,Gv / Gv,Ev / r,imm / Eb,imm8, JMP rel8) without
// prefixes. It is small so that V8 inlines it, with the opcode fetch, into one compiled unit and
// skips the large frame of the general `executeOp`. The functions here are also the only
// implementation of those opcodes: execute.ts calls them for the prefixed forms (Intel SDM vol. 2,
// appendix A, table A-2). `executeHot` returns false before consuming anything for an opcode it
// does not handle.

import { type Cpu, GP, L_SUB, UD } from './cpu.js';
import { CF, ZF } from './flags.js';
import { alu, decodeEA, getE8, incDecReg, setE8 } from './operands.js';
import { CS } from './state.js';

/** Executes `op` (already fetched, no prefix) if it is one of the hot opcodes; false otherwise. */
export function executeHot(c: Cpu, op: number): boolean {
  // Classified by bit tests rather than a switch: cheaper in V8 than a sparse case table.
  if (op >>> 4 === 7) return jcc(c, op);
  if (op >>> 4 === 4) {
    incDecReg(c, op);
    return true;
  }
  if ((op & 0xc5) === 0x01) {
    // ALU Ev,Gv (x1) and Gv,Ev (x3): ADD OR ADC SBB AND SUB XOR CMP.
    if (op & 2) aluGvEv(c, op);
    else aluEvGv(c, op);
    return true;
  }
  if ((op & 0xfd) === 0x89) {
    // MOV Ev,Gv / MOV Gv,Ev (32-bit operand size; the 16-bit forms take the general path).
    if (!c.o32) return false;
    const r32 = c.r32;
    const m = c.fetch8();
    if (op === 0x89) {
      if (m >= 0xc0) r32[m & 7] = r32[(m >> 3) & 7];
      else {
        decodeEA(c, m);
        c.wr32(c.eaSeg, c.eaOff, r32[(m >> 3) & 7]);
      }
    } else if (m >= 0xc0) r32[(m >> 3) & 7] = r32[m & 7];
    else {
      decodeEA(c, m);
      r32[(m >> 3) & 7] = c.rd32(c.eaSeg, c.eaOff);
    }
    return true;
  }
  if ((op & 0xfc) === 0x80) {
    group1(c, op);
    return true;
  }
  if ((op & 0xf8) === 0xb8) {
    // MOV r, imm.
    if (c.o32) c.r32[op & 7] = c.fetch32();
    else c.r16[(op & 7) << 1] = c.fetch16();
    return true;
  }
  if (op === 0xc6) {
    movEbIb(c);
    return true;
  }
  if (op === 0xeb) {
    jmpShort(c);
    return true;
  }
  return false;
}

/** MOV Eb, imm8 (C6; the reg field must be 0). */
export function movEbIb(c: Cpu): void {
  const m = c.fetch8();
  if ((m & 0x38) !== 0) c.fault(UD);
  if (m < 0xc0) decodeEA(c, m);
  setE8(c, m, c.fetch8());
}

/** JMP rel8 (EB). */
export function jmpShort(c: Cpu): void {
  const d = (c.fetch8() << 24) >> 24;
  const t = c.o32 ? (c.ip + d) | 0 : (c.ip + d) & 0xffff;
  if (t >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
  c.ip = t;
}

/** Group 1: ALU Eb,Ib (80, and its alias 82), Ev,Iz (81), Ev,Ib sign-extended (83). */
export function group1(c: Cpu, op: number): void {
  const m = c.fetch8();
  if (m < 0xc0) decodeEA(c, m);
  const aop = (m >> 3) & 7;
  // A read-modify-write checks that it can write before it reads (Cpu.checkWrite).
  if (aop !== 7 && m < 0xc0) c.checkWrite(c.eaSeg, c.eaOff, op & 1 ? (c.o32 ? 4 : 2) : 1);
  if (!(op & 1)) {
    const r = alu(c, aop, getE8(c, m), c.fetch8(), 7);
    if (aop !== 7) setE8(c, m, r);
    return;
  }
  if (c.o32) {
    const r32 = c.r32;
    if (m >= 0xc0) {
      const b = op === 0x81 ? c.fetch32() : (c.fetch8() << 24) >> 24;
      const r = alu(c, aop, r32[m & 7], b, 31);
      if (aop !== 7) r32[m & 7] = r;
    } else {
      const a = c.rd32(c.eaSeg, c.eaOff);
      const b = op === 0x81 ? c.fetch32() : (c.fetch8() << 24) >> 24;
      const r = alu(c, aop, a, b, 31);
      if (aop !== 7) c.wr32(c.eaSeg, c.eaOff, r);
    }
  } else {
    const r16 = c.r16;
    if (m >= 0xc0) {
      const b = op === 0x81 ? c.fetch16() : ((c.fetch8() << 24) >> 24) & 0xffff;
      const r = alu(c, aop, r16[(m & 7) << 1], b, 15);
      if (aop !== 7) r16[(m & 7) << 1] = r;
    } else {
      const a = c.rd16(c.eaSeg, c.eaOff);
      const b = op === 0x81 ? c.fetch16() : ((c.fetch8() << 24) >> 24) & 0xffff;
      const r = alu(c, aop, a, b, 15);
      if (aop !== 7) c.wr16(c.eaSeg, c.eaOff, r);
    }
  }
}

/** ALU Ev,Gv. */
export function aluEvGv(c: Cpu, op: number): void {
  const r32 = c.r32;
  const m = c.fetch8();
  const aop = op >> 3;
  if (c.o32) {
    if (m >= 0xc0) {
      const r = alu(c, aop, r32[m & 7], r32[(m >> 3) & 7], 31);
      if (aop !== 7) r32[m & 7] = r;
    } else {
      decodeEA(c, m);
      if (aop !== 7) c.checkWrite(c.eaSeg, c.eaOff, 4);
      const r = alu(c, aop, c.rd32(c.eaSeg, c.eaOff), r32[(m >> 3) & 7], 31);
      if (aop !== 7) c.wr32(c.eaSeg, c.eaOff, r);
    }
  } else {
    const r16 = c.r16;
    if (m >= 0xc0) {
      const r = alu(c, aop, r16[(m & 7) << 1], r16[((m >> 3) & 7) << 1], 15);
      if (aop !== 7) r16[(m & 7) << 1] = r;
    } else {
      decodeEA(c, m);
      if (aop !== 7) c.checkWrite(c.eaSeg, c.eaOff, 2);
      const r = alu(c, aop, c.rd16(c.eaSeg, c.eaOff), r16[((m >> 3) & 7) << 1], 15);
      if (aop !== 7) c.wr16(c.eaSeg, c.eaOff, r);
    }
  }
}

/** ALU Gv,Ev. */
export function aluGvEv(c: Cpu, op: number): void {
  const r32 = c.r32;
  const m = c.fetch8();
  const aop = op >> 3;
  if (m < 0xc0) decodeEA(c, m);
  if (c.o32) {
    const g = (m >> 3) & 7;
    const r = alu(c, aop, r32[g], m >= 0xc0 ? r32[m & 7] : c.rd32(c.eaSeg, c.eaOff), 31);
    if (aop !== 7) r32[g] = r;
  } else {
    const r16 = c.r16;
    const g = ((m >> 3) & 7) << 1;
    const r = alu(c, aop, r16[g], m >= 0xc0 ? r16[(m & 7) << 1] : c.rd16(c.eaSeg, c.eaOff), 15);
    if (aop !== 7) r16[g] = r;
  }
}

/** Jcc rel8. */
export function jcc(c: Cpu, op: number): boolean {
  const d = (c.fetch8() << 24) >> 24;
  let take: boolean;
  if ((op & 0xe) === 4 && c.lazyMask & ZF) {
    // JZ/JNZ after a lazy result: test the remembered result directly.
    const zero = (c.ls === 31 ? c.lr : c.lr & ((2 << c.ls) - 1)) === 0;
    take = op === 0x74 ? zero : !zero;
  } else if ((op & 0xe) === 2 && c.lazyMask & CF && c.lop === L_SUB) {
    // JB/JNB after SUB/CMP: the borrow is an unsigned compare of the operands.
    const mask = c.ls === 31 ? -1 : (2 << c.ls) - 1;
    const below = (c.la & mask) >>> 0 < (c.lb & mask) >>> 0;
    take = op === 0x72 ? below : !below;
  } else take = c.cond(op & 15);
  if (take) {
    const t = c.o32 ? (c.ip + d) | 0 : (c.ip + d) & 0xffff;
    if (t >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
    c.ip = t;
  }
  return true;
}
