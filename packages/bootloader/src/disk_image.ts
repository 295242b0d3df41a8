// Bootable disk images for the k loader. Layout (512-byte sectors):
//
//   LBA 0        stage 1 (loader/mbr.asm) with a partition table: one active partition of type
//                0x7F starting at LBA 1 and covering the rest of the disk
//   LBA 1        the k boot directory (below), the first sector of that partition
//   LBA 2..      stage 2 (loader/stage2.asm)
//   then         the command line (NUL-free text, up to 2047 bytes), the kernel image, the initrd,
//                each starting on a sector boundary
//   padding      to whole cylinders of the BIOS's translated geometry (16 heads x 63 sectors)
//
// The k boot directory (little-endian):
//   0x00  "KBOOTDIR"         0x14  kernel LBA          0x24  command line LBA
//   0x08  version (1)        0x18  kernel bytes        0x28  command line bytes (0 = none)
//   0x0C  stage 2 LBA        0x1C  initrd LBA
//   0x10  stage 2 sectors    0x20  initrd bytes (0 = none)

import { BootImageError, hex } from './errors.js';
import mbr from './loader/mbr.bin';
import stage2 from './loader/stage2.bin';
import { parseSetupHeader, type SetupHeader, setupSectors } from './setup_header.js';

export const SECTOR = 512;
export const DIRECTORY_LBA = 1;
export const PARTITION_TYPE = 0x7f;
export const DIRECTORY_MAGIC = 'KBOOTDIR';
/** The loader puts the command line at setup + 0x9800 and copies at most this many bytes. */
export const LOADER_CMDLINE_MAX = 2047;
const CYLINDER_SECTORS = 16 * 63;

export interface DiskImageOptions {
  /** A bzImage (k's own from buildKernelImage, or a stock Linux one). */
  kernel: Uint8Array;
  /** An initramfs to load below the kernel's initrd_addr_max. */
  initrd?: Uint8Array;
  /** The kernel command line. */
  cmdline?: string;
  /**
   * Host-side checks of the kernel image, command line and initrd (default true). Turn them off to
   * see what the guest-side loader says about a bad image.
   */
  validate?: boolean;
  /**
   * RAM size the image is meant for; with it, the builder also checks that the initrd fits between
   * the kernel and min(initrd_addr_max + 1, top of low RAM).
   */
  ramSize?: number;
}

/** Where each part landed on the disk. */
export interface DiskLayout {
  stage2: { lba: number; sectors: number };
  cmdline: { lba: number; bytes: number };
  kernel: { lba: number; bytes: number };
  initrd: { lba: number; bytes: number };
  sectors: number;
}

export interface DiskImage {
  bytes: Uint8Array;
  layout: DiskLayout;
  /** The kernel's parsed setup header (null when validation was off and it did not parse). */
  header: SetupHeader | null;
}

/** Top of low RAM (below 4 GiB) the way the k BIOS reports it through E801 for `ramSize` bytes. */
export function lowRamTop(ramSize: number): number {
  if (ramSize <= 16 * 1024 * 1024) return Math.min(ramSize, 64 * 1024 * 1024);
  return Math.min(ramSize, 0xfffc0000);
}

function checkInitrd(h: SetupHeader, kernelBytes: number, initrd: Uint8Array, ramSize?: number): void {
  const setupBytes = (setupSectors(h) + 1) * SECTOR;
  const kernelEnd = 0x100000 + (kernelBytes - setupBytes);
  const addrMax = h.version >= 0x0203 ? h.initrd_addr_max : 0x37ffffff;
  let top = addrMax + 1;
  if (ramSize !== undefined) top = Math.min(top, lowRamTop(ramSize));
  const size = Math.ceil(initrd.length / 4096) * 4096;
  const addr = Math.floor((top - size) / 4096) * 4096;
  if (addr < kernelEnd) {
    throw new BootImageError(
      'initrd',
      initrd.length,
      `${initrd.length} bytes do not fit between the kernel's end (${hex(kernelEnd)}) and ${hex(top)} ` +
        `(initrd_addr_max ${hex(addrMax)}${ramSize !== undefined ? `, RAM ${ramSize} bytes` : ''})`,
    );
  }
}

