import { describe, expect, it } from 'vitest';
import { buildDiskImage, DIRECTORY_LBA, PARTITION_TYPE, SECTOR } from './disk_image.js';
import { BootImageError } from './errors.js';
import { buildKernelImage } from './kernel_image.js';

const kernel = buildKernelImage({ debug: false });

describe('buildDiskImage', () => {
  it('lays out MBR, directory, stage 2, command line, kernel and initrd', () => {
    const initrd = new Uint8Array(1000).fill(9);
    const { bytes, layout, header } = buildDiskImage({ kernel, initrd, cmdline: 'console=ttyS0' });
    expect(header?.protocol).toBe('2.15');
    expect(bytes[510]).toBe(0x55);
    expect(bytes[511]).toBe(0xaa);
    expect(bytes.length % (16 * 63 * SECTOR)).toBe(0);
    const dv = new DataView(bytes.buffer);
    // partition table entry 0
    expect(bytes[0x1be]).toBe(0x80);
    expect(bytes[0x1be + 4]).toBe(PARTITION_TYPE);
    expect(dv.getUint32(0x1be + 8, true)).toBe(DIRECTORY_LBA);
    expect(dv.getUint32(0x1be + 12, true)).toBe(layout.sectors - 1);
    // directory
    const dir = DIRECTORY_LBA * SECTOR;
    expect(new TextDecoder().decode(bytes.subarray(dir, dir + 8))).toBe('KBOOTDIR');
    expect(dv.getUint32(dir + 0x0c, true)).toBe(layout.stage2.lba);
    expect(dv.getUint32(dir + 0x14, true)).toBe(layout.kernel.lba);
    expect(dv.getUint32(dir + 0x18, true)).toBe(kernel.length);
    expect(dv.getUint32(dir + 0x20, true)).toBe(1000);
    expect(dv.getUint32(dir + 0x28, true)).toBe(13);
    expect(bytes.subarray(layout.kernel.lba * SECTOR, layout.kernel.lba * SECTOR + kernel.length)).toEqual(
      kernel,
    );
    expect(bytes[layout.initrd.lba * SECTOR + 999]).toBe(9);
    expect(
      new TextDecoder().decode(bytes.subarray(layout.cmdline.lba * SECTOR, layout.cmdline.lba * SECTOR + 13)),
    ).toBe('console=ttyS0');
  });

  it('refuses a command line longer than cmdline_size', () => {
    expect(() => buildDiskImage({ kernel, cmdline: 'x'.repeat(3000) })).toThrow(
      /cmdline: 3000 bytes is longer than the kernel's cmdline_size \/ the loader's limit \(2047\)/,
    );
  });

  it('refuses an initrd that does not fit below initrd_addr_max or the RAM', () => {
    const initrd = new Uint8Array(16 * 1024 * 1024);
    expect(() => buildDiskImage({ kernel, initrd, ramSize: 16 * 1024 * 1024 })).toThrow(BootImageError);
    expect(() => buildDiskImage({ kernel, initrd, ramSize: 16 * 1024 * 1024 })).toThrow(
      /^initrd: 16777216 bytes do not fit between the kernel's end \(0x[0-9a-f]{8}\) and 0x01000000 \(initrd_addr_max 0x37ffffff, RAM 16777216 bytes\)/,
    );
    expect(() => buildDiskImage({ kernel, initrd, ramSize: 64 * 1024 * 1024 })).not.toThrow();
  });

  it('passes bad kernels through to the guest loader when validation is off', () => {
    const { header, layout } = buildDiskImage({ kernel: new Uint8Array(3000), validate: false });
    expect(header).toBeNull();
    expect(layout.kernel.bytes).toBe(3000);
  });

  it('names bad argument types', () => {
    expect(() => buildDiskImage({ kernel: 'vmlinuz' as unknown as Uint8Array })).toThrow(
      /^kernel: expected a Uint8Array/,
    );
    expect(() => buildDiskImage({ kernel, cmdline: 5 as unknown as string })).toThrow(
      /^cmdline: expected a string/,
    );
    expect(() => buildDiskImage({ kernel, cmdline: 'a\0b' })).toThrow(/^cmdline: contains a NUL byte/);
  });
});
