import { describe, expect, it } from 'vitest';
import protectedRom from './testdata/protected.bin';
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
