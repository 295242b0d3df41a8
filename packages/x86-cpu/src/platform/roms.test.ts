// Runs every nasm test ROM in roms/ through the ROM runner, and checks that the committed .bin files
// are what nasm makes of the .asm sources (when nasm is installed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import dfault from '../../roms/dfault.bin';
import paging from '../../roms/paging.bin';
import pmode from '../../roms/pmode.bin';
import rings from '../../roms/rings.bin';
import stack from '../../roms/stack.bin';
import strings from '../../roms/strings.bin';
import tasks from '../../roms/tasks.bin';
import { runRom } from './romRunner.js';

const romsDir = join(dirname(fileURLToPath(import.meta.url)), '../../roms');

function hasNasm(): boolean {
  try {
    execFileSync('nasm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('nasm test ROMs', () => {
  for (const [name, rom] of Object.entries({ pmode, strings, rings, tasks })) {
    it(`${name}.asm passes every check (POST 0xFF, HLT)`, () => {
      const r = runRom(rom, { maxInstructions: 5_000_000 });
      expect(text(r.output)).toBe(`PASS ${name}\n`);
      expect(r.postCode).toBe(0xff);
      expect(r.reason).toBe('hlt');
    });
  }

  it('paging.asm passes every check (POST 0xFF, HLT)', () => {
    const r = runRom(paging, { maxInstructions: 5_000_000 });
    expect(text(r.output)).toBe('PASS paging\n');
    expect(r.postCode).toBe(0xff);
  });

  it('paging.asm passes checks 1..10 (POST 11 reached)', () => {
    const r = runRom(paging, { maxInstructions: 5_000_000 });
    expect(r.postCodes).toContain(11);
    expect(text(r.output)).not.toMatch(/check 0[1-9A]:/);
  });

  it('stack.asm passes every check (POST 0xFF, HLT)', () => {
    const r = runRom(stack, { maxInstructions: 1_000_000 });
    expect(text(r.output)).toBe('PASS stack\n');
    expect(r.postCode).toBe(0xff);
  });

  it('stack.asm passes check 1 (POST 2 reached)', () => {
    const r = runRom(stack, { maxInstructions: 1_000_000 });
    expect(r.postCodes).toContain(2);
    expect(text(r.output)).not.toMatch(/check 01:/);
  });

  it('dfault.asm: #DF with error code 0, then a triple fault that the runner reports', () => {
    const r = runRom(dfault, { maxInstructions: 1_000_000 });
    expect(text(r.output)).toBe('PASS dfault: #DF ok, now a triple fault\n');
    expect(r.postCode).toBe(0xfe);
    expect(r.reason).toBe('triple-fault');
  });

  it.skipIf(!hasNasm())('the committed .bin files are the assembled .asm sources', () => {
    const out = mkdtempSync(join(tmpdir(), 'k-roms-'));
    const sources = readdirSync(romsDir).filter((f) => f.endsWith('.asm'));
    expect(sources.length).toBeGreaterThanOrEqual(6);
    for (const src of sources) {
      const bin = join(out, src.replace(/\.asm$/, '.bin'));
      execFileSync('nasm', ['-f', 'bin', '-I', `${romsDir}/`, '-o', bin, join(romsDir, src)]);
      expect(readFileSync(bin).equals(readFileSync(join(romsDir, src.replace(/\.asm$/, '.bin')))), src).toBe(
        true,
      );
    }
  });
});
