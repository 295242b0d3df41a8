import { describe, expect, it } from 'vitest';
import { IoBus } from '../io.js';
import { I8254 } from './i8254.js';

function setup() {
  let now = 0;
  const irq: boolean[] = [];
  const io = new IoBus();
  const pit = new I8254(
    () => now,
    (l) => irq.push(l),
  );
  pit.attach(io);
  return { io, pit, irq, at: (t: number) => (now = t) };
}

describe('I8254', () => {
  it('mode 2 rate generator: counts down, reloads, and pulses IRQ 0 once per period', () => {
    const { io, pit, irq, at } = setup();
    io.out8(0x43, 0x34); // channel 0, lo/hi, mode 2
    io.out8(0x40, 100);
    io.out8(0x40, 0);
    at(11); // counting starts one clock after the write
    io.out8(0x43, 0x00); // latch
    expect(io.in8(0x40) | (io.in8(0x40) << 8)).toBe(90);
    irq.length = 0;
    pit.update(0);
    pit.update(1 + 350);
    // three full periods elapsed: the PIC sees a fresh rising edge
    expect(pit.risingEdges(0, 1, 351)).toBe(3);
    expect(irq.at(-1)).toBe(true);
    expect(pit.nextChange(0, 351)).toBe(1 + 399);
  });

  it('mode 0 interrupt on terminal count raises OUT once and stays high', () => {
    const { io, pit, at } = setup();
    io.out8(0x43, 0x30);
    io.out8(0x40, 10);
    io.out8(0x40, 0);
    expect(pit.out(0)).toBe(false);
    at(11);
    expect(pit.out(0)).toBe(true);
    at(1000);
    expect(pit.out(0)).toBe(true);
    expect(pit.nextChange(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('mode 3 square wave: high for the first half, low for the second, counting by two', () => {
    const { io, pit, at } = setup();
    io.out8(0x43, 0x36);
    io.out8(0x40, 10);
    io.out8(0x40, 0);
    at(1 + 2);
    expect(pit.count(0)).toBe(6);
    expect(pit.out(0)).toBe(true);
    at(1 + 6);
    expect(pit.out(0)).toBe(false);
    at(1 + 10);
    expect(pit.out(0)).toBe(true);
  });

  it('LSB-only and MSB-only access, BCD counting, and the read-back status', () => {
    const { io, at } = setup();
    io.out8(0x43, 0x91); // channel 2, LSB only, mode 0, BCD
    io.out8(0x42, 0x25);
    io.out8(0x61, 0x01); // gate on
    at(6);
    expect(io.in8(0x42)).toBe(0x20);
    io.out8(0x43, 0xe8); // read-back status of channel 2
    expect(io.in8(0x42)).toBe(0x11);
  });

  it('channel 2 output shows in port 0x61 bit 5 while its gate is on', () => {
    const { io, at } = setup();
    io.out8(0x61, 0x01);
    io.out8(0x43, 0xb0); // channel 2, lo/hi, mode 0
    io.out8(0x42, 5);
    io.out8(0x42, 0);
    expect(io.in8(0x61) & 0x21).toBe(0x01);
    at(10);
    expect(io.in8(0x61) & 0x20).toBe(0x20);
  });

  it('saves and restores', () => {
    const { io, pit } = setup();
    io.out8(0x43, 0x34);
    io.out8(0x40, 0x00);
    io.out8(0x40, 0x10);
    const other = new I8254(() => 100);
    other.setState(JSON.parse(JSON.stringify(pit.getState())));
    expect(other.count(0)).toBe(0x1000 - 99);
  });
});
