import { describe, expect, it } from 'vitest';
import {
  biosE820Map,
  cmosMemory,
  E820_RAM,
  E820_RESERVED,
  e820TypeName,
  formatE820Entry,
  parseE820Table,
} from './e820.js';

const MIB = 1024 * 1024;

/** CMOS bytes as the PC writes them (x86-cpu fillCmosConfig), for a RAM size below 4 GiB. */
function cmosFor(ramSize: number) {
  const kib = ramSize / 1024;
  return {
    baseKiB: 640,
    extKiB: Math.min(0xffff, kib - 1024),
    ext16Blocks: Math.min(0xffff, Math.max(0, (Math.min(ramSize, 2 ** 32) - 16 * MIB) / 65536)),
    highBlocks: Math.max(0, (ramSize - 2 ** 32) / 65536),
  };
}

describe('biosE820Map', () => {
  it('16 MiB: base memory, EBDA, BIOS ROM, extended memory, flash alias', () => {
    expect(biosE820Map(cmosFor(16 * MIB))).toEqual([
      { addr: 0, size: 0x9fc00, type: E820_RAM },
      { addr: 0x9fc00, size: 0x400, type: E820_RESERVED },
      { addr: 0xf0000, size: 0x10000, type: E820_RESERVED },
      { addr: 0x100000, size: 15 * MIB, type: E820_RAM },
      { addr: 0xfffc0000, size: 0x40000, type: E820_RESERVED },
    ]);
  });

  it('256 MiB and 1 GiB follow the RAM size', () => {
    expect(biosE820Map(cmosFor(256 * MIB))[3]).toEqual({ addr: 0x100000, size: 255 * MIB, type: E820_RAM });
    expect(biosE820Map(cmosFor(1024 * MIB))[3]).toEqual({ addr: 0x100000, size: 1023 * MIB, type: E820_RAM });
  });

  it('4 GiB: low RAM stops at the reserved BIOS flash alias below 4 GiB', () => {
    const map = biosE820Map(cmosFor(4096 * MIB));
    expect(map[3]).toEqual({ addr: 0x100000, size: 0xfffc0000 - 0x100000, type: E820_RAM });
    expect(map[4]).toEqual({ addr: 0xfffc0000, size: 0x40000, type: E820_RESERVED });
    expect(map).toHaveLength(5);
  });

  it('memory above 4 GiB becomes a 64-bit entry', () => {
    const map = biosE820Map({ baseKiB: 640, extKiB: 0xffff, ext16Blocks: 0xffff, highBlocks: 0x10000 });
    expect(map.at(-1)).toEqual({ addr: 2 ** 32, size: 2 ** 32, type: E820_RAM });
  });

  it('a machine below 16 MiB uses the 1 MiB-64 MiB count', () => {
    expect(biosE820Map(cmosFor(8 * MIB))[3]).toEqual({ addr: 0x100000, size: 7 * MIB, type: E820_RAM });
  });

  it('reads the CMOS registers it needs', () => {
    const regs: Record<number, number> = {
      21: 0x80,
      22: 0x02,
      48: 0x00,
      49: 0xfc,
      52: 0x00,
      53: 0x03,
      91: 1,
    };
    expect(cmosMemory((r) => regs[r] ?? 0)).toEqual({
      baseKiB: 640,
      extKiB: 0xfc00,
      ext16Blocks: 0x300,
      highBlocks: 1,
    });
  });
});

describe('e820 table encoding', () => {
  it('decodes 20-byte entries with 64-bit fields', () => {
    const b = new Uint8Array(40);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, 0, true);
    dv.setUint32(4, 1, true); // 4 GiB
    dv.setUint32(8, 0x10000000, true);
    dv.setUint32(16, 1, true);
    dv.setUint32(20, 0xfffc0000, true);
    dv.setUint32(28, 0x40000, true);
    dv.setUint32(36, 2, true);
    expect(parseE820Table(b, 2)).toEqual([
      { addr: 2 ** 32, size: 0x10000000, type: 1 },
      { addr: 0xfffc0000, size: 0x40000, type: 2 },
    ]);
    expect(() => parseE820Table(b, 3)).toThrow('count: 3 e820 entries do not fit in 40 bytes');
  });

  it('prints entries as Linux does', () => {
    expect(formatE820Entry({ addr: 0x100000, size: 0xff00000, type: 1 })).toBe(
      '[mem 0x0000000000100000-0x000000000fffffff] usable',
    );
    expect(e820TypeName(2)).toBe('reserved');
    expect(e820TypeName(9)).toBe('type 9');
  });
});
