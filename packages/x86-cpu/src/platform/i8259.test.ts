import { describe, expect, it } from 'vitest';
import { IoBus } from '../io.js';
import { DualI8259 } from './i8259.js';

/** Programs the pair the way Linux's init_8259A does: vectors 0x20/0x28, cascade on IR2. */
function setup(aeoi = false) {
  const io = new IoBus();
  const pic = new DualI8259();
  pic.attach(io);
  io.out8(0x20, 0x11);
  io.out8(0x21, 0x20);
  io.out8(0x21, 0x04);
  io.out8(0x21, aeoi ? 0x03 : 0x01);
  io.out8(0xa0, 0x11);
  io.out8(0xa1, 0x28);
  io.out8(0xa1, 0x02);
  io.out8(0xa1, aeoi ? 0x03 : 0x01);
  io.out8(0x21, 0x00);
  io.out8(0xa1, 0x00);
  return { io, pic };
}

describe('DualI8259', () => {
  it('delivers by priority, blocks lower requests while one is in service, and ends it with EOI', () => {
    const { io, pic } = setup();
    pic.raiseIrq(3);
    pic.raiseIrq(1);
    expect(pic.intr()).toBe(true);
    expect(pic.acknowledge()).toBe(0x21);
    expect(pic.master.isr).toBe(0x02);
    expect(pic.intr()).toBe(false); // IRQ 3 waits behind IRQ 1
    io.out8(0x20, 0x20); // non-specific EOI
    expect(pic.acknowledge()).toBe(0x23);
    io.out8(0x20, 0x63); // specific EOI for IR3
    expect(pic.master.isr).toBe(0);
  });

  it('masks with OCW1 and reads IRR/ISR through OCW3', () => {
    const { io, pic } = setup();
    io.out8(0x21, 0x01);
    pic.raiseIrq(0);
    expect(pic.intr()).toBe(false);
    io.out8(0x20, 0x0a); // read IRR
    expect(io.in8(0x20)).toBe(0x01);
    expect(io.in8(0x21)).toBe(0x01);
    io.out8(0x21, 0x00);
    expect(pic.acknowledge()).toBe(0x20);
    io.out8(0x20, 0x0b); // read ISR
    expect(io.in8(0x20)).toBe(0x01);
  });

  it('cascades slave requests through IR2 and needs EOIs on both chips', () => {
    const { io, pic } = setup();
    pic.raiseIrq(14);
    expect(pic.intr()).toBe(true);
    expect(pic.acknowledge()).toBe(0x2e);
    expect(pic.master.isr).toBe(0x04);
    expect(pic.slave.isr).toBe(0x40);
    expect(pic.isr).toBe(0x4004);
    io.out8(0xa0, 0x20);
    io.out8(0x20, 0x20);
    expect(pic.isr).toBe(0);
  });

  it('returns spurious IRQ 7 / 15 when the request vanishes before INTA, without setting ISR', () => {
    const { pic } = setup();
    pic.raiseIrq(5);
    expect(pic.intr()).toBe(true);
    pic.lowerIrq(5);
    expect(pic.acknowledge()).toBe(0x27);
    expect(pic.master.isr).toBe(0);
    pic.raiseIrq(9);
    pic.lowerIrq(9);
    expect(pic.acknowledge()).toBe(0x27);
  });

  it('returns IRQ 15 spurious from the slave while the master keeps IR2 in service', () => {
    const { pic } = setup();
    pic.raiseIrq(10);
    // INTA arrives after the slave request has been withdrawn but the master latched IR2.
    const slave = pic.slave;
    slave.irr = 0;
    slave.lines = 0;
    pic.master.irr |= 0x04;
    expect(pic.acknowledge()).toBe(0x2f);
    expect(pic.master.isr).toBe(0x04);
    expect(pic.slave.isr).toBe(0);
  });

  it('auto-EOI leaves ISR clear; edge mode needs a new rising edge', () => {
    const { pic } = setup(true);
    pic.raiseIrq(0);
    expect(pic.acknowledge()).toBe(0x20);
    expect(pic.master.isr).toBe(0);
    expect(pic.intr()).toBe(false); // line still high, no new edge
    pic.lowerIrq(0);
    pic.raiseIrq(0);
    expect(pic.intr()).toBe(true);
  });

  it('rotates priorities and supports poll mode', () => {
    const { io, pic } = setup();
    io.out8(0x20, 0xc3); // set priority: IR3 lowest, IR4 highest
    pic.raiseIrq(1);
    pic.raiseIrq(5);
    io.out8(0x20, 0x0c); // poll
    expect(io.in8(0x20)).toBe(0x85);
    expect(pic.master.isr).toBe(0x20);
  });

  it('level-triggered mode keeps requesting while the line is high', () => {
    const { io, pic } = setup();
    io.out8(0x20, 0x19);
    io.out8(0x21, 0x20);
    io.out8(0x21, 0x04);
    io.out8(0x21, 0x01);
    pic.raiseIrq(3);
    expect(pic.acknowledge()).toBe(0x23);
    io.out8(0x20, 0x20);
    expect(pic.intr()).toBe(true);
  });

  it('saves and restores', () => {
    const { pic } = setup();
    pic.raiseIrq(12);
    const copy = new DualI8259();
    copy.setState(JSON.parse(JSON.stringify(pic.getState())));
    expect(copy.acknowledge()).toBe(0x2c);
  });
});
