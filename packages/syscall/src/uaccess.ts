// Safe access to user memory from the kernel (arch/x86/include/asm/uaccess.h, lib/usercopy.c,
// lib/strncpy_from_user.c, lib/strnlen_user.c). Every routine refuses addresses at or above
// TASK_SIZE (the kernel's 3 GiB split) and walks the current page tables (CR3, two-level, 4 KiB
// and PSE 4 MiB pages) the way the MMU would for a ring-3 access: a page that is not present, a
// supervisor page, or a read-only page for a write is a fault. A fault first goes to the kernel's
// page-fault path (demand paging, copy-on-write) when one is installed; what that path cannot fix
// ends the copy, like the exception-table fixup in Linux: bytes not copied, or -EFAULT.

import type { PhysicalMemory } from '@k/x86-cpu';
import { EFAULT } from './errno.js';

/** PAGE_OFFSET of the 3G/1G split: lowmem kernel virtual address = physical + PAGE_OFFSET. */
export const PAGE_OFFSET = 0xc000_0000;
/** TASK_SIZE (TASK_SIZE_MAX on i386): the first address user space may not touch. */
export const TASK_SIZE = PAGE_OFFSET;
export const PAGE_SIZE = 4096;

// Page-table entry bits (arch/x86/include/asm/pgtable_types.h).
export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
export const _PAGE_PSE = 0x080;

// Page-fault error code bits (enum x86_pf_error_code).
export const X86_PF_PROT = 1;
export const X86_PF_WRITE = 2;
export const X86_PF_USER = 4;

/** Where user memory lives and how faults are resolved. */
export interface UserAccessOptions {
  /** Physical RAM holding the page tables and user pages. */
  memory: PhysicalMemory;
  /** The current address space's page directory (CR3; the CPU's CR3 during a syscall). */
  cr3: () => number;
  /** Whether PSE (CR4.PSE) is on, so a PDE with _PAGE_PSE maps 4 MiB. Default: on. */
  pse?: () => boolean;
  /**
   * The kernel's page-fault path for a fault taken inside a uaccess routine (do_page_fault ->
   * handle_mm_fault): called with the faulting user address and an X86_PF_* error code; returns
   * true when it made the page accessible (demand paging, COW), false for a bad access.
   */
  page_fault?: (address: number, error_code: number) => boolean;
}

/** A kernel-side bug in a uaccess call (a kernel pointer outside lowmem, a negative length). */
export class UaccessError extends RangeError {
  override name = 'UaccessError';
}

/**
 * The uaccess routines bound to one machine. Kernel-side buffers are either host byte arrays or
 * kernel virtual addresses (numbers ≥ PAGE_OFFSET, lowmem) in guest memory.
 */
export class UserAccess {
  readonly memory: PhysicalMemory;
  private readonly cr3: () => number;
  private readonly pse: () => boolean;
  /** Replaceable: the kernel core installs its page-fault path once it has one. */
  page_fault: ((address: number, error_code: number) => boolean) | undefined;

  constructor(options: UserAccessOptions) {
    this.memory = options.memory;
    this.cr3 = options.cr3;
    this.pse = options.pse ?? (() => true);
    this.page_fault = options.page_fault;
  }

  /** access_ok(addr, size): the whole range lies below TASK_SIZE (it says nothing of mappings). */
  access_ok(addr: number, size: number): boolean {
    addr >>>= 0;
    size >>>= 0;
    return size <= TASK_SIZE && addr <= TASK_SIZE - size;
  }

  /**
   * The physical address behind user address `addr` for a user-mode read or write, or -1. Walks
   * the page tables like the MMU (setting accessed/dirty bits) and lets the page-fault path try
   * once to resolve a fault.
   */
  user_translate(addr: number, write: boolean): number {
    addr >>>= 0;
    if (addr >= TASK_SIZE) return -1;
    const pa = this.walk(addr, write);
    if (pa >= 0) return pa;
    const fix = this.page_fault;
    if (fix === undefined) return -1;
    const error_code = (pa === -2 ? X86_PF_PROT : 0) | (write ? X86_PF_WRITE : 0) | X86_PF_USER;
    if (!fix(addr, error_code)) return -1;
    const again = this.walk(addr, write);
    return again >= 0 ? again : -1;
  }

