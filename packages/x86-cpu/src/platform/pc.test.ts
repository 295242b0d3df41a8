import { describe, expect, it } from 'vitest';
import { PC, PcError } from './pc.js';

/** A 64 KiB ROM whose reset vector jumps to `code` placed at F000:0000. */
function romWith(code: number[]): Uint8Array {
  const rom = new Uint8Array(0x10000).fill(0xf4);
  rom.set(code, 0);
  rom.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0); // jmp f000:0000
  return rom;
}

describe('PC', () => {
  it('validates its options, naming the field', () => {
    expect(() => new PC({ ramSize: 1000 })).toThrow(/ramSize/);
    expect(() => new PC({ ramSize: 1 << 20, rom: new Uint8Array(100) })).toThrow(PcError);
    expect(() => new PC({ ramSize: 1 << 20, rom: new Uint8Array(100) })).toThrow(/rom must be/);
  });

  it('starts at the reset vector through the alias below 4 GiB and writes the POST port', () => {
    const posts: number[] = [];
    const out: number[] = [];
    // mov al,0x12; out 0x80,al; mov al,'A'; out 0xe9,al; cli; hlt
    const pc = new PC({
      ramSize: 1 << 20,
      rom: romWith([0xb0, 0x12, 0xe6, 0x80, 0xb0, 0x41, 0xe6, 0xe9, 0xfa, 0xf4]),
      onPost: (c) => posts.push(c),
      debugOut: (b) => out.push(b),
    });
    const r = pc.run(1000);
    expect(r.reason).toBe('hlt');
    expect(posts).toEqual([0x12]);
    expect(out).toEqual([0x41]);
    expect(pc.postCode).toBe(0x12);
  });
});
