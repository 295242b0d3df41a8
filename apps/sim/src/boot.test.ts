import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKernelImage } from '@k/bootloader';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from './program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'k-sim-boot-'));

afterEach(() => {
  process.exitCode = undefined;
});

describe('k-sim boot', () => {
  it('boots k to code32_start and shows the serial log and boot_params', async () => {
    const { io, out } = capture();
    const status = await run(['boot', '--mem', '64M', '--cmdline', 'console=ttyS0 k.test=1'], io);
    const text = out.join('');
    expect(status).toBe(0);
    expect(text).toContain('k setup: detect_memory_e820');
    expect(text).toContain('k setup: protected_mode_jump');
    expect(text).toMatch(/reached code32_start \(0x00100000\) in protected mode/);
    expect(text).toMatch(/cpu: protected mode, CS 0x0010 EIP 0x00100000 ESI 0x[0-9a-f]{8}/);
    expect(text).toContain('hdr.type_of_loader  0xff');
    expect(text).toContain('hdr.loadflags       0x81 (LOADED_HIGH CAN_USE_HEAP)');
    expect(text).toContain('"console=ttyS0 k.test=1"');
    expect(text).toContain('equal to the BIOS map');
    expect(text).toContain('[mem 0x0000000000100000-0x0000000003ffffff] usable');
    // start_kernel's memory setup runs on the boot_params the loader left, and says where it stops.
    expect(text).toContain('BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable');
    expect(text).toContain('Kernel command line: console=ttyS0 k.test=1');
    expect(text).toMatch(/Memory: \d+K\/\d+K available/);
    expect(text).toMatch(/allocator cross-check: every size 1\.\.8192 bytes/);
    expect(text).toContain('129..192 bytes: kmalloc-192 vs malloc-256');
    expect(text).toContain('traps, the scheduler and init (PID 1) are not implemented yet');
  });

  it('--kernel --initrd --until code32_start --json prints one JSON object', async () => {
    const kernel = join(dir, 'bzImage');
    const initrd = join(dir, 'initrd.img');
    writeFileSync(kernel, buildKernelImage({ debug: false }));
    writeFileSync(initrd, new Uint8Array(8192).fill(0x42));
    const { io, out } = capture();
    const status = await run(
      ['boot', '--kernel', kernel, '--initrd', initrd, '--mem', '32M', '--until', 'code32_start', '--json'],
      io,
    );
    expect(status).toBe(0);
    const report = JSON.parse(out.join(''));
    expect(report.reached).toBe(true);
    expect(report.cpu.protectedMode).toBe(true);
    expect(report.cpu.eip).toBe(0x100000);
    expect(report.bootParams.address).toBe(report.cpu.esi);
    expect(report.bootParams.e820MatchesBios).toBe(true);
    expect(report.bootParams.hdr.ramdisk_size).toBe(8192);
    expect(report.bootParams.hdr.ramdisk_image).toBe(32 * 1024 * 1024 - 8192);
    expect(report.bootParams.cmdline).toBe('console=ttyS0');
  });

  it('a kernel file that is not a bzImage fails with the field named and a non-zero status', async () => {
    const bad = join(dir, 'not-a-kernel');
    writeFileSync(bad, new Uint8Array(4096));
    const { io, err } = capture();
    expect(await run(['boot', '--kernel', bad, '--until', 'code32_start'], io)).not.toBe(0);
    expect(err.join('')).toMatch(/header: missing "HdrS" signature/);
  });

  it('a missing kernel file is named', async () => {
    const { io, err } = capture();
    expect(await run(['boot', '--kernel', join(dir, 'nope'), '--until', 'code32_start'], io)).toBe(1);
    expect(err.join('')).toMatch(/--kernel: cannot read ".*nope" \(ENOENT\)/);
  });

  it('a boot that never reaches code32_start says why and exits non-zero', async () => {
    const { io, err } = capture();
    const status = await run(
      ['boot', '--mem', '16M', '--max-instructions', '20000', '--until', 'code32_start'],
      io,
    );
    expect(status).toBe(1);
    expect(err.join('')).toMatch(/boot failed: gave up after 20000 instructions/);
  });

  it('rejects an unknown --until point', async () => {
    const { io, err } = capture();
    expect(await run(['boot', '--until', 'start_kernel'], io)).not.toBe(0);
    expect(err.join('')).toMatch(/Allowed choices are code32_start/);
  });
});
