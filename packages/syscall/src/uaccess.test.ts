import { describe, expect, it } from 'vitest';
import { EFAULT } from './errno.js';
import { AddressSpace, KERNEL_RW, PhysicalMemory, USER_RO, USER_RW } from './testing.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  PAGE_OFFSET,
  TASK_SIZE,
  UaccessError,
  UserAccess,
  X86_PF_PROT,
  X86_PF_USER,
  X86_PF_WRITE,
} from './uaccess.js';

const RAM = 8 << 20;

function setup() {
  const memory = new PhysicalMemory(RAM);
  const as = new AddressSpace(memory, 0x10_0000, 0x40_0000);
  as.mapLowmem(RAM);
  const ua = new UserAccess({ memory, cr3: () => as.pgd });
  // 0x1000-0x2fff user rw, 0x3000 user ro, 0x4000 kernel-only, 0x5000 unmapped, 0x6000 rw.
  const rw = as.populate(0x1000, 2, USER_RW);
  const ro = as.populate(0x3000, 1, USER_RO);
  const sup = as.populate(0x4000, 1, KERNEL_RW);
  as.populate(0x6000, 1, USER_RW);
  return { memory, as, ua, rw, ro, sup };
}

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('access_ok', () => {
  it('accepts ranges below TASK_SIZE and refuses kernel addresses and wrap-around', () => {
    const { ua } = setup();
    expect(ua.access_ok(0, 0)).toBe(true);
    expect(ua.access_ok(TASK_SIZE - 4, 4)).toBe(true);
    expect(ua.access_ok(TASK_SIZE - 4, 5)).toBe(false);
    expect(ua.access_ok(PAGE_OFFSET, 1)).toBe(false);
    expect(ua.access_ok(0xffff_fff0, 0x20)).toBe(false);
    expect(ua.access_ok(0x1000, 0xffff_ffff)).toBe(false);
  });
});