  /** -1: not present, -2: present but not allowed (supervisor page or read-only for a write). */
  private walk(addr: number, write: boolean): number {
    const mem = this.memory;
    const pdeAddr = ((this.cr3() & 0xffff_f000) + ((addr >>> 22) << 2)) >>> 0;
    if (!mem.contains(pdeAddr, 4)) return -1;
    const pde = mem.read32(pdeAddr);
    if ((pde & _PAGE_PRESENT) === 0) return -1;
    if ((pde & _PAGE_PSE) !== 0 && this.pse()) {
      if ((pde & _PAGE_USER) === 0 || (write && (pde & _PAGE_RW) === 0)) return -2;
      const want = _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
      if ((pde & want) !== want) mem.write32(pdeAddr, pde | want);
      const pa = ((pde & 0xffc0_0000) | (addr & 0x003f_ffff)) >>> 0;
      return mem.contains(pa) ? pa : -1;
    }
    const pteAddr = ((pde & 0xffff_f000) + (((addr >>> 12) & 0x3ff) << 2)) >>> 0;
    if (!mem.contains(pteAddr, 4)) return -1;
    const pte = mem.read32(pteAddr);
    if ((pte & _PAGE_PRESENT) === 0) return -1;
    const flags = pde & pte;
    if ((flags & _PAGE_USER) === 0 || (write && (flags & _PAGE_RW) === 0)) return -2;
    if ((pde & _PAGE_ACCESSED) === 0) mem.write32(pdeAddr, pde | _PAGE_ACCESSED);
    const want = _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
    if ((pte & want) !== want) mem.write32(pteAddr, pte | want);
    const pa = ((pte & 0xffff_f000) | (addr & 0xfff)) >>> 0;
    return mem.contains(pa) ? pa : -1;
  }

  /**
   * copy_from_user(to, from, n): copies n bytes of user memory at `from` into the kernel buffer
   * `to`. Returns the number of bytes NOT copied (0 on success); the uncopied tail of `to` is
   * zeroed, as _copy_from_user() does.
   */
  copy_from_user(to: Uint8Array | number, from: number, n: number): number {
    n = this.length(n, 'copy_from_user');
    const dst = this.kernelBuffer(to, n, 'copy_from_user');
    from >>>= 0;
    const done = !this.access_ok(from, n)
      ? 0
      : this.walkUser(from, n, false, (pa, at, chunk) => {
          const off = pa & 0xfff;
          const frame = this.memory.frameForRead(pa).subarray(off, off + chunk);
          if (typeof dst === 'number') this.memory.writeBytes(dst + at, frame);
          else dst.set(frame, at);
        });
    if (done < n) {
      if (typeof dst === 'number') this.memory.fill(dst + done, n - done, 0);
      else dst.fill(0, done, n);
    }
    return n - done;
  }

  /**
   * copy_to_user(to, from, n): copies n bytes from the kernel buffer `from` to user memory at
   * `to`. Returns the number of bytes NOT copied (0 on success).
   */
  copy_to_user(to: number, from: Uint8Array | number, n: number): number {
    n = this.length(n, 'copy_to_user');
    const src = this.kernelBuffer(from, n, 'copy_to_user');
    to >>>= 0;
    if (!this.access_ok(to, n)) return n;
    const done = this.walkUser(to, n, true, (pa, at, chunk) => {
      const bytes =
        typeof src === 'number' ? this.memory.readBytes(src + at, chunk) : src.subarray(at, at + chunk);
      this.memory.frameForWrite(pa).set(bytes, pa & 0xfff);
    });
    return n - done;
  }

  /**
   * fault_in_writeable(uaddr, size) (mm/gup.c): makes sure the user range can be written, faulting
   * pages in through the page-fault path, without changing its contents. Returns the number of
   * bytes at the end of the range that cannot be written (0: all of it can).
   */
  fault_in_writeable(uaddr: number, size: number): number {
    size = this.length(size, 'fault_in_writeable');
    uaddr >>>= 0;
    if (!this.access_ok(uaddr, size)) return size;
    return size - this.walkUser(uaddr, size, true);
  }

  /** clear_user(to, n): zeroes n bytes of user memory; returns the number of bytes NOT cleared. */
  clear_user(to: number, n: number): number {
    n = this.length(n, 'clear_user');
    to >>>= 0;
    if (!this.access_ok(to, n)) return n;
    const done = this.walkUser(to, n, true, (pa, _at, chunk) => {
      const off = pa & 0xfff;
      this.memory.frameForWrite(pa).fill(0, off, off + chunk);
    });
    return n - done;
  }

  /**
   * Walks the user range [uaddr, uaddr + n) a page at a time through the page tables (faulting
   * pages in as user_translate does), handing `fn` each piece's physical address, its offset in the
   * range and its length. Stops at the first page that cannot be accessed (for writing, with
   * `write`); returns the bytes walked.
   */
  private walkUser(
    uaddr: number,
    n: number,
    write: boolean,
    fn?: (pa: number, at: number, chunk: number) => void,
  ): number {
    let done = 0;
    while (done < n) {
      const va = uaddr + done;
      const pa = this.user_translate(va, write);
      if (pa < 0) break;
      const chunk = Math.min(n - done, PAGE_SIZE - (va & 0xfff));
      fn?.(pa, done, chunk);
      done += chunk;
    }
    return done;
  }

