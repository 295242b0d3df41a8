import { describe, expect, it } from 'vitest';
import { BootImageError } from './errors.js';
import { buildKernelImage } from './kernel_image.js';
import {
  CAN_USE_HEAP,
  HDRS_MAGIC,
  kernelParts,
  LOADED_HIGH,
  parseSetupHeader,
  readSetupHeader,
  SETUP_HEADER_FIELDS,
  setupHeaderEnd,
} from './setup_header.js';

const image = () => buildKernelImage({ debug: false });

function patch(bytes: Uint8Array, offset: number, values: number[]): Uint8Array {
  const copy = bytes.slice();
  copy.set(values, offset);
  return copy;
}

describe('setup header constants', () => {
  it('HdrS reads as the ASCII signature', () => {
    const bytes = new Uint8Array(new Uint32Array([HDRS_MAGIC]).buffer);
    expect(new TextDecoder().decode(bytes)).toBe('HdrS');
  });

  it('field offsets follow boot.rst and do not overlap', () => {
    expect(SETUP_HEADER_FIELDS.setup_sects).toEqual([0x1f1, 1]);
    expect(SETUP_HEADER_FIELDS.code32_start).toEqual([0x214, 4]);
    expect(SETUP_HEADER_FIELDS.cmd_line_ptr).toEqual([0x228, 4]);
    expect(SETUP_HEADER_FIELDS.init_size).toEqual([0x260, 4]);
    const sorted = Object.values(SETUP_HEADER_FIELDS).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0]).toBe(sorted[i - 1][0] + sorted[i - 1][1]);
    expect(setupHeaderEnd(0x020f)).toBe(0x26c);
    expect(setupHeaderEnd(0x0202)).toBe(0x22c);
  });
});

describe('parseSetupHeader', () => {
  it("parses k's own image", () => {
    const h = parseSetupHeader(image());
    expect(h.header).toBe(HDRS_MAGIC);
    expect(h.protocol).toBe('2.15');
    expect(h.boot_flag).toBe(0xaa55);
    expect(h.loadflags & LOADED_HIGH).toBe(LOADED_HIGH);
    expect(h.loadflags & CAN_USE_HEAP).toBe(0);
    expect(h.code32_start).toBe(0x100000);
    expect(h.initrd_addr_max).toBe(0x37ffffff);
    expect(h.cmdline_size).toBe(2047);
    expect(h.vid_mode).toBe(0xffff);
    expect(h.kernelVersion).toMatch(/^k /);
    expect(h.jump & 0xff).toBe(0xeb);
    const parts = kernelParts(image());
    expect(parts.setupBytes).toBe((h.setup_sects + 1) * 512);
    expect(parts.protectedModeBytes).toBe(h.syssize * 16);
  });

  it('fields newer than the protocol read as 0', () => {
    const old = patch(image(), 0x206, [0x02, 0x02]);
    const h = readSetupHeader(old);
    expect(h.version).toBe(0x0202);
    expect(h.initrd_addr_max).toBe(0);
    expect(h.cmdline_size).toBe(0);
  });

  const cases: [string, (img: Uint8Array) => Uint8Array, RegExp, string][] = [
    ['a truncated image', (img) => img.slice(0, 600), /image: truncated: 600 bytes/, 'image'],
    [
      'an image cut inside its setup code',
      (img) => img.slice(0, 2048),
      /setup_sects: the image \(2048 bytes\) is truncated/,
      'setup_sects',
    ],
    [
      'a missing HdrS',
      (img) => patch(img, 0x202, [0, 0, 0, 0]),
      /header: missing "HdrS" signature/,
      'header',
    ],
    ['no boot_flag', (img) => patch(img, 0x1fe, [0, 0]), /boot_flag: expected 0xaa55/, 'boot_flag'],
    [
      'a protocol that is too old',
      (img) => patch(img, 0x206, [0x01, 0x02]),
      /version: boot protocol 2\.01 is too old; this loader needs 2\.02 or later/,
      'version',
    ],
    ['a zImage', (img) => patch(img, 0x211, [0]), /loadflags: LOADED_HIGH is clear/, 'loadflags'],
    [
      'setup_sects that do not fit',
      (img) => patch(img, 0x1f1, [200]),
      /setup_sects: 200 sectors \(102912 bytes of setup\) do not fit below the setup heap \(at most 63\)/,
      'setup_sects',
    ],
  ];
  for (const [what, damage, message, field] of cases) {
    it(`refuses ${what}, naming the field`, () => {
      const bad = damage(image());
      expect(() => parseSetupHeader(bad)).toThrow(message);
      try {
        parseSetupHeader(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(BootImageError);
        expect((e as BootImageError).field).toBe(field);
      }
    });
  }

  it('refuses something that is not bytes', () => {
    expect(() => parseSetupHeader('bzImage' as unknown as Uint8Array)).toThrow(
      /image: expected a Uint8Array/,
    );
  });
});
