// BIOS services as clients call them: test/bios_services.asm runs as the boot sector, calls each
// service and records the registers and flags; this test checks them against the PC/AT conventions.
import { PC } from '@k/x86-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIOS_ROM, biosE820Map, cmosMemory, parseE820Table } from '../src/index.js';
import program from './bios_services.bin';

const MIB = 1024 * 1024;
const SECTORS = 16 * 63;

interface Rec {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  flags: number;
  es: number;
  di: number;
  cf: boolean;
  ah: number;
  al: number;
}

let pc: PC;
let serial = '';
let recs: Rec[] = [];

beforeAll(() => {
  const disk = new Uint8Array(SECTORS * 512);
  disk.set(program, 0);
  pc = new PC({ ramSize: 64 * MIB, rom: BIOS_ROM, disk, serial: (b) => (serial += String.fromCharCode(b)) });
  const r = pc.run(20_000_000);
  expect(r.reason).toBe('hlt');
  const m = pc.memory;
  recs = [];
  for (let i = 0; i < 40; i++) {
    const a = 0x600 + i * 32;
    const eax = m.read32(a);
    recs.push({
      eax,
      ebx: m.read32(a + 4),
      ecx: m.read32(a + 8),
      edx: m.read32(a + 12),
      flags: m.read16(a + 16),
      es: m.read16(a + 18),
      di: m.read16(a + 20),
      cf: (m.read16(a + 16) & 1) === 1,
      ah: (eax >> 8) & 0xff,
      al: eax & 0xff,
    });
  }
});

describe('k BIOS services', () => {
  it('runs the whole program', () => {
    expect(serial).toContain('bios_services: done');
  });

  it("int 15h E820: 'SMAP' in EAX, 20 in ECX, a continuation in EBX, CF clear", () => {
    const r = recs[0];
    expect(r.cf).toBe(false);
    expect(r.eax).toBe(0x534d4150);
    expect(r.ecx).toBe(20);
    expect(r.ebx).toBe(1);
    const count = pc.memory.read8(0x5f0);
    const map = parseE820Table(pc.memory.readBytes(0x1000, count * 20), count);
    expect(map).toEqual(biosE820Map(cmosMemory((reg) => pc.cmos.ram[reg])));
    expect(map.at(-1)).toEqual({ addr: 0xfffc0000, size: 0x40000, type: 2 });
  });

  it('int 15h E820 refuses a bad signature, a continuation past the end and a short buffer', () => {
    for (const r of [recs[1], recs[2], recs[3]]) {
      expect(r.cf).toBe(true);
      expect(r.ah).toBe(0x86);
    }
  });

  it('int 15h E801 and 88h report 1-16 MiB in KiB and 64 KiB blocks above 16 MiB', () => {
    expect(recs[4].cf).toBe(false);
    expect(recs[4].eax & 0xffff).toBe(15 * 1024);
    expect(recs[4].ecx & 0xffff).toBe(15 * 1024);
    expect(recs[4].ebx & 0xffff).toBe(48 * 16);
    expect(recs[4].edx & 0xffff).toBe(48 * 16);
    expect(recs[5].cf).toBe(false);
    expect(recs[5].eax & 0xffff).toBe(63 * 1024);
  });

  it('int 15h A20: 2403h support, 2400h/2401h switch, 2402h status', () => {
    expect(recs[6].cf).toBe(false);
    expect(recs[6].ebx & 0xffff).toBe(3);
    expect(recs[7].cf).toBe(false);
    expect(recs[8].al).toBe(0);
    expect(recs[9].ah).toBe(0);
    expect(recs[10].al).toBe(1);
  });

  it('int 15h APM (5300h) and IST (E980h) are cleanly unsupported, other registers kept', () => {
    expect(recs[11].cf).toBe(true);
    expect(recs[11].ah).toBe(0x86);
    expect(recs[12].cf).toBe(true);
    expect(recs[12].ah).toBe(0x86);
    expect(recs[12].ebx).toBe(0x11111111);
    expect(recs[12].ecx).toBe(0x22222222);
    expect(recs[12].edx).toBe(0x47534943);
  });

  it('int 15h C0h points at the configuration table in the ROM', () => {
    const r = recs[13];
    expect(r.cf).toBe(false);
    expect(r.es).toBe(0xf000);
    const table = 0xf0000 + r.di;
    expect(BIOS_ROM[r.di]).toBe(8);
    expect(BIOS_ROM[r.di + 2]).toBe(0xfc);
    expect(table).toBeGreaterThan(0xf0000);
  });

  it('int 13h 41h/08h/48h describe the disk; 02h and 42h read it', () => {
    expect(recs[14].cf).toBe(false);
    expect(recs[14].ebx & 0xffff).toBe(0xaa55);
    expect(recs[14].ecx & 1).toBe(1);
    const p = recs[15];
    expect(p.cf).toBe(false);
    expect(p.edx & 0xff).toBe(1); // one drive
    expect((p.edx >> 8) & 0xff).toBe(15); // max head
    expect(p.ecx & 0x3f).toBe(63); // sectors per track
    expect(recs[16].cf).toBe(false);
    const m = pc.memory;
    expect(m.read16(0x1300)).toBe(0x1a);
    expect(m.read32(0x1300 + 16)).toBe(SECTORS);
    expect(m.read16(0x1300 + 24)).toBe(512);
    expect(recs[17].cf).toBe(false);
    expect(recs[17].al).toBe(1);
    expect(m.readBytes(0x1400, 512)).toEqual(program.subarray(512, 1024));
    expect(recs[18].cf).toBe(false);
    expect(m.readBytes(0x1600, 512)).toEqual(program.subarray(512, 1024));
  });

  it('int 13h errors: no drive 81h, a read past the end, a write', () => {
    expect(recs[19].cf).toBe(true);
    expect(recs[20].cf).toBe(true);
    expect(recs[20].ah).toBe(0x04);
    expect(recs[21].cf).toBe(true);
    expect(recs[21].ah).toBe(0x03);
  });

  it('int 12h, int 11h, int 16h, int 1Ah', () => {
    expect(recs[22].eax & 0xffff).toBe(639);
    expect(recs[23].eax & 0x30).toBe(0x20); // 80x25 colour
    expect(recs[23].eax & 0x0e00).toBe(0x0200); // one serial port
    expect(recs[25].flags & 0x40).toBe(0x40); // no key waiting: ZF=1
    expect(recs[26].cf).toBe(false);
    expect(recs[27].cf).toBe(false);
    expect(recs[27].ecx & 0xffff).toBe(0x2026); // century 20, year 26 (BCD), the PC's virtual epoch
  });

  it('int 10h: mode 3 at 80 columns, VGA, no VBE', () => {
    expect(recs[28].eax & 0xffff).toBe(0x5003);
    expect(recs[29].al).toBe(0x1a);
    expect(recs[29].ebx & 0xff).toBe(0x08);
    expect(recs[30].ebx & 0xff).toBe(0x03);
    expect(recs[31].eax & 0xffff).toBe(0x014f);
  });

  it('int 15h AH=87h copies above 1 MiB through protected mode and comes back', () => {
    expect(recs[32].cf).toBe(false);
    expect(recs[32].ah).toBe(0);
    expect(pc.memory.readBytes(0x200000, 16)).toEqual(program.subarray(512, 528));
  });
});