  /**
   * get_user(x, ptr) for a 1-, 2- or 4-byte object: returns the value (unsigned, ≥ 0) or -EFAULT.
   * The value and the error cannot collide: a value is never negative.
   */
  get_user(ptr: number, size: 1 | 2 | 4 = 4): number {
    ptr >>>= 0;
    if (!this.access_ok(ptr, size)) return -EFAULT;
    let value = 0;
    for (let i = 0; i < size; ) {
      const va = ptr + i;
      const pa = this.user_translate(va, false);
      if (pa < 0) return -EFAULT;
      const inPage = Math.min(size - i, PAGE_SIZE - (va & 0xfff));
      for (let j = 0; j < inPage; j++, i++) value |= this.memory.read8(pa + j) << (8 * i);
    }
    return value >>> 0;
  }

  /** put_user(x, ptr) for a 1-, 2- or 4-byte object: 0 or -EFAULT (nothing written on a fault). */
  put_user(value: number, ptr: number, size: 1 | 2 | 4 = 4): number {
    ptr >>>= 0;
    if (!this.access_ok(ptr, size)) return -EFAULT;
    const first = this.user_translate(ptr, true);
    if (first < 0) return -EFAULT;
    const inFirst = Math.min(size, PAGE_SIZE - (ptr & 0xfff));
    let second = -1;
    if (inFirst < size) {
      second = this.user_translate(ptr + inFirst, true);
      if (second < 0) return -EFAULT;
    }
    for (let i = 0; i < size; i++) {
      const pa = i < inFirst ? first + i : second + (i - inFirst);
      this.memory.write8(pa, (value >>> (8 * i)) & 0xff);
    }
    return 0;
  }

  /**
   * strncpy_from_user(dst, src, count): copies a NUL-terminated user string, at most `count`
   * bytes (the NUL included when it fits). Returns the string's length without the NUL, `count`
   * when no NUL came within `count` bytes, or -EFAULT (also when the string runs into TASK_SIZE).
   */
  strncpy_from_user(dst: Uint8Array | number, src: number, count: number): number {
    if (count <= 0) return 0;
    src >>>= 0;
    if (src >= TASK_SIZE) return -EFAULT;
    const out = this.kernelBuffer(dst, count, 'strncpy_from_user');
    const max = Math.min(count, TASK_SIZE - src);
    let res = 0;
    while (res < max) {
      const va = src + res;
      const pa = this.user_translate(va, false);
      if (pa < 0) return -EFAULT;
      const inPage = Math.min(max - res, PAGE_SIZE - (va & 0xfff));
      const off = pa & 0xfff;
      const frame = this.memory.frameForRead(pa);
      for (let j = 0; j < inPage; j++, res++) {
        const c = frame[off + j];
        if (typeof out === 'number') this.memory.write8(out + res, c);
        else out[res] = c;
        if (c === 0) return res;
      }
    }
    return res >= count ? res : -EFAULT;
  }

  /**
   * strnlen_user(str, n): the size of a user string INCLUDING its NUL; a value above `n` when
   * no NUL comes within `n` bytes; 0 on a fault or an address at or above TASK_SIZE.
   */
  strnlen_user(str: number, n: number): number {
    str >>>= 0;
    if (n <= 0 || str >= TASK_SIZE) return 0;
    const max = Math.min(n, TASK_SIZE - str);
    let res = 0;
    while (res < max) {
      const va = str + res;
      const pa = this.user_translate(va, false);
      if (pa < 0) return 0;
      const inPage = Math.min(max - res, PAGE_SIZE - (va & 0xfff));
      const off = pa & 0xfff;
      const frame = this.memory.frameForRead(pa);
      for (let j = 0; j < inPage; j++, res++) if (frame[off + j] === 0) return res + 1;
    }
    return res >= n ? n + 1 : 0;
  }

  /** Reads a user C string of at most `max` bytes for the kernel: the text, or -EFAULT. */
  strndup_user(src: number, max: number): string | number {
    const buf = new Uint8Array(max);
    const len = this.strncpy_from_user(buf, src, max);
    if (len < 0) return len;
    return latin1(buf.subarray(0, len));
  }

  private length(n: number, op: string): number {
    if (!Number.isInteger(n) || n < 0)
      throw new UaccessError(`${op}: length must be a non-negative integer, got ${n}`);
    return n;
  }

  /** A kernel buffer: a host array, or a lowmem kernel virtual address turned physical. */
  private kernelBuffer(buf: Uint8Array | number, n: number, op: string): Uint8Array | number {
    if (typeof buf !== 'number') {
      if (buf.length < n)
        throw new UaccessError(`${op}: kernel buffer of ${buf.length} bytes is shorter than ${n}`);
      return buf;
    }
    const pa = (buf >>> 0) - PAGE_OFFSET;
    if (pa < 0 || !this.memory.contains(pa, n)) {
      throw new UaccessError(`${op}: kernel pointer 0x${(buf >>> 0).toString(16)}+${n} is not in lowmem`);
    }
    return pa;
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
