import { describe, expect, it } from 'vitest';
import { PhysicalMemory, PhysicalMemoryError } from './memory.js';

describe('PhysicalMemory', () => {
  it('reads zero from untouched RAM without allocating host memory', () => {
    const mem = new PhysicalMemory(0x1_0000_0000 - 4096);
    expect(mem.read32(0xfff0_0000)).toBe(0);
    expect(mem.residentFrames).toBe(0);
  });

  it('stores little-endian values, including across a frame boundary', () => {
    const mem = new PhysicalMemory(1 << 20);
    mem.write32(0x0ffe, 0xdeadbeef);
    expect(mem.read8(0x0ffe)).toBe(0xef);
    expect(mem.read8(0x1001)).toBe(0xde);
    expect(mem.read16(0x0fff)).toBe(0xadbe);
    expect(mem.read32(0x0ffe)).toBe(0xdeadbeef);
    expect(mem.residentFrames).toBe(2);
  });

  it('copies overlapping ranges like memmove and zero-fills whole frames by dropping them', () => {
    const mem = new PhysicalMemory(1 << 20);
    mem.writeBytes(0x2000, Uint8Array.of(1, 2, 3, 4, 5));
    mem.copy(0x2001, 0x2000, 4);
    expect([...mem.readBytes(0x2000, 5)]).toEqual([1, 1, 2, 3, 4]);
    mem.fill(0x2000, 4096, 0);
    expect(mem.read32(0x2000)).toBe(0);
    expect(mem.residentFrames).toBe(0);
  });

  it('names the bad value when a range falls outside RAM', () => {
    const mem = new PhysicalMemory(1 << 20);
    expect(() => mem.readBytes(0xffffe, 4)).toThrow(PhysicalMemoryError);
    expect(() => mem.readBytes(0xffffe, 4)).toThrow(/0xffffe\+4 is outside RAM/);
    expect(() => new PhysicalMemory(1000)).toThrow(/got 1000/);
  });
});