describe('copy_to_user / copy_from_user', () => {
  it('copies across a page boundary and sets accessed and dirty bits', () => {
    const { ua, memory, rw, as } = setup();
    const data = bytes('hello, page boundary!');
    expect(ua.copy_to_user(0x1ff8, data, data.length)).toBe(0);
    expect(memory.readBytes(rw + 0xff8, 8)).toEqual(data.subarray(0, 8));
    expect(memory.readBytes(rw + 0x1000, data.length - 8)).toEqual(data.subarray(8));
    const back = new Uint8Array(data.length);
    expect(ua.copy_from_user(back, 0x1ff8, data.length)).toBe(0);
    expect(back).toEqual(data);
    const pde = memory.read32(as.pgd);
    const pte = memory.read32((pde & ~0xfff) + 1 * 4);
    expect(pte & (_PAGE_ACCESSED | _PAGE_DIRTY)).toBe(_PAGE_ACCESSED | _PAGE_DIRTY);
  });

  it('returns the bytes not copied at an unmapped page and zero-fills the rest of the kernel buffer', () => {
    const { ua } = setup();
    const buf = new Uint8Array(16).fill(0xaa);
    // 0x4ffc..0x4fff is the kernel-only page: refused entirely.
    expect(ua.copy_from_user(buf, 0x4ffc, 8)).toBe(8);
    expect(buf.subarray(0, 8)).toEqual(new Uint8Array(8));
    // 0x3ffc: the last 4 bytes of the read-only page, then the kernel-only page.
    buf.fill(0xaa);
    expect(ua.copy_from_user(buf, 0x3ffc, 8)).toBe(4);
    expect(buf.subarray(0, 4)).toEqual(new Uint8Array(4));
    expect(buf.subarray(4, 8)).toEqual(new Uint8Array(4));
  });

  it('refuses writes to read-only and supervisor pages and to kernel addresses', () => {
    const { ua, memory, ro, sup } = setup();
    expect(ua.copy_to_user(0x3000, bytes('x'), 1)).toBe(1);
    expect(memory.read8(ro)).toBe(0);
    expect(ua.copy_to_user(0x4000, bytes('x'), 1)).toBe(1);
    expect(memory.read8(sup)).toBe(0);
    expect(ua.copy_to_user(PAGE_OFFSET + 0x1000, bytes('x'), 1)).toBe(1);
    expect(ua.copy_to_user(0x5000, bytes('x'), 1)).toBe(1);
    // Reading a read-only page is fine.
    memory.write8(ro, 0x42);
    const b = new Uint8Array(1);
    expect(ua.copy_from_user(b, 0x3000, 1)).toBe(0);
    expect(b[0]).toBe(0x42);
  });

  it('stops part way with the count of bytes left', () => {
    const { ua } = setup();
    const data = new Uint8Array(0x1800).fill(7);
    // 0x2800..0x3fff: 0x800 bytes writable, then the read-only page.
    expect(ua.copy_to_user(0x2800, data, 0x1800)).toBe(0x1000);
  });

  it('copies to and from kernel virtual addresses in lowmem', () => {
    const { ua, memory } = setup();
    memory.writeBytes(0x8000, bytes('kernel'));
    expect(ua.copy_to_user(0x1000, PAGE_OFFSET + 0x8000, 6)).toBe(0);
    expect(ua.copy_from_user(PAGE_OFFSET + 0x9000, 0x1000, 6)).toBe(0);
    expect(memory.readBytes(0x9000, 6)).toEqual(bytes('kernel'));
    expect(() => ua.copy_from_user(0x1234, 0x1000, 1)).toThrow(UaccessError);
    expect(() => ua.copy_from_user(new Uint8Array(1), 0x1000, 2)).toThrow(UaccessError);
  });

  it('honours PSE 4 MiB user pages', () => {
    const { ua, as, memory } = setup();
    as.map4m(0x0800_0000, 0x40_0000, USER_RW);
    expect(ua.copy_to_user(0x0812_3456, bytes('big'), 3)).toBe(0);
    expect(memory.readBytes(0x52_3456, 3)).toEqual(bytes('big'));
    as.map4m(0x0c00_0000, 0x40_0000, USER_RO);
    expect(ua.copy_to_user(0x0c00_0000, bytes('big'), 3)).toBe(3);
    const noPse = new UserAccess({ memory, cr3: () => as.pgd, pse: () => false });
    // Without PSE the PDE is read as a page-table pointer: its "PTE" at 0x400000 is zero.
    expect(noPse.copy_to_user(0x0812_3456, bytes('big'), 3)).toBe(3);
  });

  it('lets the page-fault path map a page on demand', () => {
    const { memory, as } = setup();
    const faults: [number, number][] = [];
    const ua = new UserAccess({
      memory,
      cr3: () => as.pgd,
      page_fault: (address, code) => {
        faults.push([address, code]);
        if (address >= 0x10_0000 && address < 0x20_0000) {
          as.populate(address & ~0xfff, 1, USER_RW);
          return true;
        }
        return false;
      },
    });
    expect(ua.copy_to_user(0x10_0ffe, bytes('demand'), 6)).toBe(0);
    expect(faults).toEqual([
      [0x10_0ffe, X86_PF_WRITE | X86_PF_USER],
      [0x10_1000, X86_PF_WRITE | X86_PF_USER],
    ]);
    expect(ua.copy_to_user(0x3000, bytes('x'), 1)).toBe(1);
    expect(faults.at(-1)).toEqual([0x3000, X86_PF_PROT | X86_PF_WRITE | X86_PF_USER]);
    expect(ua.get_user(0x5000)).toBe(-EFAULT);
    expect(faults.at(-1)).toEqual([0x5000, X86_PF_USER]);
  });
});

