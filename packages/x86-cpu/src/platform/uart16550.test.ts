import { describe, expect, it } from 'vitest';
import { IoBus } from '../io.js';
import { Uart16550 } from './uart16550.js';

function setup() {
  const sent: number[] = [];
  const irq: boolean[] = [];
  const io = new IoBus();
  const uart = new Uart16550(
    0x3f8,
    (b) => sent.push(b),
    (l) => irq.push(l),
  );
  uart.attach(io);
  return { io, uart, sent, irq };
}

describe('Uart16550', () => {
  it('transmits THR bytes to the host and programs the divisor through DLAB', () => {
    const { io, uart, sent } = setup();
    io.out8(0x3fb, 0x80);
    io.out8(0x3f8, 0x01);
    io.out8(0x3f9, 0x00);
    io.out8(0x3fb, 0x03);
    expect(uart.baud).toBe(115200);
    io.out8(0x3f8, 0x41);
    expect(sent).toEqual([0x41]);
    expect(io.in8(0x3fd) & 0x60).toBe(0x60);
  });

  it('receives host bytes through the FIFO with data-ready, trigger level and timeout interrupts', () => {
    const { io, uart, irq } = setup();
    io.out8(0x3fa, 0xc7); // FIFO on, trigger 14
    io.out8(0x3fc, 0x08); // OUT2
    io.out8(0x3f9, 0x01); // receive interrupt
    expect(io.in8(0x3fa)).toBe(0xc1);
    uart.receive('hi');
    expect(irq.at(-1)).toBe(true);
    expect(io.in8(0x3fa)).toBe(0xcc); // character timeout below the trigger level
    expect(io.in8(0x3fd) & 1).toBe(1);
    expect(io.in8(0x3f8)).toBe(0x68);
    expect(io.in8(0x3f8)).toBe(0x69);
    expect(io.in8(0x3fd) & 1).toBe(0);
    expect(irq.at(-1)).toBe(false);
    uart.receive(new Uint8Array(20).fill(0x30));
    expect(io.in8(0x3fa)).toBe(0xc4);
    expect(uart.pendingInput).toBe(20);
  });

  it('raises THRE when enabled and clears it on IIR read', () => {
    const { io, irq } = setup();
    io.out8(0x3fc, 0x08);
    io.out8(0x3f9, 0x02);
    expect(irq.at(-1)).toBe(true);
    expect(io.in8(0x3fa)).toBe(0x02);
    expect(io.in8(0x3fa)).toBe(0x01);
    expect(irq.at(-1)).toBe(false);
  });

  it('loops transmitted bytes and modem lines back in loopback mode', () => {
    const { io, sent } = setup();
    io.out8(0x3fc, 0x1f);
    io.out8(0x3f8, 0x55);
    expect(sent).toEqual([]);
    expect(io.in8(0x3f8)).toBe(0x55);
    expect(io.in8(0x3fe) & 0xf0).toBe(0xf0);
    io.out8(0x3fc, 0x10);
    expect(io.in8(0x3fe) & 0xf0).toBe(0x00);
    io.out8(0x3ff, 0xa5);
    expect(io.in8(0x3ff)).toBe(0xa5);
  });

  it('reports overrun without FIFOs when the guest does not read in time (loopback)', () => {
    const { io } = setup();
    io.out8(0x3fc, 0x10);
    io.out8(0x3f8, 1);
    io.out8(0x3f8, 2);
    expect(io.in8(0x3fd) & 0x03).toBe(0x03);
    expect(io.in8(0x3f8)).toBe(2);
  });

  it('saves and restores pending input', () => {
    const { uart } = setup();
    uart.receive('abc');
    const b = new Uart16550(0x3f8);
    b.setState(JSON.parse(JSON.stringify(uart.getState())));
    const io = new IoBus();
    b.attach(io);
    expect([io.in8(0x3f8), io.in8(0x3f8), io.in8(0x3f8)]).toEqual([0x61, 0x62, 0x63]);
  });
});
