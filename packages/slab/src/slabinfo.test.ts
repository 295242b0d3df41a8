import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GFP_KERNEL } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import { get_slabinfo, slabinfo, slabtop, slabtop_summary } from './slabinfo.js';

function busyMachine() {
  const m = machine();
  const s = m.slab.kmem_cache_create('scsi_cmd_cache', 300, 0, 0, null)!;
  const objs = Array.from({ length: 50 }, () => m.slab.kmem_cache_alloc(s, GFP_KERNEL));
  for (const p of objs.slice(0, 20)) m.slab.kmem_cache_free(s, p);
  for (let i = 0; i < 10; i++) m.slab.kmalloc(32, GFP_KERNEL);
  return { ...m, s };
}

describe('/proc/slabinfo', () => {
  it('prints the 2.1 header, the column line and one line per cache, newest first', () => {
    const { slab } = busyMachine();
    const lines = slabinfo(slab).split('\n');
    expect(lines[0]).toBe('slabinfo - version: 2.1');
    expect(lines[1]).toBe(
      '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
    );
    expect(lines[2]).toBe(
      'scsi_cmd_cache        32     52    300   13    1 : tunables    0    0    0 : slabdata      4      4      0',
    );
    expect(lines.some((l) => l.startsWith('kmalloc-96 '))).toBe(true);
    expect(lines.some((l) => l.startsWith('kmalloc-8k '))).toBe(true);
    expect(lines.at(-2)!.startsWith('kmem_cache_node ')).toBe(true);
    expect(lines.at(-1)).toBe('');
  });

  it('counts like SLUB: free objects of the CPU slab are active, partial ones are not', () => {
    const { slab, s } = busyMachine();
    const info = get_slabinfo(slab, s);
    expect(info.num_objs).toBe(52);
    expect(s.nr_allocated).toBe(30);
    expect(info.active_objs).toBe(52 - slab.count_partial_free(s));
  });
});

describe('slabtop', () => {
  it('prints the summary header lines slabtop shows', () => {
    const { slab } = busyMachine();
    const out = slabtop(slab).split('\n');
    const t = slabtop_summary(slab);
    expect(out[0]).toBe(
      ` Active / Total Objects (% used)    : ${t.nr_active_objs} / ${t.nr_objs} (${((100 * t.nr_active_objs) / t.nr_objs).toFixed(1)}%)`,
    );
    expect(out[1]).toMatch(/^ Active \/ Total Slabs \(% used\) {6}: \d+ \/ \d+ \(\d+\.\d%\)$/);
    expect(out[2]).toMatch(/^ Active \/ Total Caches \(% used\) {5}: \d+ \/ 29 \(\d+\.\d%\)$/);
    expect(out[3]).toMatch(/^ Active \/ Total Size \(% used\) {7}: [\d.]+K \/ [\d.]+K \(\d+\.\d%\)$/);
    expect(out[4]).toBe(
      ` Minimum / Average / Maximum Object : 0.01K / ${(t.avg_obj_size / 1024).toFixed(2)}K / 8.00K`,
    );
    expect(out[6]).toBe('  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME                   ');
  });

  // Done when: Debian's procps slabtop parses our /proc/slabinfo (bind-mounted over the real one
  // in a private mount namespace) and prints the same summary as our producer.
  const unshare = spawnSync('unshare', ['--mount', 'true']).status === 0;
  const slabtopBin = spawnSync('slabtop', ['--version']).status === 0;
  const why = !unshare
    ? 'skipped: `unshare --mount` is not available here (needs root or user namespaces)'
    : 'skipped: `slabtop` not installed (apt-get install procps)';
  it.skipIf(!unshare || !slabtopBin)(
    `parses with slabtop --once in a private mount namespace ${unshare && slabtopBin ? '' : `(${why})`}`,
    () => {
      const { slab } = busyMachine();
      const dir = mkdtempSync(join(tmpdir(), 'k-slabinfo-'));
      try {
        const file = join(dir, 'slabinfo');
        writeFileSync(file, slabinfo(slab));
        const out = execFileSync(
          'unshare',
          ['--mount', 'sh', '-c', `mount --bind '${file}' /proc/slabinfo && slabtop --once -s o`],
          { encoding: 'utf8', env: { ...process.env, COLUMNS: '200', LINES: '200' } },
        );
        const theirs = out.split('\n');
        const ours = slabtop(slab).split('\n');
        expect(theirs.slice(0, 5)).toEqual(ours.slice(0, 5));
        expect(theirs[6].trimEnd()).toBe(ours[6].trimEnd());
        expect(theirs.find((l) => l.includes('scsi_cmd_cache'))!.trimEnd()).toBe(
          ours.find((l) => l.includes('scsi_cmd_cache'))!.trimEnd(),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
