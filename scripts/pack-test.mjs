// Packaging test: `pnpm pack` every workspace package, check each tarball with publint and
// @arethetypeswrong/cli, then install it (with the tarballs of the @k packages it depends on, which
// are not on the registry) into a fresh temporary project with plain npm, and load it from both ESM
// (`import`) and CommonJS (`require`). Run after `turbo run build`. Exits non-zero on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, repoRoot } from './pnpm.mjs';

const work = mkdtempSync(join(tmpdir(), 'k-pack-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);

function packages() {
  const found = [];
  for (const group of ['packages', 'apps']) {
    for (const dir of readdirSync(join(repoRoot, group))) {
      const pkgDir = join(repoRoot, group, dir);
      try {
        const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
        if (!pkg.private) found.push({ dir: pkgDir, pkg });
      } catch {
        // not a package
      }
    }
  }
  return found;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

const all = packages();
const byName = new Map(all.map((p) => [p.pkg.name, p]));
const tarballOf = new Map();
for (const { dir, pkg } of all) {
  const out = execFileSync(
    join(repoRoot, '.tools/node_modules/.bin/pnpm'),
    ['pack', '--pack-destination', tarballs],
    {
      cwd: dir,
      env,
      encoding: 'utf8',
    },
  );
  const file = out.trim().split('\n').pop().trim();
  tarballOf.set(pkg.name, file.startsWith('/') ? file : join(tarballs, file));
}

function internalClosure(name, seen = new Set()) {
  for (const dep of Object.keys(byName.get(name).pkg.dependencies ?? {})) {
    if (byName.has(dep) && !seen.has(dep)) {
      seen.add(dep);
      internalClosure(dep, seen);
    }
  }
  return seen;
}

const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;
function check(label, result) {
  if (result.ok) {
    passed++;
    console.log(`  ok   ${label}`);
  } else {
    failed++;
    console.log(`  FAIL ${label}\n${result.output.replace(/^/gm, '       ')}`);
  }
}

for (const { pkg } of all) {
  const name = pkg.name;
  const tgz = tarballOf.get(name);
  console.log(`${name} (${tgz.split('/').pop()})`);
  check('publint', run(bin('publint'), ['run', '--strict', tgz], work));
  check('attw', run(bin('attw'), [tgz, '--format', 'ascii'], work));

  const project = join(work, `project-${name.replace('/', '-')}`);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }),
  );
  const deps = [...internalClosure(name)].map((d) => tarballOf.get(d));
  const install = run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', tgz, ...deps],
    project,
  );
  check('npm install from tarballs', install);
  if (!install.ok) continue;
  const exportsCount = `Object.keys(m).filter((k) => k !== 'default').length`;
  writeFileSync(
    join(project, 'esm.mjs'),
    `import * as m from '${name}';\nif (${exportsCount} === 0) throw new Error('no exports');\nconsole.log(${exportsCount});\n`,
  );
  writeFileSync(
    join(project, 'cjs.cjs'),
    `const m = require('${name}');\nif (${exportsCount} === 0) throw new Error('no exports');\nconsole.log(${exportsCount});\n`,
  );
  const esm = run('node', ['esm.mjs'], project);
  const cjs = run('node', ['cjs.cjs'], project);
  check(`import (ESM): ${esm.output.split('\n').pop()} exports`, esm);
  check(`require (CJS): ${cjs.output.split('\n').pop()} exports`, cjs);
  if (pkg.bin) {
    for (const cmd of Object.keys(pkg.bin)) {
      check(`bin ${cmd} --help`, run(join(project, 'node_modules', '.bin', cmd), ['--help'], project));
    }
  }
}

rmSync(work, { recursive: true, force: true });
console.log(`packaging: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
