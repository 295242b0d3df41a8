// The benchmark harness shared by the allocator benchmarks (@k/slab, @k/freebsd-malloc): tinybench
// tasks that each run `n` allocate+free pairs per iteration, reported as median pairs per second.

import { Bench } from 'tinybench';

export interface PairBench {
  /** Adds a task whose every iteration makes `n` allocate+free pairs. */
  task(name: string, n: number, fn: () => void): void;
  /** Runs every task, prints the medians as a table and returns pairs per second by task name. */
  run(): Promise<Record<string, number>>;
}

export function pairBench(): PairBench {
  const bench = new Bench({ time: 1000, iterations: 10, warmupTime: 200, warmupIterations: 2 });
  const pairs: Record<string, number> = {};
  return {
    task(name, n, fn) {
      pairs[name] = n;
      bench.add(name, fn);
    },
    async run() {
      await bench.run();
      const rows: Record<string, string>[] = [];
      const rate: Record<string, number> = {};
      for (const t of bench.tasks) {
        const ms = t.result?.latency.p50 ?? Number.NaN;
        rate[t.name] = pairs[t.name] / (ms / 1000);
        rows.push({
          task: t.name,
          'median ms/iter': ms.toFixed(3),
          'median pairs/s': `${(rate[t.name] / 1e6).toFixed(2)} M`,
        });
      }
      console.table(rows);
      return rate;
    },
  };
}
