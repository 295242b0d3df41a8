import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultDir, runConformance } from '../../conformance/harness.js';

const dir = defaultDir();

describe.skipIf(!existsSync(dir))('conformance against the recorded 286 slice', () => {
  it('passes >= 99.5% of a deterministic sample (every 5th test), every failure an expected one', () => {
    const r = runConformance(dir, { stride: Number(process.env.K_CONFORMANCE_STRIDE ?? 5) });
    const unexpected = r.opcodes.filter((o) => o.unexpected > 0).map((o) => `${o.opcode}: ${o.samples[0]}`);
    expect(unexpected).toEqual([]);
    expect(r.total).toBeGreaterThan(20000);
    expect(r.passed / r.total).toBeGreaterThanOrEqual(0.995);
  }, 300_000);
});
