import { describe, expect, it } from 'vitest';
import { ZERO_OR_NULL_PTR, ZERO_SIZE_PTR } from './slab.js';

describe('slab pointer conventions', () => {
  it('treats NULL and ZERO_SIZE_PTR as nothing to free', () => {
    expect(ZERO_SIZE_PTR).toBe(16);
    expect(ZERO_OR_NULL_PTR(0)).toBe(true);
    expect(ZERO_OR_NULL_PTR(16)).toBe(true);
    expect(ZERO_OR_NULL_PTR(0xc000_0000)).toBe(false);
  });
});
