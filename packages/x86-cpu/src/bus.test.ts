import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryBusError } from './bus.js';
import { PhysicalMemory } from './memory.js';

describe('MemoryBus', () => {
  it('reads RAM, ignores writes to ROM and reads 0xFF from unmapped space', () => {
    const bus = new MemoryBus(new PhysicalMemory(1 << 20));
    bus.write32(0x1000, 0x12345678);
    expect(bus.read32(0x1000)).toBe(0x12345678);
    bus.mapRom(0xf0000, Uint8Array.of(1, 2, 3));
    bus.write8(0xf0000, 9);
    expect(bus.read8(0xf0000)).toBe(1);
    expect(bus.read8(0xf0003)).toBe(0xff);
    expect(bus.read8(0x200000)).toBe(0xff);
    expect(bus.read32(0xfffffff0)).toBe(0xffffffff);
  });

  it('gates address bit 20 with A20', () => {
    const bus = new MemoryBus(new PhysicalMemory(4 << 20));
    bus.write8(0x100000, 0xaa);
    bus.write8(0x000000, 0x55);
    expect(bus.read8(0x100000)).toBe(0xaa);
    bus.a20Enabled = false;
    expect(bus.read8(0x100000)).toBe(0x55);
    bus.a20Enabled = true;
    expect(bus.read8(0x100000)).toBe(0xaa);
  });

  it('routes MMIO windows to their handlers and names bad arguments', () => {
    const bus = new MemoryBus(new PhysicalMemory(1 << 20));
    const seen: number[] = [];
    bus.mapMmio(0xa0000, 0x100, { read8: (a) => a & 0xff, write8: (a, v) => seen.push(a, v) });
    expect(bus.read8(0xa0010)).toBe(0x10);
    bus.write8(0xa0020, 7);
    expect(seen).toEqual([0xa0020, 7]);
    expect(() => bus.mapRom(0xffffffff, Uint8Array.of(1, 2))).toThrow(MemoryBusError);
    expect(() => bus.mapMmio(0, 0, { read8: () => 0, write8: () => {} })).toThrow(/0x0\+0/);
  });

  it('copies whole pages with readBytes/writeBytes', () => {
    const bus = new MemoryBus(new PhysicalMemory(1 << 20));
    const data = Uint8Array.from({ length: 10000 }, (_, i) => i & 0xff);
    bus.writeBytes(0x1ff0, data);
    expect(bus.readBytes(0x1ff0, 10000)).toEqual(data);
  });
});
