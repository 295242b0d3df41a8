// Hardware task switching (Intel SDM vol. 3 §7.3): JMP/CALL to a TSS or task gate, interrupts
// through task gates, and IRET with NT set. Saves the outgoing task's state in its TSS, manages the
// busy bits and the back link, and loads the incoming task (CR3, LDT, registers, segments).

import { type Cpu, GP, NP, TS } from './cpu.js';
import { NT, VM } from './flags.js';
import { descAttr, descBase, descLimit, dHi, dLo, fetchDesc } from './protected.js';
import { CS, DS, ES, FS, GS, SS } from './state.js';

export const TASK_JMP = 0;
export const TASK_CALL = 1;
export const TASK_IRET = 2;
export const TASK_INT = 3;

/** 32-bit TSS field offsets (SDM vol. 3 fig. 7-2). */
const T32 = { eip: 0x20, eflags: 0x24, regs: 0x28, segs: 0x48, ldt: 0x60, cr3: 0x1c };
/** 16-bit TSS field offsets (SDM vol. 3 fig. 7-11). */
const T16 = { ip: 0x0e, flags: 0x10, regs: 0x12, segs: 0x22, ldt: 0x2a };

function setBusy(c: Cpu, sel: number, busy: boolean): void {
  const at = (c.gdtBase + (sel & 0xfff8) + 5) | 0;
  const b = c.sysRead8(at);
  c.sysWrite8(at, busy ? b | 2 : b & ~2);
}

