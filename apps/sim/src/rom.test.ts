import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from './program.js';

const roms = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/x86-cpu/roms');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: number[] = [];
  return {
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      stdoutBytes: (b: Uint8Array) => bytes.push(...b),
    },
    out,
    err,
    bytes,
  };
}

/** A 64 KiB ROM: writes "hi\xff" to 0xE9, POST 0x42 then 0x43 to port 0x80, then CLI; HLT. */
function tinyRom(): string {
  const rom = new Uint8Array(0x10000).fill(0xff);
  const code = [
    0xb0, 0x42, 0xe6, 0x80, 0xb0, 0x68, 0xe6, 0xe9, 0xb0, 0x69, 0xe6, 0xe9, 0xb0, 0xff, 0xe6, 0xe9,
  ];
  code.push(0xb0, 0x43, 0xe6, 0x80, 0xfa, 0xf4);
  rom.set(code, 0);
  rom.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0);
  const file = join(mkdtempSync(join(tmpdir(), 'k-sim-rom-')), 'tiny.bin');
  writeFileSync(file, rom);
  return file;
}

afterEach(() => {
  process.exitCode = 0;
});

describe('k-sim rom', () => {
  it('runs a test ROM end to end: text on stdout, POST codes on stderr, a closing summary line', async () => {
    const { io, bytes, err } = capture();
    expect(await run(['rom', join(roms, 'strings.bin'), '--expect-post', '0xFF'], io)).toBe(0);
    expect(new TextDecoder().decode(Uint8Array.from(bytes))).toBe('PASS strings\n');
    const lines = err.join('').trimEnd().split('\n');
    expect(lines[0]).toBe('POST 0x01');
    expect(lines).toContain('POST 0x0A');
    expect(lines.at(-2)).toBe('POST 0xFF');
    expect(lines.at(-1)).toMatch(/^POST FF, stopped at hlt after \d+ instructions$/);
  });

  it('gives the same output and instruction count with --interpreter (no block translation)', async () => {
    for (const name of ['timer.bin', 'paging.bin']) {
      const translated = capture();
      const interpreted = capture();
      const rom = join(roms, name);
      expect(await run(['rom', rom, '--expect-post', '0xFF'], translated.io)).toBe(0);
      expect(await run(['rom', rom, '--expect-post', '0xFF', '--interpreter'], interpreted.io)).toBe(0);
      expect(interpreted.err.join('')).toBe(translated.err.join(''));
      expect(interpreted.bytes).toEqual(translated.bytes);
      expect(translated.err.join('')).toMatch(/POST FF, stopped at hlt after \d+ instructions/);
    }
  });

  it('passes out-port bytes through unchanged and honours --post-port/--out-port', async () => {
    const file = tinyRom();
    const a = capture();
    expect(await run(['rom', file], a.io)).toBe(0);
    expect(a.bytes).toEqual([0x68, 0x69, 0xff]);
    expect(a.err.join('')).toBe('POST 0x42\nPOST 0x43\nPOST 43, stopped at hlt after 13 instructions\n');
    const b = capture();
    expect(await run(['rom', file, '--out-port', '0x80', '--post-port', '0xE9'], b.io)).toBe(0);
    expect(b.bytes).toEqual([0x42, 0x43]);
  });

  it('maps a 128 KiB ROM so that its last 64 KiB hold the reset vector', async () => {
    const rom = new Uint8Array(0x20000).fill(0xff);
    // 0xE000:0000 (the lower half): mov al,0x5A; out 0x80,al; cli; hlt
    rom.set([0xb0, 0x5a, 0xe6, 0x80, 0xfa, 0xf4], 0);
    rom.set([0xea, 0x00, 0x00, 0x00, 0xe0], 0x1fff0); // jmp e000:0000
    const file = join(mkdtempSync(join(tmpdir(), 'k-sim-rom-')), 'big.bin');
    writeFileSync(file, rom);
    const { io, err } = capture();
    expect(await run(['rom', file, '--expect-post', '0x5a'], io)).toBe(0);
    expect(err.join('')).toBe('POST 0x5A\nPOST 5A, stopped at hlt after 5 instructions\n');
  });

  it('exits non-zero when --expect-post is not met, and reports a triple fault', async () => {
    const { io, err } = capture();
    expect(await run(['rom', join(roms, 'dfault.bin'), '--expect-post', '0xFF'], io)).toBe(1);
    const lines = err.join('').trimEnd().split('\n');
    expect(lines.at(-2)).toBe('k-sim rom: --expect-post FF not met (final POST FE)');
    expect(lines.at(-1)).toMatch(/^POST FE, stopped at triple fault after \d+ instructions$/);
  });

  it('stops at the instruction limit and can trace', async () => {
    const { io, err } = capture();
    const args = [
      'rom',
      join(roms, 'pmode.bin'),
      '--max-instructions',
      '50',
      '--trace',
      '--trace-limit',
      '3',
    ];
    expect(await run(args, io)).toBe(0);
    const lines = err.join('').trimEnd().split('\n');
    expect(lines.at(-1)).toBe('POST 01, stopped at the instruction limit after 50 instructions');
    expect(lines[0]).toMatch(/^F000:FFF0 {2}EA/);
    expect(lines.filter((l) => /^[0-9A-F]{4}:/.test(l))).toHaveLength(3);
  });

  it('names the bad argument', async () => {
    const a = capture();
    expect(await run(['rom', tinyRom(), '--post-port', 'zz'], a.io)).not.toBe(0);
    expect(a.err.join('')).toMatch(/--post-port: expected a number 0\.\.65535 such as 0x80, got "zz"/);
    const b = capture();
    expect(await run(['rom', '/nonexistent/rom.bin'], b.io)).not.toBe(0);
    expect(b.err.join('')).toMatch(/FILE: cannot read "\/nonexistent\/rom.bin"/);
    const c = capture();
    const small = join(mkdtempSync(join(tmpdir(), 'k-sim-rom-')), 'small.bin');
    writeFileSync(small, new Uint8Array(1000));
    expect(await run(['rom', small], c.io)).not.toBe(0);
    expect(c.err.join('')).toMatch(/is 1000 bytes; a ROM must be 65536 or 131072 bytes/);
  });
});
