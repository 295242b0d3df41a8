// Builds k's own kernel image in bzImage format: the real-mode setup (setup/*.asm: boot sector,
// setup header, setup code) followed by the protected-mode part that runs at code32_start
// (kernel/head_32.asm, a stub until the kernel core is wired in). Like arch/x86/boot/tools/build.c
// it patches syssize and init_size into the header.

import { BootImageError } from './errors.js';
import head32 from './kernel/head_32.bin';
import setupRelease from './setup/setup.bin';
import setupDebug from './setup/setup_debug.bin';

export interface KernelImageOptions {
  /** The debug build of the setup code reports every step on COM1 (default true). */
  debug?: boolean;
  /** The protected-mode part, linked to run at 0x100000 (default: the head_32 stub). */
  protectedMode?: Uint8Array;
}

/** The assembled setup code (boot sector + header + setup), release or debug build. */
export function setupCode(debug = true): Uint8Array {
  return debug ? setupDebug : setupRelease;
}

/** The default protected-mode part: the startup_32 stub. */
export const HEAD_32: Uint8Array = head32;

export function buildKernelImage(options: KernelImageOptions = {}): Uint8Array {
  const setup = setupCode(options.debug ?? true);
  const pm = options.protectedMode ?? HEAD_32;
  if (!(pm instanceof Uint8Array) || pm.length === 0) {
    throw new BootImageError('protectedMode', pm, 'expected a non-empty Uint8Array');
  }
  const pmSize = Math.ceil(pm.length / 16) * 16;
  const image = new Uint8Array(setup.length + pmSize);
  image.set(setup, 0);
  image.set(pm, setup.length);
  const dv = new DataView(image.buffer);
  dv.setUint32(0x1f4, pmSize / 16, true); // syssize
  dv.setUint32(0x260, Math.ceil(pmSize / 4096) * 4096 + 0x10000, true); // init_size
  return image;
}
