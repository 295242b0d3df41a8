import { describe, expect, it } from 'vitest';
import { EFAULT, ENOSYS, IS_ERR_VALUE } from './errno.js';

describe('errno', () => {
  it('uses the i386 values', () => {
    expect(ENOSYS).toBe(38);
    expect(EFAULT).toBe(14);
  });
  it('classifies [-4095, -1] as errors', () => {
    expect(IS_ERR_VALUE(-ENOSYS)).toBe(true);
    expect(IS_ERR_VALUE(-4095)).toBe(true);
    expect(IS_ERR_VALUE(-4096)).toBe(false);
    expect(IS_ERR_VALUE(0xc000_0000)).toBe(false);
  });
});
