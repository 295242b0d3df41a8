import { describe, expect, it } from 'vitest';
import { enterMode, type FuzzMode, fuzzMachine } from './fuzzMachine.js';

// K_FUZZ_INSTRUCTIONS raises the per-mode budget for a longer run on demand.
const BUDGET = Number(process.env.K_FUZZ_INSTRUCTIONS ?? 1_000_000);
const MODES: FuzzMode[] = ['real', 'pm16', 'flat32', 'paged-ring3'];

describe('executing random bytes never throws a host exception', () => {
  for (const [i, mode] of MODES.entries()) {
    it(`${mode}: ${BUDGET} instructions`, () => {
      const { m, r } = fuzzMachine(mode, 0x5eed + i);
      let done = 0;
      let rounds = 0;
      enterMode(m, mode, r);
      expect(m.cpu.cpl).toBe(mode === 'paged-ring3' ? 3 : 0);
      while (done < BUDGET) {
        enterMode(m, mode, r);
        done += m.cpu.run(1000);
        rounds++;
      }
      expect(done).toBeGreaterThanOrEqual(BUDGET);
      expect(rounds).toBeGreaterThan(0);
    }, 600_000);
  }
});
