import { describe, expect, it } from 'vitest';
import { IoBus } from '../io.js';
import { Ata, AtaError } from './ata.js';

function setup(sectors = 2048) {
  const disk = new Uint8Array(sectors * 512);
  for (let s = 0; s < sectors; s++) disk[s * 512] = s & 0xff;
  const irq: boolean[] = [];
  const io = new IoBus();
  const ata = new Ata(disk, (l) => irq.push(l));
  ata.attach(io);
  return { io, ata, disk, irq };
}

function readSector(io: IoBus): Uint8Array {
  const out = new Uint8Array(512);
  for (let i = 0; i < 256; i++) {
    const w = io.in16(0x1f0);
    out[2 * i] = w & 0xff;
    out[2 * i + 1] = w >> 8;
  }
  return out;
}

describe('Ata', () => {
  it('answers IDENTIFY with the geometry, LBA28 and LBA48 capacity', () => {
    const { io, irq } = setup();
    io.out8(0x1f6, 0xa0);
    io.out8(0x1f7, 0xec);
    expect(irq.at(-1)).toBe(true);
    expect(io.in8(0x1f7)).toBe(0x58);
    expect(irq.at(-1)).toBe(false);
    const id = new Uint16Array(readSector(io).buffer);
    expect(id[49] & 0x200).toBe(0x200);
    expect(id[60] | (id[61] << 16)).toBe(2048);
    expect(id[83] & 0x400).toBe(0x400);
    expect(id[100]).toBe(2048);
    expect(io.in8(0x1f7)).toBe(0x50);
  });

  it('reads sectors with LBA28 and CHS, one DRQ block and interrupt per sector', () => {
    const { io, irq } = setup();
    io.out8(0x1f2, 2);
    io.out8(0x1f3, 5);
    io.out8(0x1f4, 0);
    io.out8(0x1f5, 0);
    io.out8(0x1f6, 0xe0);
    io.out8(0x1f7, 0x20);
    expect(io.in8(0x1f7) & 0x08).toBe(0x08);
    expect(readSector(io)[0]).toBe(5);
    expect(irq.at(-1)).toBe(true);
    expect(readSector(io)[0]).toBe(6);
    expect(io.in8(0x1f7)).toBe(0x50);
    // CHS 0/1/1 = LBA 63
    io.out8(0x1f2, 1);
    io.out8(0x1f3, 1);
    io.out8(0x1f6, 0xa1);
    io.out8(0x1f7, 0x20);
    expect(readSector(io)[0]).toBe(63);
  });

  it('writes sectors with LBA48 (WRITE SECTORS EXT) into the image', () => {
    const { io, disk } = setup();
    io.out8(0x1f2, 0); // count high
    io.out8(0x1f2, 1); // count low
    io.out8(0x1f3, 0);
    io.out8(0x1f3, 0x10);
    io.out8(0x1f4, 0);
    io.out8(0x1f4, 0);
    io.out8(0x1f5, 0);
    io.out8(0x1f5, 0);
    io.out8(0x1f6, 0x40);
    io.out8(0x1f7, 0x34);
    expect(io.in8(0x1f7) & 0x08).toBe(0x08);
    for (let i = 0; i < 128; i++) io.out32(0x1f0, 0xdeadbeef);
    expect(io.in8(0x1f7)).toBe(0x50);
    expect(disk[0x10 * 512 + 3]).toBe(0xde);
  });

  it('aborts unknown commands and flags sectors past the end with IDNF', () => {
    const { io } = setup(16);
    io.out8(0x1f7, 0xff);
    expect(io.in8(0x1f7)).toBe(0x51);
    expect(io.in8(0x1f1)).toBe(0x04);
    io.out8(0x1f2, 1);
    io.out8(0x1f3, 100);
    io.out8(0x1f6, 0xe0);
    io.out8(0x1f7, 0x20);
    expect(io.in8(0x1f7)).toBe(0x51);
    expect(io.in8(0x1f1)).toBe(0x10);
  });

  it('holds IRQ 14 low while nIEN is set; SRST restores the signature; the slave is absent', () => {
    const { io, irq } = setup();
    io.out8(0x3f6, 0x02);
    irq.length = 0;
    io.out8(0x1f7, 0xe7);
    expect(irq.includes(true)).toBe(false);
    io.out8(0x3f6, 0x04);
    io.out8(0x3f6, 0x00);
    expect([io.in8(0x1f2), io.in8(0x1f3), io.in8(0x1f4), io.in8(0x1f5)]).toEqual([1, 1, 0, 0]);
    io.out8(0x1f6, 0xb0);
    expect(io.in8(0x1f7)).toBe(0);
  });

  it('rejects an image that is not whole sectors', () => {
    expect(() => new Ata(new Uint8Array(100))).toThrow(AtaError);
  });
});
