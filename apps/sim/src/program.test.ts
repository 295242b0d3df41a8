import { describe, expect, it } from 'vitest';
import { parseSize } from './boot.js';
import { run } from './program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}

describe('k-sim', () => {
  it('parses RAM sizes and names a bad one', () => {
    expect(parseSize('64M')).toBe(64 << 20);
    expect(parseSize('1G')).toBe(1 << 30);
    expect(() => parseSize('lots')).toThrow('--mem: expected a size such as 64M or 1G, got "lots"');
  });

  it('boot powers on a machine of the requested size', async () => {
    const { io, out } = capture();
    expect(await run(['boot', '--mem', '16M'], io)).toBe(0);
    expect(out.join('')).toContain('16 MiB of RAM');
  });

  it('rejects an unknown command with a non-zero status and says why', async () => {
    const { io, err } = capture();
    expect(await run(['frobnicate'], io)).not.toBe(0);
    expect(err.join('')).toMatch(/unknown command 'frobnicate'/);
  });
});
