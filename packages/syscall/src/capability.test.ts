import { describe, expect, it } from 'vitest';
import {
  CAP_CHECKPOINT_RESTORE,
  CAP_FULL_SET,
  CAP_LAST_CAP,
  CAP_NAMES,
  CAP_SYS_ADMIN,
  CAP_SYS_BOOT,
  cap_lower,
  cap_raise,
  cap_raised,
  capable,
  has_capability,
  init_cred,
  PF_SUPERPRIV,
  user_cred,
} from './capability.js';
import { makeTask } from './task.js';

describe('capabilities', () => {
  it('numbers and names follow include/uapi/linux/capability.h', () => {
    expect(CAP_SYS_ADMIN).toBe(21);
    expect(CAP_SYS_BOOT).toBe(22);
    expect(CAP_LAST_CAP).toBe(CAP_CHECKPOINT_RESTORE);
    expect(CAP_NAMES).toHaveLength(CAP_LAST_CAP + 1);
    expect(CAP_NAMES[CAP_SYS_ADMIN]).toBe('sys_admin');
    expect(CAP_FULL_SET).toBe(0x1ff_ffff_ffffn);
  });

  it('capable() checks the effective set and marks PF_SUPERPRIV', () => {
    const root = makeTask({ cred: init_cred() });
    expect(capable(root, CAP_SYS_ADMIN)).toBe(true);
    expect(root.flags & PF_SUPERPRIV).toBe(PF_SUPERPRIV);
    const user = makeTask({ cred: user_cred(1000) });
    expect(capable(user, CAP_SYS_ADMIN)).toBe(false);
    expect(user.flags & PF_SUPERPRIV).toBe(0);
    user.cred.cap_effective = cap_raise(user.cred.cap_effective, CAP_SYS_BOOT);
    expect(has_capability(user, CAP_SYS_BOOT)).toBe(true);
    expect(cap_raised(cap_lower(CAP_FULL_SET, 40), 40)).toBe(false);
  });

  it('reports an invalid capability like the kernel and refuses it', () => {
    const lines: string[] = [];
    expect(capable(makeTask(), 41, (m) => lines.push(m))).toBe(false);
    expect(lines).toEqual(['\x012capable() called with invalid cap=41\n']);
  });
});
