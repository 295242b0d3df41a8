// Every committed guest binary is exactly what nasm makes of its source (asm.json lists them).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface AsmEntry {
  source: string;
  output: string;
  include?: string;
  defines?: string[];
}

const pkg = join(__dirname, '..');
const entries: AsmEntry[] = JSON.parse(readFileSync(join(pkg, 'asm.json'), 'utf8'));
const nasm = spawnSync('nasm', ['-v'], { encoding: 'utf8' });
const haveNasm = nasm.status === 0;
if (!haveNasm)
  console.warn('asm.test: nasm is not installed; skipping the reassembly checks of the committed .bin files');

describe.skipIf(!haveNasm)('committed .bin files match their nasm sources', () => {
  const out = mkdtempSync(join(tmpdir(), 'k-asm-'));
  for (const e of entries) {
    it(`${e.output} = nasm ${e.source}${e.defines?.length ? ` -D${e.defines.join(' -D')}` : ''}`, () => {
      const target = join(out, e.output.replaceAll('/', '_'));
      const args = ['-f', 'bin', '-w+error', '-o', target];
      if (e.include) args.push('-I', e.include);
      for (const d of e.defines ?? []) args.push(`-D${d}`);
      args.push(e.source);
      execFileSync('nasm', args, { cwd: pkg });
      const fresh = readFileSync(target);
      const committed = readFileSync(join(pkg, e.output));
      expect(
        fresh.equals(committed),
        `${e.output} is stale: run \`pnpm run build:asm\` in packages/bootloader`,
      ).toBe(true);
    });
  }

  it('the BIOS is a 64 KiB ROM with the reset vector at F000:FFF0', () => {
    const rom = readFileSync(join(pkg, 'src/bios/bios.bin'));
    expect(rom.length).toBe(0x10000);
    expect(rom[0xfff0]).toBe(0xea); // jmp far
    expect(rom.readUInt16LE(0xfff3)).toBe(0xf000);
  });

  it('the MBR code fits in 446 bytes and ends in 0x55AA', () => {
    const mbr = readFileSync(join(pkg, 'src/loader/mbr.bin'));
    expect(mbr.length).toBe(512);
    expect(mbr.subarray(446, 510).every((b) => b === 0)).toBe(true);
    expect(mbr.readUInt16LE(510)).toBe(0xaa55);
  });
});
