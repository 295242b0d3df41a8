import { describe, expect, it } from 'vitest';
import protectedRom from './testdata/protected.bin';
import v86Rom from './testdata/v86.bin';
import { loadReal, testMachine } from './testMachine.js';

describe('protected mode walk-through (testdata/protected.asm)', () => {
  it('passes every step: paging faults, ring 3, gates, I/O bitmap, task switch', () => {
    const m = testMachine();
    loadReal(m, 0x7c00, protectedRom);
    m.cpu.run(200_000);
    expect(String.fromCharCode(...m.out)).toBe('ABCDEFGH!');
    expect(m.cpu.stopReason).toBe('hlt');
  });
});

describe('virtual-8086 mode walk-through (testdata/v86.asm)', () => {
  it('enters V86 by IRETD, faults IOPL-sensitive instructions and denied ports to ring 0, takes INT n at IOPL 3', () => {
    const m = testMachine();
    loadReal(m, 0x7c00, v86Rom);
    m.cpu.run(100_000);
    expect(String.fromCharCode(...m.out)).toBe('ABCD');
    expect(m.cpu.stopReason).toBe('hlt');
  });
});
