import { describe, expect, it } from 'vitest';
import { IoBus } from './io.js';

describe('IoBus', () => {
  it('reads all ones from an unmapped port and ignores writes', () => {
    const io = new IoBus();
    io.out8(0x1234, 0x55);
    expect(io.in8(0x1234)).toBe(0xff);
    expect(io.in16(0x1234)).toBe(0xffff);
    expect(io.in32(0x1234)).toBe(0xffffffff);
  });

  it('splits wide accesses to a byte device into byte accesses, low port first', () => {
    const io = new IoBus();
    const writes: [number, number][] = [];
    io.register(0x80, { write8: (p, v) => writes.push([p, v]), read8: (p) => p & 0xff }, 4);
    io.out32(0x80, 0x44332211);
    expect(writes).toEqual([
      [0x80, 0x11],
      [0x81, 0x22],
      [0x82, 0x33],
      [0x83, 0x44],
    ]);
    expect(io.in16(0x81)).toBe(0x8281);
  });

  it('uses a wide handler when the device has one, and refuses a range past 0xffff', () => {
    const io = new IoBus();
    io.register(0xcf8, { read32: () => 0x80000000, read8: () => 1 });
    expect(io.in32(0xcf8)).toBe(0x80000000);
    expect(io.in8(0xcf8)).toBe(1);
    expect(() => io.register(0xffff, {}, 2)).toThrow(/outside 0..0xffff/);
  });
});
