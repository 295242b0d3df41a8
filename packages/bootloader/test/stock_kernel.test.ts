// Debian's stock i386 kernel (linux-image-6.1.*-686-unsigned), booted by the k BIOS and loader
// through its own real-mode setup code to code32_start. The kernel comes from the git-ignored
// cache that scripts/fetch-debian-kernel.sh fills (or from K_STOCK_KERNEL=path). When it is not
// there the test fails, saying how to get it; K_SKIP_STOCK_KERNEL=1 skips it with a message.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BootResult, bootToCode32Start, parseSetupHeader } from '../src/index.js';
import { STOCK_KERNEL_CACHE as cache, findStockKernel } from './stock_kernel_path.js';

const MIB = 1024 * 1024;

const path = findStockKernel();
const skip = process.env.K_SKIP_STOCK_KERNEL === '1';
if (skip) {
  console.warn('stock_kernel.test: K_SKIP_STOCK_KERNEL=1, skipping the Debian stock kernel boot tests');
}

describe.skipIf(skip)("Debian's stock i386 kernel reaches code32_start", () => {
  it('is in the cache (run packages/bootloader/scripts/fetch-debian-kernel.sh)', () => {
    expect(
      path,
      `no Debian kernel in ${cache}: run packages/bootloader/scripts/fetch-debian-kernel.sh (needs apt), or set K_STOCK_KERNEL=/path/to/bzImage, or K_SKIP_STOCK_KERNEL=1 to skip`,
    ).not.toBeNull();
  });
  if (!path) return;
  const kernel = new Uint8Array(readFileSync(path));
  const header = parseSetupHeader(kernel);

  it('has a modern setup header', () => {
    expect(header.version).toBeGreaterThanOrEqual(0x020c);
    expect(header.kernelVersion).toMatch(/^6\.1\./);
  });

  const initrd = new Uint8Array(256 << 10).map((_, i) => (i * 7) & 0xff);
  const cmdline = 'console=ttyS0 root=/dev/ram0 k.stock=1';

  function check(r: BootResult, ramSize: number): void {
    const missing = /features not present on the CPU:\s*\r?\n(.*)/.exec(r.serial)?.[1]?.trim();
    const why = missing
      ? `the kernel's own CPU check refused @k/x86-cpu: it lacks "${missing}" (CPUID.1:EDX; for "fpu": bit 0 and FNINIT/FNSTSW/FNSTCW)\n`
      : '';
    expect(r.reached, `${why}${r.reason}\n--- serial ---\n${r.serial}`).toBe(true);
    expect(r.cpu.protectedMode).toBe(true);
    expect(r.cpu.eip).toBe(header.code32_start);
    const bp = r.bootParams!;
    expect(bp.address).toBe(r.cpu.esi);
    expect(bp.e820_table).toEqual(r.biosE820);
    expect(r.biosE820).toEqual(r.expectedE820);
    expect(bp.hdr.type_of_loader).toBe(0xff);
    expect(bp.hdr.loadflags & 0x81).toBe(0x81);
    expect(bp.cmdline).toBe(cmdline);
    expect(bp.hdr.ramdisk_size).toBe(initrd.length);
    expect(r.pc.memory.readBytes(bp.hdr.ramdisk_image, initrd.length)).toEqual(initrd);
    expect(bp.hdr.ramdisk_image + initrd.length).toBeLessThanOrEqual(
      Math.min(header.initrd_addr_max + 1, Math.min(ramSize, 0xfffc0000)),
    );
  }

  const sizes = [
    ['16 MiB', 16 * MIB],
    ['256 MiB', 256 * MIB],
    ['1 GiB', 1024 * MIB],
    ['4 GiB', 4096 * MIB],
  ] as const;

  for (const [label, ramSize] of sizes) {
    it(`with ${label} of RAM, a command line and an initramfs`, () => {
      const r = bootToCode32Start({ kernel, initrd, cmdline, ramSize, maxInstructions: 300_000_000 });
      check(r, ramSize);
      // The kernel's own setup code ran its probes through the k BIOS (int 13h EDD queries).
      expect(r.serial).toContain('Probing EDD (edd=off to disable)... ok');
    }, 300_000);
  }
});
