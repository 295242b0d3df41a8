// @k/syscall benchmarks: null system calls (getpid) per second, round trip from ring 3 through
// int 0x80, @k/irq's entry stub, the kernel gate, sys_call_table and iret; the same dispatch called
// from TypeScript; and copy_to_user / copy_from_user of 4 KiB through the page-table walk.
// Prints medians.

const { Bench } = await import('tinybench');
const { Ring3Machine, USER_DATA, USER_TEXT } = await import('../src/testing.js');
const { default: GETPID_LOOP } = await import('../src/programs/getpid_loop.bin');

const CALLS = 20_000;
const bench = new Bench({ time: 3000, warmupTime: 500 });
const per: Record<string, number> = {};
const unit: Record<string, string> = {};

// The dispatch alone: the table and the handler, no CPU.
const m = new Ring3Machine(GETPID_LOOP, { pid: 1 });
m.enterUser();
const DISPATCH = 100_000;
per['TypeScript: do_syscall_32(getpid)'] = DISPATCH;
unit['TypeScript: do_syscall_32(getpid)'] = 'calls/s';
bench.add('TypeScript: do_syscall_32(getpid)', () => {
  for (let i = 0; i < DISPATCH; i++) m.table.do_syscall_32(m.k, 20, 0, 0, 0, 0, 0, 0);
});

const page = new Uint8Array(4096).fill(0x5a);
// Warm both paths (host array and kernel pointer) so the first task does not pay for the JIT.
for (let i = 0; i < 20_000; i++) {
  m.k.uaccess.copy_to_user(USER_DATA + (i & 1) * 0x800, page, 4096);
  m.k.uaccess.copy_from_user(page, USER_DATA, 4096);
}
// Destinations rotate over the four user data pages: one host frame can be slow by accident of
// address (4 KiB aliasing with the source buffer), so no single frame decides the result.
const COPIES = 1000;
for (const [name, offset] of [
  ['copy_to_user 4 KiB (page-aligned)', 0],
  ['copy_to_user 4 KiB (across two pages)', 0x800],
] as const) {
  per[name] = COPIES;
  unit[name] = 'copies/s';
  bench.add(name, () => {
    for (let i = 0; i < COPIES; i++) {
      const to = USER_DATA + offset + (offset ? i % 3 : i & 3) * 0x1000;
      if (m.k.uaccess.copy_to_user(to, page, 4096) !== 0) throw new Error('fault');
    }
  });
}
per['copy_from_user 4 KiB (page-aligned)'] = COPIES;
unit['copy_from_user 4 KiB (page-aligned)'] = 'copies/s';
bench.add('copy_from_user 4 KiB (page-aligned)', () => {
  for (let i = 0; i < COPIES; i++) {
    if (m.k.uaccess.copy_from_user(page, USER_DATA + (i & 3) * 0x1000, 4096) !== 0) throw new Error('fault');
  }
});

// The whole round trip: ring 3 -> int 0x80 -> entry stub -> kernel gate -> getpid -> iret.
per['ring 3: getpid via int 0x80'] = CALLS;
unit['ring 3: getpid via int 0x80'] = 'syscalls/s';
const loop = new Ring3Machine(GETPID_LOOP, { pid: 1 });
loop.memory.write32(loop.dataFrame, CALLS);
bench.add('ring 3: getpid via int 0x80', () => {
  loop.task.flags = 0;
  loop.start(USER_TEXT);
  const r = loop.run(100_000_000);
  if (r.status !== 0) throw new Error(`getpid_loop ended with ${r.status}`);
});

await bench.run();
const rows: Record<string, string>[] = [];
for (const t of bench.tasks) {
  if (t.result?.error) throw t.result.error;
  const ms = t.result?.latency?.p50 ?? Number.NaN;
  const rate = per[t.name] / (ms / 1000);
  rows.push({
    task: t.name,
    'median ms/iter': ms.toFixed(3),
    median: `${rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : `${(rate / 1e3).toFixed(1)} k`} ${unit[t.name]}`,
  });
}
console.table(rows);
