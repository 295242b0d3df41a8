// ≥ 100,000 random system calls from ring 3 (programs/fuzz.asm, fixed seed): no host exception,
// the program survives, and no kernel memory changes except what a syscall may change (the
// kernel stack, the user's writable pages, and accessed/dirty bits in the page tables).

import { describe, expect, it } from 'vitest';
import FUZZ from './programs/fuzz.bin';
import { type AddressSpace, Ring3Machine } from './testing.js';
import { _PAGE_PRESENT, _PAGE_PSE } from './uaccess.js';

const CALLS = 100_000;
const SEED = 0x1234_5678;

/** Page-table frames: the page directory and every page table it points at. */
function pageTableFrames(as: AddressSpace): Set<number> {
  const frames = new Set([as.pgd]);
  for (let i = 0; i < 1024; i++) {
    const pde = as.memory.read32(as.pgd + i * 4);
    if (pde & _PAGE_PRESENT && !(pde & _PAGE_PSE)) frames.add(pde & ~0xfff);
  }
  return frames;
}

/** FNV-1a of every frame we guard, page tables with accessed/dirty masked. */
function snapshot(m: Ring3Machine, tables: Set<number>): Map<number, number> {
  const sums = new Map<number, number>();
  for (let frame = 0; frame < m.memory.size; frame += 4096) {
    if (m.volatileFrames.has(frame)) continue;
    const bytes = m.memory.frameForRead(frame);
    const mask = tables.has(frame) ? 0x9f : 0xff;
    let h = 0x811c9dc5;
    for (let i = 0; i < 4096; i++) h = Math.imul(h ^ (bytes[i] & ((i & 3) === 0 ? mask : 0xff)), 0x01000193);
    sums.set(frame, h >>> 0);
  }
  return sums;
}

describe('syscall fuzz from ring 3', () => {
  it('the checksum notices a changed kernel byte but not accessed/dirty bits', () => {
    const m = new Ring3Machine(FUZZ);
    m.enterUser();
    const tables = pageTableFrames(m.as);
    const before = snapshot(m, tables);
    const pte = m.memory.read32(m.as.pgd + (0x0805_0000 >>> 22) * 4) & ~0xfff;
    m.memory.write32(pte, m.memory.read32(pte) | 0x60);
    expect(snapshot(m, tables)).toEqual(before);
    m.memory.write8(m.entry.idt_table - 0xc000_0000 + 0x80 * 8, 0x90);
    expect(snapshot(m, tables)).not.toEqual(before);
  });

  it(`survives ${CALLS} random system calls with kernel memory intact (seed 0x${SEED.toString(16)})`, () => {
    const m = new Ring3Machine(FUZZ, { pid: 9, comm: 'fuzz' });
    m.memory.write32(m.dataFrame, SEED);
    m.memory.write32(m.dataFrame + 4, CALLS);
    m.enterUser();
    const tables = pageTableFrames(m.as);
    const before = snapshot(m, tables);
    const entries = m.entry.entries;
    let calls = 0;
    const counted = m.table.do_syscall_32.bind(m.table);
    const byResult = new Map<string, number>();
    m.table.do_syscall_32 = (k, nr, ...args) => {
      calls++;
      const ret = counted(k, nr, ...args);
      const key = ret < 0 && ret >= -4095 ? `-${-ret}` : 'ok';
      byResult.set(key, (byResult.get(key) ?? 0) + 1);
      return ret;
    };
    const r = m.run(200_000_000);
    expect(m.log).toEqual([]);
    expect(r.status).toBe(0);
    expect(calls).toBe(CALLS + 1); // and the final exit
    expect(m.entry.entries - entries).toBe(CALLS + 1);
    expect(byResult.get('-38')).toBeGreaterThan(CALLS / 2); // most numbers are empty slots
    expect(byResult.get('-14')).toBeGreaterThan(100); // bad pointers reached the uaccess checks
    expect(byResult.get('ok')).toBeGreaterThan(100);
    const after = snapshot(m, tables);
    const changed = [...before]
      .filter(([frame, sum]) => after.get(frame) !== sum)
      .map(([f]) => f.toString(16));
    expect(changed).toEqual([]);
  }, 600_000);
});
