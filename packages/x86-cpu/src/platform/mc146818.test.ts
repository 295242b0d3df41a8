import { describe, expect, it } from 'vitest';
import { IoBus } from '../io.js';
import { Mc146818 } from './mc146818.js';

const START = Date.UTC(2026, 0, 1, 23, 59, 58) / 1000;

function setup(ramSize = 64 * 1024 * 1024) {
  let now = 0;
  const irq: boolean[] = [];
  const io = new IoBus();
  const rtc = new Mc146818({ ramSize, now: () => now, startSeconds: START, setIrq: (l) => irq.push(l) });
  rtc.attach(io);
  const read = (r: number) => {
    io.out8(0x70, r);
    return io.in8(0x71);
  };
  const write = (r: number, v: number) => {
    io.out8(0x70, r);
    io.out8(0x71, v);
  };
  return { rtc, io, irq, read, write, at: (t: number) => (now = t) };
}

describe('Mc146818', () => {
  it('reads the time in BCD and rolls over with the clock', () => {
    const { read, at } = setup();
    expect([read(4), read(2), read(0), read(7), read(8), read(9), read(0x32)]).toEqual([
      0x23, 0x59, 0x58, 0x01, 0x01, 0x26, 0x20,
    ]);
    at(2.5e9);
    expect([read(4), read(2), read(0), read(7), read(8)]).toEqual([0x00, 0x00, 0x00, 0x02, 0x01]);
  });

  it('switches to binary and 12-hour formats, and accepts a written time', () => {
    const { read, write } = setup();
    write(0x0b, 0x04); // binary, 12-hour
    expect(read(4)).toBe(0x80 | 11);
    write(0x0b, 0x06);
    write(4, 7);
    expect(read(4)).toBe(7);
    expect(read(0)).toBe(58);
  });

  it('fills the memory-size bytes from the RAM size', () => {
    const { read } = setup(64 * 1024 * 1024);
    expect(read(0x15) | (read(0x16) << 8)).toBe(640);
    expect(read(0x17) | (read(0x18) << 8)).toBe(63 * 1024);
    expect(read(0x30) | (read(0x31) << 8)).toBe(63 * 1024);
    expect(read(0x34) | (read(0x35) << 8)).toBe(48 * 16);
    expect([read(0x5b), read(0x5c), read(0x5d)]).toEqual([0, 0, 0]);
    const big = setup(0x1_0000_0000);
    expect(big.read(0x17) | (big.read(0x18) << 8)).toBe(0xffff);
    expect(big.read(0x34) | (big.read(0x35) << 8)).toBe(0xff00);
  });

  it('raises periodic interrupts on IRQ 8 at the selected rate, cleared by reading C', () => {
    const { rtc, read, write, irq, at } = setup();
    write(0x0a, 0x26); // 1024 Hz
    write(0x0b, 0x42); // PIE
    expect(rtc.nextEventNs()).toBeCloseTo(976562.5);
    at(1_000_000);
    rtc.poll();
    expect(irq.at(-1)).toBe(true);
    expect(read(0x0c)).toBe(0xc0);
    expect(irq.at(-1)).toBe(false);
    expect(read(0x0c)).toBe(0);
  });

  it('masks NMI with bit 7 of the index port, and status D reports valid RAM', () => {
    const { rtc, io, read } = setup();
    io.out8(0x70, 0x0d);
    expect(rtc.nmiMasked).toBe(false);
    io.out8(0x70, 0x8d);
    expect(rtc.nmiMasked).toBe(true);
    expect(read(0x0d)).toBe(0x80);
  });

  it('saves and restores', () => {
    const { rtc, write } = setup();
    write(0x40, 0x12);
    const b = new Mc146818({ ramSize: 1 << 20, now: () => 0, startSeconds: 0 });
    b.setState(JSON.parse(JSON.stringify(rtc.getState())));
    expect(b.read(0x40)).toBe(0x12);
    expect(b.read(0)).toBe(0x58);
  });
});
