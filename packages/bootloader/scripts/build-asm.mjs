#!/usr/bin/env node
// Reassembles every guest binary listed in ../asm.json with nasm (run from the package folder:
// `pnpm run build:asm`). The .bin files are committed, so only people changing .asm need nasm.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = JSON.parse(readFileSync(join(pkg, 'asm.json'), 'utf8'));
for (const e of entries) {
  const args = ['-f', 'bin', '-w+error', '-o', e.output];
  if (e.include) args.push('-I', e.include);
  for (const d of e.defines ?? []) args.push(`-D${d}`);
  args.push(e.source);
  execFileSync('nasm', args, { cwd: pkg, stdio: 'inherit' });
  console.log(`nasm ${args.join(' ')}`);
}