/** Builds a bootable disk: MBR, directory, stage 2, command line, kernel, initrd. */
export function buildDiskImage(options: DiskImageOptions): DiskImage {
  const { kernel, initrd, cmdline = '', validate = true, ramSize } = options;
  if (!(kernel instanceof Uint8Array)) {
    throw new BootImageError('kernel', kernel, `expected a Uint8Array, got ${typeof kernel}`);
  }
  if (initrd !== undefined && !(initrd instanceof Uint8Array)) {
    throw new BootImageError('initrd', initrd, `expected a Uint8Array, got ${typeof initrd}`);
  }
  if (typeof cmdline !== 'string') {
    throw new BootImageError('cmdline', cmdline, `expected a string, got ${typeof cmdline}`);
  }
  const cmdBytes = new TextEncoder().encode(cmdline);
  if (cmdBytes.includes(0)) throw new BootImageError('cmdline', cmdline, 'contains a NUL byte');
  let header: SetupHeader | null = null;
  if (validate) {
    header = parseSetupHeader(kernel);
    const limit = Math.min(header.version >= 0x0206 ? header.cmdline_size : 255, LOADER_CMDLINE_MAX);
    if (cmdBytes.length > limit) {
      throw new BootImageError(
        'cmdline',
        cmdline.length > 40 ? `${cmdline.slice(0, 40)}...` : cmdline,
        `${cmdBytes.length} bytes is longer than the kernel's cmdline_size / the loader's limit (${limit})`,
      );
    }
    if (ramSize !== undefined) {
      const end = 0x100000 + kernel.length - (setupSectors(header) + 1) * SECTOR;
      if (end > lowRamTop(ramSize)) {
        throw new BootImageError(
          'kernel',
          kernel.length,
          `the protected-mode part ends at ${hex(end)}, above the top of RAM (${hex(lowRamTop(ramSize))})`,
        );
      }
    }
    if (initrd && initrd.length > 0) checkInitrd(header, kernel.length, initrd, ramSize);
  } else {
    try {
      header = parseSetupHeader(kernel);
    } catch {
      header = null;
    }
  }
  const sectorsOf = (n: number) => Math.ceil(n / SECTOR);
  let lba = DIRECTORY_LBA + 1;
  const layout: DiskLayout = {
    stage2: { lba, sectors: sectorsOf(stage2.length) },
    cmdline: { lba: 0, bytes: cmdBytes.length },
    kernel: { lba: 0, bytes: kernel.length },
    initrd: { lba: 0, bytes: initrd?.length ?? 0 },
    sectors: 0,
  };
  lba += layout.stage2.sectors;
  layout.cmdline.lba = lba;
  lba += sectorsOf(cmdBytes.length);
  layout.kernel.lba = lba;
  lba += sectorsOf(kernel.length);
  layout.initrd.lba = lba;
  lba += sectorsOf(layout.initrd.bytes);
  layout.sectors = Math.ceil(lba / CYLINDER_SECTORS) * CYLINDER_SECTORS;

  const disk = new Uint8Array(layout.sectors * SECTOR);
  const dv = new DataView(disk.buffer);
  disk.set(mbr, 0);
  // partition table entry 0: active, type 0x7F, LBA 1 .. end
  const pe = 0x1be;
  const chs = (l: number): [number, number, number] => {
    const c = Math.floor(l / CYLINDER_SECTORS);
    if (c > 1023) return [0xfe, 0xff, 0xff];
    const h = Math.floor(l / 63) % 16;
    const s = (l % 63) + 1;
    return [h, s | ((c >> 2) & 0xc0), c & 0xff];
  };
  disk[pe] = 0x80;
  disk.set(chs(DIRECTORY_LBA), pe + 1);
  disk[pe + 4] = PARTITION_TYPE;
  disk.set(chs(layout.sectors - 1), pe + 5);
  dv.setUint32(pe + 8, DIRECTORY_LBA, true);
  dv.setUint32(pe + 12, layout.sectors - DIRECTORY_LBA, true);
  disk[0x1fe] = 0x55;
  disk[0x1ff] = 0xaa;
  // the directory
  const dir = DIRECTORY_LBA * SECTOR;
  disk.set(new TextEncoder().encode(DIRECTORY_MAGIC), dir);
  dv.setUint32(dir + 0x08, 1, true);
  dv.setUint32(dir + 0x0c, layout.stage2.lba, true);
  dv.setUint32(dir + 0x10, layout.stage2.sectors, true);
  dv.setUint32(dir + 0x14, layout.kernel.lba, true);
  dv.setUint32(dir + 0x18, layout.kernel.bytes, true);
  dv.setUint32(dir + 0x1c, layout.initrd.lba, true);
  dv.setUint32(dir + 0x20, layout.initrd.bytes, true);
  dv.setUint32(dir + 0x24, layout.cmdline.lba, true);
  dv.setUint32(dir + 0x28, layout.cmdline.bytes, true);
  disk.set(stage2, layout.stage2.lba * SECTOR);
  disk.set(cmdBytes, layout.cmdline.lba * SECTOR);
  disk.set(kernel, layout.kernel.lba * SECTOR);
  if (initrd) disk.set(initrd, layout.initrd.lba * SECTOR);
  return { bytes: disk, layout, header };
}
