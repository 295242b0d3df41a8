// Segmentation and control transfer with privilege checks (Intel SDM vol. 3 ch. 5 and 6; the
// pseudocode of MOV/POP Sreg, JMP, CALL, RET, IRET and INT n in vol. 2): segment-register loads,
// far JMP/CALL/RET through code segments, call gates and task gates, IRET, interrupt and exception
// delivery through the IVT (real mode) or the IDT (protected mode), and the I/O permission check.

import { type Cpu, GP, NP, SSF, TS } from './cpu.js';
import { AC, IF, IOPL, NT, RF, TF, VM } from './flags.js';
import { CS, DS, ES, FS, GS, SS } from './state.js';
import { TASK_CALL, TASK_INT, TASK_IRET, TASK_JMP, taskSwitch } from './task.js';

/**
 * Segment cache attributes in virtual-8086 mode: present, DPL 3, read/write data, accessed, 16-bit;
 * with limit 0xFFFF and base selector * 16 (SDM vol. 3 §20.1.1).
 */
const V86_ATTR = 0xf3;

/** Loads all six segment registers as virtual-8086 mode does (selector * 16, limit 0xFFFF). */
function loadV86Segments(
  c: Cpu,
  es: number,
  cs: number,
  ss: number,
  ds: number,
  fs: number,
  gs: number,
): void {
  c.setSegRaw(ES, es, es << 4, 0xffff, V86_ATTR);
  c.setSegRaw(CS, cs, cs << 4, 0xffff, V86_ATTR);
  c.setSegRaw(SS, ss, ss << 4, 0xffff, V86_ATTR);
  c.setSegRaw(DS, ds, ds << 4, 0xffff, V86_ATTR);
  c.setSegRaw(FS, fs, fs << 4, 0xffff, V86_ATTR);
  c.setSegRaw(GS, gs, gs << 4, 0xffff, V86_ATTR);
}

/** The last descriptor read by fetchDesc (module state, so no object is allocated per load). */
export let dLo = 0;
export let dHi = 0;

/** Reads the descriptor for `sel` from the GDT or LDT; false when outside the table. */
export function fetchDesc(c: Cpu, sel: number): boolean {
  const idx = sel & 0xfff8;
  let base: number;
  let limit: number;
  if (sel & 4) {
    if ((c.ldtSel & 0xfffc) === 0) return false;
    base = c.ldtBase;
    limit = c.ldtLimit;
  } else {
    base = c.gdtBase;
    limit = c.gdtLimit;
  }
  if (idx + 7 > limit) return false;
  dLo = c.sysRead32((base + idx) | 0);
  dHi = c.sysRead32((base + idx + 4) | 0);
  return true;
}

/** Linear address of the descriptor for `sel` (after a successful fetchDesc). */
function descAddr(c: Cpu, sel: number): number {
  return ((sel & 4 ? c.ldtBase : c.gdtBase) + (sel & 0xfff8)) | 0;
}

export function descBase(lo: number, hi: number): number {
  return (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000) | 0;
}

