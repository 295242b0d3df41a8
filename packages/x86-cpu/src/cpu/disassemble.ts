// Intel-syntax (nasm-flavoured) disassembler generated from the opcode table in opcodes.ts.

import { x87Text } from './fpu_opcodes.js';
import { GROUPS, MODRM_OPERANDS, ONE_BYTE, type OpcodeEntry, TWO_BYTE } from './opcodes.js';

export interface Disassembly {
  /** Intel-syntax text, e.g. "mov eax, [ebx+0x10]". */
  text: string;
  /** Instruction length in bytes (prefixes included). */
  length: number;
}

export interface DisassembleOptions {
  /** Default operand and address size of the code segment. */
  bits: 16 | 32;
  /** Offset (IP/EIP) of the first byte, used to print branch targets. Default 0. */
  ip?: number;
}

const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SREG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', '?6', '?7'];
const EA16 = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'];
const SEG_PREFIX: Record<number, string> = { 38: 'es', 46: 'cs', 54: 'ss', 62: 'ds', 100: 'fs', 101: 'gs' };

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

function signedHex(v: number): string {
  return v < 0 ? `-${hex(-v)}` : `+${hex(v)}`;
}

/** Disassembles one instruction from `bytes` at `offset`. Bytes past the end read as 0. */
export function disassemble(
  bytes: Uint8Array,
  offset = 0,
  options: DisassembleOptions = { bits: 32 },
): Disassembly {
  let i = offset;
  const byte = () => bytes[i++] ?? 0;
  let o32 = options.bits === 32;
  let a32 = o32;
  let seg = '';
  const pre: string[] = [];
  let op = byte();
  for (let n = 0; n < 14; n++) {
    if (SEG_PREFIX[op] !== undefined) seg = SEG_PREFIX[op];
    else if (op === 0x66) o32 = options.bits !== 32;
    else if (op === 0x67) a32 = options.bits !== 32;
    else if (op === 0xf0) pre.push('lock');
    else if (op === 0xf2) pre.push('repne');
    else if (op === 0xf3) pre.push('rep');
    else break;
    op = byte();
  }
  let entry: OpcodeEntry = ONE_BYTE[op];
  if (entry === '0f') entry = TWO_BYTE[byte()];
  if (entry === null || entry === 'prefix') return { text: '(bad)', length: i - offset };

  let [mn, ops] = splitEntry(entry);
  let modrm = -1;
  if (mn.startsWith('#')) {
    modrm = byte();
    const g = GROUPS[Number(mn.slice(1))][(modrm >> 3) & 7];
    if (g === null) return { text: '(bad)', length: i - offset };
    const [gmn, gops] = splitEntry(g);
    mn = gmn;
    if (gops.length) ops = gops;
  }
  if (mn.includes('|')) mn = mn.split('|')[o32 ? 1 : 0];
  if (modrm < 0 && ops.some((o) => MODRM_OPERANDS.has(o))) modrm = byte();

  // Decode the ModR/M memory operand (and its displacement) before any immediates.
  let mem = '';
  if (modrm >= 0 && modrm < 0xc0) {
    const mod = modrm >> 6;
    const rm = modrm & 7;
    const parts: string[] = [];
    let disp = 0;
    let hasDisp = false;
    if (!a32) {
      if (mod === 0 && rm === 6) {
        disp = byte() | (byte() << 8);
        hasDisp = true;
        parts.push(hex(disp));
        hasDisp = false;
      } else parts.push(EA16[rm]);
      if (mod === 1) {
        disp = (byte() << 24) >> 24;
        hasDisp = true;
      } else if (mod === 2) {
        disp = ((byte() | (byte() << 8)) << 16) >> 16;
        hasDisp = true;
      }
    } else {
      if (rm === 4) {
        const sib = byte();
        const base = sib & 7;
        const idx = (sib >> 3) & 7;
        if (base === 5 && mod === 0) {
          disp = byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
          parts.push(hex(disp));
        } else parts.push(REG32[base]);
        if (idx !== 4) parts.push(`${REG32[idx]}${sib >> 6 ? `*${1 << (sib >> 6)}` : ''}`);
      } else if (rm === 5 && mod === 0) {
        disp = byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
        parts.push(hex(disp));
      } else parts.push(REG32[rm]);
      if (mod === 1) {
        disp = (byte() << 24) >> 24;
        hasDisp = true;
      } else if (mod === 2) {
        disp = byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
        hasDisp = true;
      }
    }
    mem = `[${seg ? `${seg}:` : ''}${parts.join('+')}${hasDisp && disp !== 0 ? signedHex(disp) : ''}]`;
  }

  // ESC D8-DF: the x87 table in fpu_opcodes.ts names the instruction.
  if (mn.startsWith('esc')) {
    const x87 = x87Text(op, modrm, mem);
    if (x87 === null) return { text: '(bad)', length: i - offset };
    return { text: [...pre, x87].join(' '), length: i - offset };
  }

  const vreg = o32 ? REG32 : REG16;
  const out: string[] = [];
  for (const o of ops) {
    switch (o) {
      case 'Eb':
        out.push(modrm >= 0xc0 ? REG8[modrm & 7] : `byte ${mem}`);
        break;
      case 'Ev':
        out.push(modrm >= 0xc0 ? vreg[modrm & 7] : `${o32 ? 'dword' : 'word'} ${mem}`);
        break;
      case 'Ew':
        out.push(modrm >= 0xc0 ? (o32 && mn.startsWith('s') ? REG32 : REG16)[modrm & 7] : `word ${mem}`);
        break;
      case 'M':
      case 'Ma':
      case 'Mp':
      case 'Mq':
      case 'F':
        out.push(modrm >= 0xc0 ? (o === 'F' ? `st${modrm & 7}` : vreg[modrm & 7]) : mem);
        break;
      case 'Gb':
        out.push(REG8[(modrm >> 3) & 7]);
        break;
      case 'Gv':
        out.push(vreg[(modrm >> 3) & 7]);
        break;
      case 'Gw':
        out.push(REG16[(modrm >> 3) & 7]);
        break;
      case 'Sw':
        out.push(SREG[(modrm >> 3) & 7]);
        break;
      case 'Rd':
        out.push(REG32[modrm & 7]);
        break;
      case 'Cd':
        out.push(`cr${(modrm >> 3) & 7}`);
        break;
      case 'Dd':
        out.push(`dr${(modrm >> 3) & 7}`);
        break;
      case 'Ib':
        out.push(hex(byte()));
        break;
      case 'Ibs': {
        const v = (byte() << 24) >> 24;
        out.push(v < 0 ? `-${hex(-v)}` : hex(v));
        break;
      }
      case 'Iw':
        out.push(hex(byte() | (byte() << 8)));
        break;
      case 'Iv':
      case 'Iz':
        out.push(
          hex(o32 ? byte() | (byte() << 8) | (byte() << 16) | (byte() << 24) : byte() | (byte() << 8)),
        );
        break;
      case 'Jb':
      case 'Jz': {
        let rel: number;
        if (o === 'Jb') rel = (byte() << 24) >> 24;
        else if (o32) rel = byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
        else rel = ((byte() | (byte() << 8)) << 16) >> 16;
        const next = (options.ip ?? 0) + (i - offset);
        out.push(hex(o32 ? (next + rel) >>> 0 : (next + rel) & 0xffff));
        break;
      }
      case 'Ap': {
        const off = o32 ? byte() | (byte() << 8) | (byte() << 16) | (byte() << 24) : byte() | (byte() << 8);
        const sel = byte() | (byte() << 8);
        out.push(`${hex(sel)}:${hex(off)}`);
        break;
      }
      case 'Ob':
      case 'Ov': {
        const addr = a32 ? byte() | (byte() << 8) | (byte() << 16) | (byte() << 24) : byte() | (byte() << 8);
        const size = o === 'Ob' ? 'byte' : o32 ? 'dword' : 'word';
        out.push(`${size} [${seg ? `${seg}:` : ''}${hex(addr)}]`);
        break;
      }
      case 'eAX':
      case 'eCX':
      case 'eDX':
      case 'eBX':
      case 'eSP':
      case 'eBP':
      case 'eSI':
      case 'eDI':
        out.push(vreg[REG16.indexOf(o.slice(1).toLowerCase())]);
        break;
      default:
        out.push(o.toLowerCase());
    }
  }
  if (seg && !mem && !ops.some((o) => o === 'Ob' || o === 'Ov')) pre.push(seg);
  if (a32 !== (options.bits === 32) && /^(movs|cmps|stos|lods|scas|ins|outs|xlat|loop|jcxz|jecxz)/.test(mn)) {
    pre.push(a32 ? 'a32' : 'a16');
  }
  const text = [...pre, mn].join(' ') + (out.length ? ` ${out.join(', ')}` : '');
  return { text, length: i - offset };
}

function splitEntry(entry: string): [string, string[]] {
  const sp = entry.indexOf(' ');
  if (sp < 0) return [entry, []];
  return [entry.slice(0, sp), entry.slice(sp + 1).split(',')];
}
