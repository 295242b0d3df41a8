import { describe, expect, it } from 'vitest';
import { HDRS_MAGIC } from './setup_header.js';

describe('setup header constants', () => {
  it('HdrS reads as the ASCII signature', () => {
    const bytes = new Uint8Array(new Uint32Array([HDRS_MAGIC]).buffer);
    expect(new TextDecoder().decode(bytes)).toBe('HdrS');
  });
});