export function taskSwitch(c: Cpu, sel: number, kind: number): void {
  const err = sel & 0xfffc;
  if (sel & 4) c.fault(kind === TASK_IRET ? TS : GP, err);
  if (!fetchDesc(c, sel)) c.fault(kind === TASK_IRET ? TS : GP, err);
  const attr = descAttr(dHi);
  const type = attr & 0x1f;
  const wantBusy = kind === TASK_IRET;
  const okType = wantBusy ? type === 3 || type === 0xb : type === 1 || type === 9;
  if (!okType) c.fault(kind === TASK_IRET ? TS : GP, err);
  if (!(attr & 0x80)) c.fault(NP, err);
  const newBase = descBase(dLo, dHi);
  const newLimit = descLimit(dLo, dHi);
  const new32 = (type & 8) !== 0;
  if (newLimit < (new32 ? 0x67 : 0x2b)) c.fault(TS, err);

  // Save the outgoing task.
  const oldBase = c.trBase;
  const old32 = (c.trAttr & 8) !== 0;
  let flags = c.getFlags();
  if (kind === TASK_IRET) flags &= ~NT;
  if (old32) {
    c.sysWrite32((oldBase + T32.eip) | 0, c.ip);
    c.sysWrite32((oldBase + T32.eflags) | 0, flags);
    for (let i = 0; i < 8; i++) c.sysWrite32((oldBase + T32.regs + 4 * i) | 0, c.r32[i]);
    for (let s = 0; s < 6; s++) c.sysWrite16((oldBase + T32.segs + 4 * s) | 0, c.segSel[s]);
  } else {
    c.sysWrite16((oldBase + T16.ip) | 0, c.ip);
    c.sysWrite16((oldBase + T16.flags) | 0, flags);
    for (let i = 0; i < 8; i++) c.sysWrite16((oldBase + T16.regs + 2 * i) | 0, c.r16[i << 1]);
    for (let s = 0; s < 4; s++) c.sysWrite16((oldBase + T16.segs + 2 * s) | 0, c.segSel[s]);
  }
  if (kind === TASK_JMP || kind === TASK_IRET) setBusy(c, c.trSel, false);

  // Read the incoming task.
  let eip: number;
  let eflags: number;
  let cr3 = c.cr3Reg;
  const regs = [0, 0, 0, 0, 0, 0, 0, 0];
  const segs = [0, 0, 0, 0, 0, 0];
  let ldt: number;
  if (new32) {
    cr3 = c.sysRead32((newBase + T32.cr3) | 0);
    eip = c.sysRead32((newBase + T32.eip) | 0);
    eflags = c.sysRead32((newBase + T32.eflags) | 0);
    for (let i = 0; i < 8; i++) regs[i] = c.sysRead32((newBase + T32.regs + 4 * i) | 0);
    for (let s = 0; s < 6; s++) segs[s] = c.sysRead16((newBase + T32.segs + 4 * s) | 0);
    ldt = c.sysRead16((newBase + T32.ldt) | 0);
  } else {
    eip = c.sysRead16((newBase + T16.ip) | 0);
    eflags = (c.getFlags() & 0xffff0000) | c.sysRead16((newBase + T16.flags) | 0);
    for (let i = 0; i < 8; i++)
      regs[i] = c.sysRead16((newBase + T16.regs + 2 * i) | 0) | (c.r32[i] & 0xffff0000);
    for (let s = 0; s < 4; s++) segs[s] = c.sysRead16((newBase + T16.segs + 2 * s) | 0);
    ldt = c.sysRead16((newBase + T16.ldt) | 0);
  }
  if (kind === TASK_CALL || kind === TASK_INT) {
    eflags |= NT;
    c.sysWrite16(newBase, c.trSel);
  }
  if (kind !== TASK_IRET) setBusy(c, sel, true);

  // Commit: TR, CR0.TS, CR3, registers, flags.
  c.trSel = sel;
  c.trBase = newBase;
  c.trLimit = newLimit;
  c.trAttr = attr | 2;
  c.cr0Reg |= 8;
  if (new32 && c.cr0Reg < 0 && cr3 !== c.cr3Reg) c.writeCr3(cr3);
  else if (new32) c.cr3Reg = cr3;
  for (let i = 0; i < 8; i++) c.r32[i] = regs[i];
  c.setFlags(eflags);
  // A task switch into virtual-8086 mode (VM set in the new TSS) is not modelled: VM is cleared.
  c.fl &= ~VM;
  c.ip = eip;

  // LDT, then segments at the new CPL (errors are #TS in the new task's context).
  if ((ldt & 0xfffc) === 0) {
    c.ldtSel = ldt;
    c.ldtBase = 0;
    c.ldtLimit = 0;
  } else {
    if (ldt & 4 || !fetchDesc(c, ldt & ~4) || (descAttr(dHi) & 0x1f) !== 2) c.fault(TS, ldt & 0xfffc);
    if (!(dHi & 0x8000)) c.fault(TS, ldt & 0xfffc);
    c.ldtSel = ldt;
    c.ldtBase = descBase(dLo, dHi);
    c.ldtLimit = descLimit(dLo, dHi);
    c.ldtAttr = descAttr(dHi);
  }
  // Provisional selectors so a fault below leaves a consistent state.
  const cpl = segs[CS] & 3;
  for (const s of [CS, SS, DS, ES, FS, GS]) {
    const v = segs[s];
    if ((v & 0xfffc) === 0) {
      if (s === CS || s === SS) c.fault(TS, 0);
      c.setSegRaw(s, v, 0, 0, 0);
      continue;
    }
    if (!fetchDesc(c, v)) c.fault(TS, v & 0xfffc);
    const a = descAttr(dHi);
    const dpl = (a >> 5) & 3;
    if (s === CS) {
      if ((a & 0x18) !== 0x18 || (a & 4 ? dpl > cpl : dpl !== cpl)) c.fault(TS, v & 0xfffc);
    } else if (s === SS) {
      if ((a & 0x1a) !== 0x12 || dpl !== cpl || (v & 3) !== cpl) c.fault(TS, v & 0xfffc);
    } else if (!(a & 0x10) || (a & 0xa) === 8) c.fault(TS, v & 0xfffc);
    if (!(a & 0x80)) c.fault(s === SS ? 12 : NP, v & 0xfffc);
    c.setSegRaw(s, v, descBase(dLo, dHi), descLimit(dLo, dHi), a);
    if (s === CS) {
      c.cpl = cpl;
      c.selectTags();
    }
  }
  c.refreshAttention();
}