describe('get_user / put_user / clear_user', () => {
  it('moves 1, 2 and 4 byte values, also across pages', () => {
    const { ua } = setup();
    expect(ua.put_user(0xdeadbeef, 0x1ffe)).toBe(0);
    expect(ua.get_user(0x1ffe)).toBe(0xdeadbeef);
    expect(ua.get_user(0x1ffe, 2)).toBe(0xbeef);
    expect(ua.get_user(0x1fff, 1)).toBe(0xbe);
    expect(ua.put_user(0x1234, 0x1000, 2)).toBe(0);
    expect(ua.get_user(0x1000, 2)).toBe(0x1234);
  });

  it('returns -EFAULT and writes nothing when any byte is inaccessible', () => {
    const { ua, memory, rw } = setup();
    expect(ua.put_user(0x11223344, 0x2ffe)).toBe(-EFAULT); // straddles rw and ro
    expect(memory.read16(rw + 0x1ffe)).toBe(0);
    expect(ua.get_user(0x4ffe)).toBe(-EFAULT);
    expect(ua.get_user(TASK_SIZE - 2)).toBe(-EFAULT);
    expect(ua.put_user(1, 0xffff_fffc)).toBe(-EFAULT);
  });

  it('clear_user zeroes and reports what it could not', () => {
    const { ua, memory, rw } = setup();
    memory.fill(rw, 0x2000, 0x55);
    expect(ua.clear_user(0x1800, 0x1000)).toBe(0);
    expect(memory.read8(rw + 0x800)).toBe(0);
    expect(memory.read8(rw + 0x17ff)).toBe(0);
    expect(memory.read8(rw + 0x1800)).toBe(0x55);
    expect(ua.clear_user(0x2f00, 0x200)).toBe(0x100);
    expect(ua.clear_user(PAGE_OFFSET, 4)).toBe(4);
  });
});

describe('strncpy_from_user / strnlen_user', () => {
  it('copies NUL-terminated strings with the kernel return conventions', () => {
    const { ua } = setup();
    ua.copy_to_user(0x1ffc, bytes('path/name\0'), 10);
    const buf = new Uint8Array(64);
    expect(ua.strncpy_from_user(buf, 0x1ffc, 64)).toBe(9);
    expect(buf.subarray(0, 10)).toEqual(bytes('path/name\0'));
    expect(ua.strncpy_from_user(buf, 0x1ffc, 4)).toBe(4); // no NUL within count
    expect(ua.strncpy_from_user(buf, 0x1ffc, 0)).toBe(0);
    expect(ua.strnlen_user(0x1ffc, 64)).toBe(10);
    expect(ua.strnlen_user(0x1ffc, 4)).toBe(5);
    expect(ua.strndup_user(0x1ffc, 64)).toBe('path/name');
  });

  it('faults on unmapped memory, kernel addresses and a string running off mapped memory', () => {
    const { ua, memory, rw } = setup();
    memory.fill(rw + 0x1000, 0x1000, 0x41); // 0x2000..0x2fff all 'A', then the ro page of zeros
    const buf = new Uint8Array(0x3000);
    expect(ua.strncpy_from_user(buf, 0x2ff0, 0x20)).toBe(16);
    expect(ua.strncpy_from_user(buf, 0x5000, 10)).toBe(-EFAULT);
    expect(ua.strncpy_from_user(buf, PAGE_OFFSET, 10)).toBe(-EFAULT);
    expect(ua.strnlen_user(0x5000, 10)).toBe(0);
    expect(ua.strnlen_user(PAGE_OFFSET, 10)).toBe(0);
    // A string that reaches TASK_SIZE without a NUL is a fault, not a short count.
    const { as, memory: m2 } = setup();
    as.populate(TASK_SIZE - 0x1000, 1, USER_RW);
    const top = new UserAccess({ memory: m2, cr3: () => as.pgd });
    top.copy_to_user(TASK_SIZE - 0x1000, new Uint8Array(0x1000).fill(0x42), 0x1000);
    expect(top.strncpy_from_user(buf, TASK_SIZE - 4, 10)).toBe(-EFAULT);
    expect(top.strnlen_user(TASK_SIZE - 4, 10)).toBe(0);
    expect(top.strnlen_user(TASK_SIZE - 8, 4)).toBe(5);
  });

  it('does not read page tables past RAM', () => {
    const { ua, as, memory } = setup();
    memory.write32(as.pgd + (0x2000_0000 >>> 22) * 4, 0xf000_0000 | _PAGE_PRESENT | USER_RW);
    expect(ua.get_user(0x2000_0000)).toBe(-EFAULT);
  });
});
