// The README's two quick-start commands, runnable with only Node and npm:
//   npm start  -> install (frozen lockfile), build k-sim and what it needs, run `k-sim boot`
//   npm test   -> install (frozen lockfile), run every test in one vitest run
// Extra arguments after `--` go to k-sim (npm start -- boot --json) or vitest (npm test -- slab).
import { pnpm } from './pnpm.mjs';

const [job, ...rest] = process.argv.slice(2);

function step(args) {
  const status = pnpm(args);
  if (status !== 0) {
    console.error(`quickstart: \`pnpm ${args.join(' ')}\` failed with exit status ${status}`);
    process.exit(status);
  }
}

step(['install', '--frozen-lockfile', '--prefer-offline']);
if (job === 'boot') {
  step(['exec', 'turbo', 'run', 'build', '--filter=@k/sim...', '--output-logs=errors-only']);
  const simArgs = rest.length > 0 ? rest : ['boot'];
  process.exit(pnpm(['exec', 'node', 'apps/sim/dist/cli.js', ...simArgs]));
} else if (job === 'test') {
  process.exit(pnpm(['exec', 'vitest', 'run', ...rest]));
} else {
  console.error(`quickstart: unknown job "${job}" (expected "boot" or "test")`);
  process.exit(2);
}
