import { describe, expect, it } from 'vitest';
import { IoBus } from '../io.js';
import { I8042 } from './i8042.js';

function setup() {
  const events: string[] = [];
  const io = new IoBus();
  const kbc = new I8042({
    setA20: (on) => events.push(`a20 ${on}`),
    resetCpu: () => events.push('reset'),
    setIrq1: (l) => events.push(`irq1 ${l}`),
  });
  kbc.attach(io);
  return { io, kbc, events };
}

describe('I8042', () => {
  it('answers the self test and reads/writes the command byte', () => {
    const { io } = setup();
    io.out8(0x64, 0xaa);
    expect(io.in8(0x64) & 1).toBe(1);
    expect(io.in8(0x60)).toBe(0x55);
    io.out8(0x64, 0x60);
    io.out8(0x60, 0x47);
    io.out8(0x64, 0x20);
    expect(io.in8(0x60)).toBe(0x47);
    expect(io.in8(0x64) & 1).toBe(0);
  });

  it('gates A20 through the output port and resets the CPU with 0xFE', () => {
    const { io, kbc, events } = setup();
    io.out8(0x64, 0xd1);
    io.out8(0x60, 0xdd);
    expect(kbc.a20).toBe(false);
    io.out8(0x64, 0xd1);
    io.out8(0x60, 0xdf);
    expect(kbc.a20).toBe(true);
    io.out8(0x64, 0xd0);
    expect(io.in8(0x60) & 2).toBe(2);
    io.out8(0x64, 0xfe);
    expect(events).toEqual(['a20 false', 'a20 true', 'irq1 true', 'irq1 false', 'reset']);
  });

  it('acknowledges keyboard commands and raises IRQ 1 for scan codes', () => {
    const { io, kbc, events } = setup();
    io.out8(0x60, 0xff);
    expect([io.in8(0x60), io.in8(0x60)]).toEqual([0xfa, 0xaa]);
    io.out8(0x60, 0xf2);
    expect([io.in8(0x60), io.in8(0x60), io.in8(0x60)]).toEqual([0xfa, 0xab, 0x83]);
    events.length = 0;
    kbc.sendScancodes([0x1e, 0x9e]);
    expect(events).toEqual(['irq1 true']);
    expect(io.in8(0x60)).toBe(0x1e);
  });

  it('answers bytes for the (absent) mouse with 0xFE on the aux channel', () => {
    const { io } = setup();
    io.out8(0x64, 0xd4);
    io.out8(0x60, 0xff);
    expect(io.in8(0x64) & 0x21).toBe(0x21);
    expect(io.in8(0x60)).toBe(0xfe);
  });
});
