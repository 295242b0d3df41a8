// Fails when a workspace package depends on, or imports, a package it may not (see layers.mjs):
// an upward import, a sideways one the architecture does not allow, or an unknown package.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowedDependencies, LAYERS } from './layers.mjs';

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](@k\/[a-z0-9-]+)/gm;
const SOURCE_DIRS = ['src', 'bench', 'test'];

function* sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(c|m)?[jt]sx?$/.test(entry)) yield path;
  }
}

function workspacePackages(root) {
  const found = [];
  for (const group of ['packages', 'apps']) {
    let dirs = [];
    try {
      dirs = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const dir of dirs) {
      const pkgDir = join(root, group, dir);
      try {
        const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
        found.push({ dir: pkgDir, pkg });
      } catch {
        // a folder without package.json is not a package
      }
    }
  }
  return found;
}

/** Returns one message per violation in the workspace at `root`; empty when the layering holds. */
export function checkLayers(root, table = LAYERS) {
  const violations = [];
  for (const { dir, pkg } of workspacePackages(root)) {
    const name = pkg.name;
    const where = relative(root, dir);
    if (!(name in table)) {
      violations.push(`${where}: package ${name} is not in the layer table (scripts/layers.mjs)`);
      continue;
    }
    const allowed = allowedDependencies(name, table);
    const describe = (dep) =>
      `${dep} (layer ${table[dep]?.layer ?? '?'}) from ${name} (layer ${table[name].layer}); ` +
      `${name} may depend only on ${[...allowed].join(', ') || 'no other @k package'}`;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dep of Object.keys(pkg[field] ?? {})) {
        if (dep.startsWith('@k/') && !allowed.has(dep)) {
          violations.push(`${where}/package.json ${field} lists ${describe(dep)}`);
        }
      }
    }
    for (const sub of SOURCE_DIRS) {
      for (const file of sourceFiles(join(dir, sub))) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(IMPORT_RE)) {
          const dep = match[1];
          if (dep !== name && !allowed.has(dep)) {
            violations.push(`${relative(root, file)} imports ${describe(dep)}`);
          }
        }
      }
    }
  }
  return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..');
  const violations = checkLayers(root);
  for (const v of violations) console.error(`layer check: ${v}`);
  if (violations.length > 0) {
    console.error(`layer check: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log('layer check: every package depends only downward');
}
