import { describe, expect, it } from 'vitest';
import { seq_read } from './seq_file.js';

describe('seq_read', () => {
  const show = () => 'MemTotal:       16384 kB\nMemFree:         8192 kB\n';

  it('returns the same bytes whether read whole or in small pieces', () => {
    const whole = new TextDecoder().decode(seq_read(show, 0, 4096).data);
    let pos = 0;
    let pieces = '';
    for (;;) {
      const r = seq_read(show, pos, 7);
      if (r.data.length === 0) break;
      pieces += new TextDecoder().decode(r.data);
      pos = r.pos;
    }
    expect(pieces).toBe(whole);
    expect(pos).toBe(whole.length);
  });

  it('returns nothing past the end and refuses a negative position', () => {
    expect(seq_read(show, 1000, 10).data.length).toBe(0);
    expect(() => seq_read(show, -1, 10)).toThrow(/pos must be >= 0, got -1/);
  });
});
