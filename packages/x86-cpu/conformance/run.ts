// CLI: `pnpm --filter @k/x86-cpu conformance [DIR] [--json FILE] [--only 80,F6] [--verbose]`.
// Prints a per-opcode pass/fail table and, last, `conformance: P/N passed (X.XX%)`.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultDir, runConformance } from './harness.js';

const args = process.argv.slice(2);
let dir: string | undefined;
let json: string | undefined;
let only: string[] | undefined;
let verbose = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--json') json = args[++i];
  else if (a === '--only') only = args[++i]?.split(',');
  else if (a === '--verbose' || a === '-v') verbose = true;
  else if (a === '--help' || a === '-h') {
    console.log('usage: conformance [DIR] [--json FILE] [--only OPCODES] [--verbose]');
    process.exit(0);
  } else if (a.startsWith('-')) {
    console.error(`conformance: unknown option ${a}`);
    process.exit(2);
  } else dir = resolve(a);
}
dir ??= defaultDir();
const started = Date.now();
const r = runConformance(dir, { only });
console.log('opcode    passed/total  expected-fail  unexpected-fail');
for (const o of r.opcodes) {
  const mark = o.unexpected ? 'FAIL' : 'ok';
  console.log(
    `${o.opcode.padEnd(8)} ${String(o.passed).padStart(6)}/${String(o.total).padEnd(6)} ${String(o.expected).padStart(8)}  ${String(o.unexpected).padStart(8)}  ${mark}`,
  );
  if (verbose) for (const s of o.samples) console.log(`    ${s}`);
}
if (json) writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
console.log(
  `expected failures: ${r.expected}, unexpected failures: ${r.unexpected}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
const pct = r.total ? (100 * r.passed) / r.total : 0;
console.log(`conformance: ${r.passed}/${r.total} passed (${pct.toFixed(2)}%)`);
process.exitCode = r.unexpected ? 1 : 0;
