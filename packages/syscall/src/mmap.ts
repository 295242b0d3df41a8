// brk(2) of mm/mmap.c: moves the end of the heap. The pages themselves come later, one fault at a
// time, through the kernel's page-fault path (the uaccess routines call it too). brk(0) and every
// refused request return the current break, as Linux does.

import { SYSCALL_DEFINE1 } from './syscalls.js';
import { PAGE_SIZE } from './uaccess.js';

const PAGE_ALIGN = (addr: number): number => (addr + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

export const sys_brk = SYSCALL_DEFINE1(
  'brk',
  'unsigned long',
  'brk',
  (k, brk) => {
    const mm = k.current.mm;
    if (mm === undefined) return 0;
    if (brk < mm.start_brk) return mm.brk;
    if (PAGE_ALIGN(brk) >>> 0 > mm.brk_limit >>> 0 || brk > mm.brk_limit) return mm.brk;
    mm.brk = brk;
    return brk;
  },
  { strace: { args: ['p'], ret: 'x' } },
);
