import { describe, expect, it } from 'vitest';
import { disassemble } from './disassemble.js';
import { CODE, enterMode, type FuzzMode, fuzzMachine } from './fuzzMachine.js';

// Instructions whose next EIP is not "start + length" when they complete.
const BRANCHY = /^(j|call|ret|iret|int|loop|into|bound|hlt|jmp|esc|ud2)/;
const PREFIX_WORDS = /^((es|cs|ss|ds|fs|gs|lock|rep|repne|a16|a32) )+/;

function checkLengths(mode: FuzzMode, seed: number, count: number): number {
  const { m, r } = fuzzMachine(mode, seed);
  const bits = mode === 'real' || mode === 'pm16' ? 16 : 32;
  let compared = 0;
  for (let n = 0; n < count; n++) {
    enterMode(m, mode, r);
    const cpu = m.cpu;
    const start = cpu.eip;
    const lin = (cpu.getSegment('cs').base + start) >>> 0;
    const bytes = m.bus.readBytes(lin, 16);
    const dis = disassemble(bytes, 0, { bits });
    const before = cpu.instructionCount;
    cpu.run(1);
    // Compare only when the instruction completed normally (no fault, no interrupt delivered).
    if (
      cpu.instructionCount !== before + 1 ||
      BRANCHY.test(dis.text.replace(PREFIX_WORDS, '')) ||
      /^(rep|repne) /.test(dis.text) ||
      dis.text === '(bad)'
    )
      continue;
    if (
      cpu.getSegment('cs').selector !==
      (mode === 'real' ? (CODE >>> 4) & 0xf000 : cpu.getSegment('cs').selector)
    )
      continue;
    const delta = ((cpu.eip - start) & (bits === 16 ? 0xffff : -1)) >>> 0;
    if (delta > 15) continue; // a fault handler ran
    expect({ text: dis.text, bytes: [...bytes.subarray(0, 8)], length: delta }).toEqual({
      text: dis.text,
      bytes: [...bytes.subarray(0, 8)],
      length: dis.length,
    });
    compared++;
  }
  return compared;
}

describe('opcode table', () => {
  it('disassembles common instructions in Intel syntax', () => {
    expect(disassemble(Uint8Array.of(0x89, 0xd8), 0, { bits: 32 })).toEqual({
      text: 'mov eax, ebx',
      length: 2,
    });
    expect(disassemble(Uint8Array.of(0x8b, 0x43, 0x10), 0, { bits: 32 }).text).toBe(
      'mov eax, dword [ebx+0x10]',
    );
    expect(disassemble(Uint8Array.of(0x66, 0xb8, 0x34, 0x12), 0, { bits: 32 }).text).toBe('mov ax, 0x1234');
    expect(disassemble(Uint8Array.of(0xcd, 0x80), 0, { bits: 32 }).text).toBe('int 0x80');
    expect(disassemble(Uint8Array.of(0x0f, 0xa2), 0, { bits: 32 }).text).toBe('cpuid');
    expect(disassemble(Uint8Array.of(0xeb, 0xfe), 0, { bits: 16, ip: 0x100 }).text).toBe('jmp 0x100');
    expect(disassemble(Uint8Array.of(0xf3, 0xa5), 0, { bits: 32 }).text).toBe('rep movsd');
    expect(disassemble(Uint8Array.of(0x26, 0x8a, 0x07), 0, { bits: 16 }).text).toBe('mov al, byte [es:bx]');
    expect(disassemble(Uint8Array.of(0x0f, 0xff), 0, { bits: 32 }).text).toBe('(bad)');
  });

  for (const mode of ['real', 'flat32'] as const) {
    it(`agrees with the interpreter on instruction lengths (${mode})`, () => {
      expect(checkLengths(mode, 77, 20000)).toBeGreaterThan(3000);
    });
  }
});
