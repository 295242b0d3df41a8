// Runs the pinned pnpm (package.json "packageManager") on a machine that has only Node and npm.
// The pinned version is installed once with npm into .tools/ (git-ignored) and put first on PATH,
// so turbo and package scripts find the same `pnpm`. (Corepack would do the same, but the one in
// Node 20 checks registry signatures against keys that can be older than the registry's.)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(repoRoot, '.tools');
const binDir = join(toolsDir, 'node_modules', '.bin');

export function pinnedPnpm() {
  const { packageManager } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(packageManager ?? '');
  if (!match) throw new Error(`package.json packageManager must be "pnpm@x.y.z", got ${packageManager}`);
  return match[1];
}

function installedVersion() {
  try {
    return JSON.parse(readFileSync(join(toolsDir, 'node_modules', 'pnpm', 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

export const env = {
  ...process.env,
  PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
};

function ensurePnpm() {
  const version = pinnedPnpm();
  if (installedVersion() === version && existsSync(join(binDir, 'pnpm'))) return;
  console.error(`setting up pnpm ${version} in .tools/ (once)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(
    npm,
    ['install', '--prefix', toolsDir, '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${version}`],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    throw new Error(`could not install pnpm@${version} with npm (exit status ${result.status})`);
  }
}

/** Runs pnpm with `args` in the repo root, inheriting stdio; returns the exit status. */
export function pnpm(args, options = {}) {
  ensurePnpm();
  const result = spawnSync(join(binDir, 'pnpm'), args, { cwd: repoRoot, env, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(pnpm(process.argv.slice(2)));
}
