import { describe, expect, it } from 'vitest';
import { M_MAGIC, M_NOWAIT, M_WAITOK, M_ZERO } from './malloc.js';

describe('malloc.h constants', () => {
  it('match FreeBSD', () => {
    expect(M_MAGIC).toBe(877983977); // "time when first defined :-)"
    expect([M_NOWAIT, M_WAITOK, M_ZERO]).toEqual([1, 2, 0x100]);
    expect(M_NOWAIT & M_WAITOK).toBe(0);
  });
});
