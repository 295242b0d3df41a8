import { describe, expect, it } from 'vitest';
import {
  EAGAIN,
  EFAULT,
  EHWPOISON,
  ENOSYS,
  ERESTARTSYS,
  EWOULDBLOCK,
  errno_list,
  errno_name,
  errno_value,
  IS_ERR_VALUE,
  strerror,
} from './errno.js';

describe('errno', () => {
  it('uses the i386 values', () => {
    expect(ENOSYS).toBe(38);
    expect(EFAULT).toBe(14);
    expect(EHWPOISON).toBe(133);
    expect(ERESTARTSYS).toBe(512);
    expect(EWOULDBLOCK).toBe(EAGAIN);
  });
  it('classifies [-4095, -1] as errors', () => {
    expect(IS_ERR_VALUE(-ENOSYS)).toBe(true);
    expect(IS_ERR_VALUE(-4095)).toBe(true);
    expect(IS_ERR_VALUE(-4096)).toBe(false);
    expect(IS_ERR_VALUE(0xc000_0000)).toBe(false);
  });
  it('names every errno and words it as strace shows it', () => {
    expect(errno_name(14)).toBe('EFAULT');
    expect(strerror(EFAULT)).toBe('Bad address');
    expect(strerror(ENOSYS)).toBe('Function not implemented');
    expect(strerror(1)).toBe('Operation not permitted');
    expect(strerror(4000)).toBe('Unknown error 4000');
    expect(errno_value('EWOULDBLOCK')).toBe(11);
    const list = errno_list();
    expect(list.filter((e) => e <= 133)).toHaveLength(131); // 1..133 without 41 and 58
    for (const e of list) expect(errno_value(errno_name(e)!)).toBe(e);
  });
});
