// String instructions (MOVS CMPS STOS LODS SCAS INS OUTS) with REP/REPE/REPNE (Intel SDM vol. 2,
// "REP/REPE/REPZ/REPNE/REPNZ"). Registers advance after every element, so a fault in the middle of
// a repeated instruction restarts it with the remaining count, as on hardware.

import type { Cpu } from './cpu.js';
import { DF } from './flags.js';
import { sub } from './operands.js';
import { checkIo } from './protected.js';
import { DS, ES } from './state.js';

function readSize(c: Cpu, seg: number, off: number, size: number): number {
  return size === 1 ? c.rd8(seg, off) : size === 2 ? c.rd16(seg, off) : c.rd32(seg, off);
}

function writeSize(c: Cpu, seg: number, off: number, size: number, v: number): void {
  if (size === 1) c.wr8(seg, off, v);
  else if (size === 2) c.wr16(seg, off, v);
  else c.wr32(seg, off, v);
}

const REP_SLICE = 4096;

export function stringOp(c: Cpu, op: number): void {
  const size = op & 1 ? (c.o32 ? 4 : 2) : 1;
  const s = size === 1 ? 7 : size === 2 ? 15 : 31;
  const delta = c.fl & DF ? -size : size;
  const a32 = c.a32;
  const r32 = c.r32;
  const r16 = c.r16;
  const src = c.segOv >= 0 ? c.segOv : DS;
  const rep = c.rep;
  const kind = op & 0xfe;
  if (kind === 0x6c || kind === 0x6e) checkIo(c, r16[4], size);
  if (rep !== 0 && (a32 ? r32[1] : r16[2]) === 0) return;
  // A long REP runs in slices: after REP_SLICE elements the instruction restarts itself, so
  // interrupts and the instruction budget are honoured between slices, as between iterations on
  // hardware.
  let slice = REP_SLICE;
  for (;;) {
    const si = a32 ? r32[6] : r16[12];
    const di = a32 ? r32[7] : r16[14];
    let zf = 0;
    switch (kind) {
      case 0xa4:
        writeSize(c, ES, di, size, readSize(c, src, si, size));
        advance(c, 6, delta);
        advance(c, 7, delta);
        break;
      case 0xa6: {
        const a = readSize(c, src, si, size);
        const b = readSize(c, ES, di, size);
        zf = sub(c, a, b, s) === 0 ? 1 : 0;
        advance(c, 6, delta);
        advance(c, 7, delta);
        break;
      }
      case 0xaa:
        writeSize(c, ES, di, size, size === 1 ? c.r8[0] : size === 2 ? r16[0] : r32[0]);
        advance(c, 7, delta);
        break;
      case 0xac: {
        const v = readSize(c, src, si, size);
        if (size === 1) c.r8[0] = v;
        else if (size === 2) r16[0] = v;
        else r32[0] = v;
        advance(c, 6, delta);
        break;
      }
      case 0xae: {
        const a = size === 1 ? c.r8[0] : size === 2 ? r16[0] : r32[0];
        zf = sub(c, a, readSize(c, ES, di, size), s) === 0 ? 1 : 0;
        advance(c, 7, delta);
        break;
      }
      case 0x6c: {
        // INS: the destination is probed before the port is read.
        c.linW(ES, di, size);
        const port = r16[4];
        const v = size === 1 ? c.io.in8(port) : size === 2 ? c.io.in16(port) : c.io.in32(port);
        writeSize(c, ES, di, size, v);
        advance(c, 7, delta);
        break;
      }
      default: {
        // OUTS
        const v = readSize(c, src, si, size);
        const port = r16[4];
        if (size === 1) c.io.out8(port, v);
        else if (size === 2) c.io.out16(port, v);
        else c.io.out32(port, v >>> 0);
        advance(c, 6, delta);
        break;
      }
    }
    if (rep === 0) return;
    let count: number;
    if (a32) count = r32[1] = (r32[1] - 1) | 0;
    else count = r16[2] = r16[2] - 1;
    if (count === 0) return;
    if (kind === 0xa6 || kind === 0xae) {
      if (rep === 1 && !zf) return;
      if (rep === 2 && zf) return;
    }
    if (--slice === 0) {
      c.ip = c.instrStart;
      return;
    }
  }
}

function advance(c: Cpu, reg: number, delta: number): void {
  if (c.a32) c.r32[reg] = (c.r32[reg] + delta) | 0;
  else c.r16[reg << 1] = c.r16[reg << 1] + delta;
}