export function descLimit(lo: number, hi: number): number {
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

export function descAttr(hi: number): number {
  return (hi >>> 8) & 0xf0ff;
}

/** Sets the accessed bit of a code/data descriptor in memory. */
function setAccessed(c: Cpu, sel: number): void {
  if (!(dHi & 0x100)) {
    dHi |= 0x100;
    c.sysWrite8((descAddr(c, sel) + 5) | 0, (dHi >>> 8) & 0xff);
  }
}

/** Loads CS from the descriptor in dLo/dHi with the given RPL (which becomes the CPL). */
function commitCs(c: Cpu, sel: number, cpl: number): void {
  c.setSegRaw(CS, (sel & 0xfffc) | cpl, descBase(dLo, dHi), descLimit(dLo, dHi), descAttr(dHi));
  if (c.cpl !== cpl) {
    c.cpl = cpl;
    c.selectTags();
  }
}

/** MOV/POP to a data or stack segment register, LDS/LES/LFS/LGS/LSS (SDM vol. 2, MOV). */
export function loadSeg(c: Cpu, s: number, sel: number): void {
  sel &= 0xffff;
  if (!(c.cr0Reg & 1)) {
    c.setSegRaw(s, sel, sel << 4, c.segLimit[s], c.segAttr[s] | 0x80);
    return;
  }
  if (c.fl & VM) {
    c.setSegRaw(s, sel, sel << 4, 0xffff, V86_ATTR);
    return;
  }
  const rpl = sel & 3;
  const err = sel & 0xfffc;
  if (s === SS) {
    if (err === 0) c.fault(GP, 0);
    if (!fetchDesc(c, sel)) c.fault(GP, err);
    const attr = descAttr(dHi);
    const dpl = (attr >> 5) & 3;
    if (rpl !== c.cpl || dpl !== c.cpl || (attr & 0x1a) !== 0x12) c.fault(GP, err);
    if (!(attr & 0x80)) c.fault(SSF, err);
  } else {
    if (err === 0) {
      c.setSegRaw(s, sel, 0, 0, 0);
      return;
    }
    if (!fetchDesc(c, sel)) c.fault(GP, err);
    const attr = descAttr(dHi);
    const dpl = (attr >> 5) & 3;
    if (!(attr & 0x10) || (attr & 0xa) === 0x8) c.fault(GP, err);
    if ((attr & 0xc) !== 0xc && (rpl > dpl || c.cpl > dpl)) c.fault(GP, err);
    if (!(attr & 0x80)) c.fault(NP, err);
  }
  setAccessed(c, sel);
  c.setSegRaw(s, sel, descBase(dLo, dHi), descLimit(dLo, dHi), descAttr(dHi));
}

/** Checks the code descriptor in dLo/dHi as a JMP/CALL target; returns its DPL. */
function checkCodeTarget(c: Cpu, sel: number): number {
  const attr = descAttr(dHi);
  const dpl = (attr >> 5) & 3;
  const err = sel & 0xfffc;
  if ((attr & 0x18) !== 0x18) c.fault(GP, err);
  if (attr & 4) {
    if (dpl > c.cpl) c.fault(GP, err);
  } else if ((sel & 3) > c.cpl || dpl !== c.cpl) c.fault(GP, err);
  if (!(attr & 0x80)) c.fault(NP, err);
  return dpl;
}

/**
 * The checks RET far and IRET make on the return CS in protected mode (SDM vol. 2, RET and IRET):
 * not null, a code segment in its table, RPL not below CPL, DPL equal to RPL (non-conforming) or
 * at most RPL (conforming), present. Leaves the descriptor in dLo/dHi.
 */
function checkReturnCs(c: Cpu, sel: number): void {
  const rpl = sel & 3;
  const err = sel & 0xfffc;
  if (err === 0) c.fault(GP, 0);
  if (!fetchDesc(c, sel)) c.fault(GP, err);
  const attr = descAttr(dHi);
  const dpl = (attr >> 5) & 3;
  if (rpl < c.cpl || (attr & 0x18) !== 0x18) c.fault(GP, err);
  if (attr & 4 ? dpl > rpl : dpl !== rpl) c.fault(GP, err);
  if (!(attr & 0x80)) c.fault(NP, err);
}

function checkLimit(c: Cpu, off: number): void {
  if (off >>> 0 > descLimit(dLo, dHi)) c.fault(GP, 0);
}

/** Far JMP (SDM vol. 2, JMP). */
export function jmpFar(c: Cpu, sel: number, off: number): void {
  if (!(c.cr0Reg & 1) || c.fl & VM) {
    const target = c.o32 ? off | 0 : off & 0xffff;
    if (target >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
    c.setSegRaw(CS, sel, sel << 4, c.segLimit[CS], c.segAttr[CS]);
    c.ip = target;
    return;
  }
  const err = sel & 0xfffc;
  if (err === 0) c.fault(GP, 0);
  if (!fetchDesc(c, sel)) c.fault(GP, err);
  const attr = descAttr(dHi);
  if (attr & 0x10) {
    checkCodeTarget(c, sel);
    const target = c.o32 ? off | 0 : off & 0xffff;
    checkLimit(c, target);
    setAccessed(c, sel);
    commitCs(c, sel, c.cpl);
    c.ip = target;
    return;
  }
  const dpl = (attr >> 5) & 3;
  switch (attr & 0x1f) {
    case 1:
    case 9:
      if (dpl < c.cpl || dpl < (sel & 3)) c.fault(GP, err);
      if (!(attr & 0x80)) c.fault(NP, err);
      taskSwitch(c, sel, TASK_JMP);
      return;
    case 5: {
      if (dpl < c.cpl || dpl < (sel & 3)) c.fault(GP, err);
      if (!(attr & 0x80)) c.fault(NP, err);
      taskSwitch(c, dLo >>> 16, TASK_JMP);
      return;
    }
    case 4:
    case 0xc: {
      if (dpl < c.cpl || dpl < (sel & 3)) c.fault(GP, err);
      if (!(attr & 0x80)) c.fault(NP, err);
      const target = dLo >>> 16;
      const offset = attr & 8 ? (dLo & 0xffff) | (dHi & 0xffff0000) : dLo & 0xffff;
      if ((target & 0xfffc) === 0) c.fault(GP, 0);
      if (!fetchDesc(c, target)) c.fault(GP, target & 0xfffc);
      const tattr = descAttr(dHi);
      const tdpl = (tattr >> 5) & 3;
      if ((tattr & 0x18) !== 0x18) c.fault(GP, target & 0xfffc);
      if (tattr & 4 ? tdpl > c.cpl : tdpl !== c.cpl) c.fault(GP, target & 0xfffc);
      if (!(tattr & 0x80)) c.fault(NP, target & 0xfffc);
      checkLimit(c, offset);
      setAccessed(c, target);
      commitCs(c, target, c.cpl);
      c.ip = offset | 0;
      return;
    }
    default:
      c.fault(GP, err);
  }
}

/** Reads the inner-level stack pointer for privilege `dpl` from the current TSS. */
function tssStack(c: Cpu, dpl: number): { ss: number; esp: number } {
  const tss32 = (c.trAttr & 8) !== 0;
  const at = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
  const width = tss32 ? 8 : 4;
  if (at + width - 1 > c.trLimit) c.fault(TS, c.trSel & 0xfffc);
  if (tss32) {
    stackOut.esp = c.sysRead32((c.trBase + at) | 0);
    stackOut.ss = c.sysRead16((c.trBase + at + 4) | 0);
  } else {
    stackOut.esp = c.sysRead16((c.trBase + at) | 0);
    stackOut.ss = c.sysRead16((c.trBase + at + 2) | 0);
  }
  return stackOut;
}
const stackOut = { ss: 0, esp: 0 };

/** Checks a stack segment for privilege level `cpl` (#TS on failure, #SS when not present). */
function checkNewStack(c: Cpu, ss: number, cpl: number, fault = TS): void {
  const err = ss & 0xfffc;
  if (err === 0) c.fault(fault, 0);
  if (!fetchDesc(c, ss)) c.fault(fault, err);
  const attr = descAttr(dHi);
  if ((ss & 3) !== cpl || ((attr >> 5) & 3) !== cpl || (attr & 0x1a) !== 0x12) c.fault(fault, err);
  if (!(attr & 0x80)) c.fault(SSF, err);
}

/** Pushes onto a stack described by base/big/sp before it is committed; returns the new sp. */
function rawPush(c: Cpu, base: number, big: boolean, sp: number, v: number, w: number): number {
  sp = big ? (sp - w) | 0 : (sp - w) & 0xffff;
  const lin = (base + sp) | 0;
  if (w === 4) c.sysWrite32(lin, v);
  else c.sysWrite16(lin, v);
  return sp;
}

/**
 * Pushes a far CALL's return address (CS, then EIP/IP) on the current stack, all or nothing: if
 * the second push faults, ESP is put back so the CALL restarts cleanly (SDM vol. 3 §6.5, faults
 * leave the state as before the instruction).
 */
function pushFarReturn(c: Cpu, o32: boolean, oldCs: number, retIp: number): void {
  const sp = c.r32[4];
  try {
    if (o32) {
      c.push32(oldCs);
      c.push32(retIp);
    } else {
      c.push16(oldCs);
      c.push16(retIp);
    }
  } catch (e) {
    c.r32[4] = sp;
    throw e;
  }
}

/** Far CALL (SDM vol. 2, CALL), including call gates with a stack switch and parameter copy. */
export function callFar(c: Cpu, sel: number, off: number, o32: boolean): void {
  const retIp = c.ip;
  const oldCs = c.segSel[CS];
  if (!(c.cr0Reg & 1) || c.fl & VM) {
    const target = o32 ? off | 0 : off & 0xffff;
    if (target >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
    if (o32) {
      c.push32(oldCs);
      c.push32(retIp);
    } else {
      c.push16(oldCs);
      c.push16(retIp);
    }
    c.setSegRaw(CS, sel, sel << 4, c.segLimit[CS], c.segAttr[CS]);
    c.ip = target;
    return;
  }
  const err = sel & 0xfffc;
  if (err === 0) c.fault(GP, 0);
  if (!fetchDesc(c, sel)) c.fault(GP, err);
  const attr = descAttr(dHi);
  if (attr & 0x10) {
    checkCodeTarget(c, sel);
    const target = o32 ? off | 0 : off & 0xffff;
    checkLimit(c, target);
    const lo = dLo;
    const hi = dHi;
    // Push first (may fault), then commit CS.
    pushFarReturn(c, o32, oldCs, retIp);
    dLo = lo;
    dHi = hi;
    setAccessed(c, sel);
    commitCs(c, sel, c.cpl);
    c.ip = target;
    return;
  }
  const dpl = (attr >> 5) & 3;
  switch (attr & 0x1f) {
    case 1:
    case 9:
      if (dpl < c.cpl || dpl < (sel & 3)) c.fault(GP, err);
      if (!(attr & 0x80)) c.fault(NP, err);
      taskSwitch(c, sel, TASK_CALL);
      return;
    case 5:
      if (dpl < c.cpl || dpl < (sel & 3)) c.fault(GP, err);
      if (!(attr & 0x80)) c.fault(NP, err);
      taskSwitch(c, dLo >>> 16, TASK_CALL);
      return;
    case 4:
    case 0xc:
      callGate(c, sel, attr, retIp, oldCs);
      return;
    default:
      c.fault(GP, err);
  }
}

function callGate(c: Cpu, sel: number, attr: number, retIp: number, oldCs: number): void {
  const err = sel & 0xfffc;
  const dpl = (attr >> 5) & 3;
  if (dpl < c.cpl || dpl < (sel & 3)) c.fault(GP, err);
  if (!(attr & 0x80)) c.fault(NP, err);
  const gate32 = (attr & 8) !== 0;
  const w = gate32 ? 4 : 2;
  const params = dHi & 0x1f;
  const target = dLo >>> 16;
  const offset = gate32 ? (dLo & 0xffff) | (dHi & 0xffff0000) : dLo & 0xffff;
  const terr = target & 0xfffc;
  if (terr === 0) c.fault(GP, 0);
  if (!fetchDesc(c, target)) c.fault(GP, terr);
  const tattr = descAttr(dHi);
  const tdpl = (tattr >> 5) & 3;
  if ((tattr & 0x18) !== 0x18 || tdpl > c.cpl) c.fault(GP, terr);
  if (!(tattr & 0x80)) c.fault(NP, terr);
  checkLimit(c, offset);
  const csLo = dLo;
  const csHi = dHi;
  if (!(tattr & 4) && tdpl < c.cpl) {
    // More privileged: switch to the inner stack from the TSS and copy the parameters.
    const { ss: newSs, esp: newEsp } = tssStack(c, tdpl);
    checkNewStack(c, newSs, tdpl);
    const ssLo = dLo;
    const ssHi = dHi;
    const ssBase = descBase(ssLo, ssHi);
    const ssBig = (descAttr(ssHi) & 0x4000) !== 0;
    const oldSs = c.segSel[SS];
    const oldEsp = c.r32[4];
    let sp = newEsp | 0;
    sp = rawPush(c, ssBase, ssBig, sp, oldSs, w);
    sp = rawPush(c, ssBase, ssBig, sp, c.ssBig ? oldEsp : oldEsp & 0xffff, w);
    for (let i = params - 1; i >= 0; i--) {
      const v = gate32 ? c.peek32(i * 4) : c.peek16(i * 2);
      sp = rawPush(c, ssBase, ssBig, sp, v, w);
    }
    sp = rawPush(c, ssBase, ssBig, sp, oldCs, w);
    sp = rawPush(c, ssBase, ssBig, sp, retIp, w);
    dLo = ssLo;
    dHi = ssHi;
    setAccessed(c, newSs);
    c.setSegRaw(SS, newSs, ssBase, descLimit(ssLo, ssHi), descAttr(ssHi));
    if (ssBig) c.r32[4] = sp;
    else c.r16[8] = sp;
    dLo = csLo;
    dHi = csHi;
    commitCs(c, target, tdpl);
  } else {
    pushFarReturn(c, gate32, oldCs, retIp);
    dLo = csLo;
    dHi = csHi;
    commitCs(c, target, c.cpl);
  }
  c.ip = offset | 0;
}

/** Nulls data segment registers the new (outer) privilege level may not use (SDM vol. 2, RET). */
function dropInaccessible(c: Cpu): void {
  for (const s of [ES, DS, FS, GS]) {
    const attr = c.segAttr[s];
    const dpl = (attr >> 5) & 3;
    const dataOrNonConforming = (attr & 0x18) === 0x10 || (attr & 0x1c) === 0x18;
    if ((c.segSel[s] & 0xfffc) !== 0 && dataOrNonConforming && dpl < c.cpl) c.setSegRaw(s, 0, 0, 0, 0);
  }
}

/** Far RET (SDM vol. 2, RET), with the return to an outer privilege level. */
export function retFar(c: Cpu, o32: boolean, imm: number): void {
  const w = o32 ? 4 : 2;
  const ip = o32 ? c.peek32(0) : c.peek16(0);
  const sel = (o32 ? c.peek32(w) : c.peek16(w)) & 0xffff;
  if (!(c.cr0Reg & 1) || c.fl & VM) {
    const target = o32 ? ip | 0 : ip & 0xffff;
    if (target >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
    c.setSegRaw(CS, sel, sel << 4, c.segLimit[CS], c.segAttr[CS]);
    c.ip = target;
    c.adjustSp(2 * w + imm);
    return;
  }
  checkReturnCs(c, sel);
  const rpl = sel & 3;
  const target = o32 ? ip | 0 : ip & 0xffff;
  checkLimit(c, target);
  const csLo = dLo;
  const csHi = dHi;
  if (rpl === c.cpl) {
    setAccessed(c, sel);
    commitCs(c, sel, rpl);
    c.ip = target;
    c.adjustSp(2 * w + imm);
    return;
  }
  const newEsp = o32 ? c.peek32(2 * w + imm) : c.peek16(2 * w + imm);
  const newSs = (o32 ? c.peek32(3 * w + imm) : c.peek16(3 * w + imm)) & 0xffff;
  checkNewStack(c, newSs, rpl, GP);
  const ssLo = dLo;
  const ssHi = dHi;
  dLo = csLo;
  dHi = csHi;
  setAccessed(c, sel);
  commitCs(c, sel, rpl);
  c.ip = target;
  dLo = ssLo;
  dHi = ssHi;
  setAccessed(c, newSs);
  c.setSegRaw(SS, newSs, descBase(ssLo, ssHi), descLimit(ssLo, ssHi), descAttr(ssHi));
  if (c.ssBig) c.r32[4] = (newEsp + imm) | 0;
  else c.r16[8] = newEsp + imm;
  dropInaccessible(c);
}

/** Applies popped flags with IRET's privilege rules, evaluated at the pre-IRET CPL. */
function iretFlags(c: Cpu, v: number, o32: boolean, cpl: number): void {
  const old = c.getFlags();
  let changeable = 0x3f7fd5 & ~(VM | RF); // AC ID NT IOPL OF DF IF TF SF ZF AF PF CF
  if (c.cr0Reg & 1) {
    if (cpl > 0) changeable &= ~0x3000;
    if (cpl > ((old >> 12) & 3)) changeable &= ~IF;
  }
  if (!o32) changeable &= 0xffff;
  c.setFlags((old & ~changeable) | (v & changeable));
  c.refreshAttention();
}

/** IRET/IRETD (SDM vol. 2, IRET): real mode, same level, outer level, and task return (NT). */
export function iret(c: Cpu, o32: boolean): void {
  const w = o32 ? 4 : 2;
  if (!(c.cr0Reg & 1) || c.fl & VM) {
    // In virtual-8086 mode IRET is IOPL-sensitive; with IOPL 3 it works as in real mode and cannot
    // change IOPL or VM (SDM vol. 2, IRET; vol. 3 §20.2.7).
    if (c.fl & VM && (c.fl & IOPL) !== IOPL) c.fault(GP, 0);
    const ip = o32 ? c.peek32(0) : c.peek16(0);
    const sel = (o32 ? c.peek32(w) : c.peek16(w)) & 0xffff;
    const fl = o32 ? c.peek32(2 * w) : c.peek16(2 * w);
    const target = o32 ? ip | 0 : ip & 0xffff;
    if (target >>> 0 > c.segLimit[CS]) c.fault(GP, 0);
    c.setSegRaw(CS, sel, sel << 4, c.segLimit[CS], c.segAttr[CS]);
    c.ip = target;
    c.adjustSp(3 * w);
    iretFlags(c, fl, o32, c.cpl);
    c.nmiMasked = false;
    return;
  }
  c.nmiMasked = false;
  if (c.fl & NT) {
    const back = c.sysRead16(c.trBase);
    taskSwitch(c, back, TASK_IRET);
    return;
  }
  const ip = o32 ? c.peek32(0) : c.peek16(0);
  const sel = (o32 ? c.peek32(w) : c.peek16(w)) & 0xffff;
  const fl = o32 ? c.peek32(2 * w) : c.peek16(2 * w);
  if (o32 && fl & VM && c.cpl === 0) {
    iretToV86(c, ip, sel, fl);
    return;
  }
  checkReturnCs(c, sel);
  const rpl = sel & 3;
  const target = o32 ? ip | 0 : ip & 0xffff;
  checkLimit(c, target);
  const csLo = dLo;
  const csHi = dHi;
  const oldCpl = c.cpl;
  if (rpl === c.cpl) {
    setAccessed(c, sel);
    commitCs(c, sel, rpl);
    c.ip = target;
    c.adjustSp(3 * w);
    iretFlags(c, fl, o32, oldCpl);
    return;
  }
  const newEsp = o32 ? c.peek32(3 * w) : c.peek16(3 * w);
  const newSs = (o32 ? c.peek32(4 * w) : c.peek16(4 * w)) & 0xffff;
  checkNewStack(c, newSs, rpl, GP);
  const ssLo = dLo;
  const ssHi = dHi;
  iretFlags(c, fl, o32, oldCpl);
  dLo = csLo;
  dHi = csHi;
  setAccessed(c, sel);
  commitCs(c, sel, rpl);
  c.ip = target;
  dLo = ssLo;
  dHi = ssHi;
  setAccessed(c, newSs);
  c.setSegRaw(SS, newSs, descBase(ssLo, ssHi), descLimit(ssLo, ssHi), descAttr(ssHi));
  if (c.ssBig) c.r32[4] = newEsp;
  else c.r16[8] = newEsp;
  dropInaccessible(c);
}

/**
 * IRETD from CPL 0 with VM set in the popped EFLAGS: returns to virtual-8086 mode (SDM vol. 2, IRET,
 * RETURN-TO-VIRTUAL-8086-MODE). The stack holds EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS (dwords).
 */
function iretToV86(c: Cpu, ip: number, cs: number, fl: number): void {
  const esp = c.peek32(12);
  const ss = c.peek32(16) & 0xffff;
  const es = c.peek32(20) & 0xffff;
  const ds = c.peek32(24) & 0xffff;
  const fs = c.peek32(28) & 0xffff;
  const gs = c.peek32(32) & 0xffff;
  c.setFlags(fl);
  c.fl |= VM;
  loadV86Segments(c, es, cs, ss, ds, fs, gs);
  c.r32[4] = esp;
  c.ip = ip & 0xffff;
  c.cpl = 3;
  c.selectTags();
  c.refreshAttention();
}

/**
 * Delivers interrupt or exception `vector` (SDM vol. 3 §6.12; vol. 2, INT n). `code` is the error
 * code to push (-1 for none). `software` marks INT n/INT3/INTO (gate DPL checked); `external`
 * marks hardware interrupts (the EXT bit of error codes).
 */
export function deliverInterrupt(
  c: Cpu,
  vector: number,
  code: number,
  software: boolean,
  external: boolean,
): void {
  c.halted = false;
  if (!(c.cr0Reg & 1)) {
    const at = vector * 4;
    if (at + 3 > c.idtLimit) c.fault(GP, at * 2 + 2);
    const ip = c.sysRead16((c.idtBase + at) | 0);
    const cs = c.sysRead16((c.idtBase + at + 2) | 0);
    const sp = c.r16[8];
    try {
      c.push16(c.getFlags());
      c.push16(c.segSel[CS]);
      c.push16(c.ip);
    } catch (e) {
      c.r16[8] = sp;
      throw e;
    }
    c.fl &= ~(IF | TF | AC);
    c.setSegRaw(CS, cs, cs << 4, c.segLimit[CS], c.segAttr[CS]);
    c.ip = ip;
    c.refreshAttention();
    return;
  }
  const ext = external || !software ? 1 : 0;
  const gateErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > c.idtLimit) c.fault(GP, gateErr);
  const lo = c.sysRead32((c.idtBase + vector * 8) | 0);
  const hi = c.sysRead32((c.idtBase + vector * 8 + 4) | 0);
  const type = (hi >> 8) & 0x1f;
  if (type !== 5 && type !== 6 && type !== 7 && type !== 0xe && type !== 0xf) c.fault(GP, gateErr);
  const gdpl = (hi >> 13) & 3;
  if (software && gdpl < c.cpl) c.fault(GP, vector * 8 + 2);
  if (!(hi & 0x8000)) c.fault(NP, gateErr);
  if (type === 5) {
    taskSwitch(c, lo >>> 16, TASK_INT);
    if (code >= 0) {
      if (c.trAttr & 8) c.push32(code);
      else c.push16(code);
    }
    return;
  }
  const sel = lo >>> 16;
  const offset = type & 8 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  const gate32 = (type & 8) !== 0;
  const w = gate32 ? 4 : 2;
  const serr = (sel & 0xfffc) + ext;
  if ((sel & 0xfffc) === 0) c.fault(GP, ext);
  if (!fetchDesc(c, sel)) c.fault(GP, serr);
  const attr = descAttr(dHi);
  const dpl = (attr >> 5) & 3;
  if ((attr & 0x18) !== 0x18 || dpl > c.cpl) c.fault(GP, serr);
  if (!(attr & 0x80)) c.fault(NP, serr);
  if (offset >>> 0 > descLimit(dLo, dHi)) c.fault(GP, ext);
  const csLo = dLo;
  const csHi = dHi;
  const flags = c.getFlags();
  const oldCs = c.segSel[CS];
  const retIp = c.ip;
  let newCpl = c.cpl;
  // From virtual-8086 mode only a non-conforming DPL-0 code segment may take the interrupt.
  const v86 = (c.fl & VM) !== 0;
  if (v86 && (attr & 4 || dpl !== 0)) c.fault(GP, serr);
  if (!(attr & 4) && dpl < c.cpl) {
    newCpl = dpl;
    const { ss: newSs, esp: newEsp } = tssStack(c, dpl);
    checkNewStack(c, newSs, dpl);
    const ssLo = dLo;
    const ssHi = dHi;
    const ssBase = descBase(ssLo, ssHi);
    const ssBig = (descAttr(ssHi) & 0x4000) !== 0;
    let sp = newEsp | 0;
    if (v86) {
      // SDM vol. 3 §20.3.1.1: GS, FS, DS and ES are saved on the ring-0 stack, then cleared.
      sp = rawPush(c, ssBase, ssBig, sp, c.segSel[GS], w);
      sp = rawPush(c, ssBase, ssBig, sp, c.segSel[FS], w);
      sp = rawPush(c, ssBase, ssBig, sp, c.segSel[DS], w);
      sp = rawPush(c, ssBase, ssBig, sp, c.segSel[ES], w);
    }
    sp = rawPush(c, ssBase, ssBig, sp, c.segSel[SS], w);
    sp = rawPush(c, ssBase, ssBig, sp, c.r32[4], w);
    sp = rawPush(c, ssBase, ssBig, sp, flags, w);
    sp = rawPush(c, ssBase, ssBig, sp, oldCs, w);
    sp = rawPush(c, ssBase, ssBig, sp, retIp, w);
    if (code >= 0) sp = rawPush(c, ssBase, ssBig, sp, code, w);
    dLo = ssLo;
    dHi = ssHi;
    setAccessed(c, newSs);
    c.setSegRaw(SS, newSs, ssBase, descLimit(ssLo, ssHi), descAttr(ssHi));
    if (ssBig) c.r32[4] = sp;
    else c.r16[8] = sp;
    if (v86) {
      c.setSegRaw(ES, 0, 0, 0, 0);
      c.setSegRaw(DS, 0, 0, 0, 0);
      c.setSegRaw(FS, 0, 0, 0, 0);
      c.setSegRaw(GS, 0, 0, 0, 0);
    }
  } else if (attr & 4 || dpl === c.cpl) {
    const base = c.segBase[SS];
    let sp = c.r32[4];
    sp = rawPush(c, base, c.ssBig, sp, flags, w);
    sp = rawPush(c, base, c.ssBig, sp, oldCs, w);
    sp = rawPush(c, base, c.ssBig, sp, retIp, w);
    if (code >= 0) sp = rawPush(c, base, c.ssBig, sp, code, w);
    if (c.ssBig) c.r32[4] = sp;
    else c.r16[8] = sp;
  } else c.fault(GP, serr);
  dLo = csLo;
  dHi = csHi;
  commitCs(c, sel, newCpl);
  c.ip = offset | 0;
  c.fl &= ~(TF | NT | RF | VM);
  if (!(type & 1)) c.fl &= ~IF;
  c.refreshAttention();
}

/** The protected-mode I/O permission check: IOPL, then the TSS I/O bitmap (SDM vol. 1 §18.5). */
export function checkIo(c: Cpu, port: number, size: number): void {
  if (!(c.cr0Reg & 1)) return;
  // Virtual-8086 mode always consults the bitmap, whatever IOPL (SDM vol. 1 §18.5.2).
  if (!(c.fl & VM) && c.cpl <= ((c.fl >> 12) & 3)) return;
  if ((c.trAttr & 0xd) !== 0x9 || c.trLimit < 0x67) c.fault(GP, 0);
  const ioBase = c.sysRead16((c.trBase + 0x66) | 0);
  const at = ioBase + (port >> 3);
  if (at + 1 > c.trLimit) c.fault(GP, 0);
  const bits = c.sysRead16((c.trBase + at) | 0);
  if ((bits >> (port & 7)) & ((1 << size) - 1)) c.fault(GP, 0);
}
