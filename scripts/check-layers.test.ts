import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayers } from './check-layers.mjs';
import { allowedDependencies } from './layers.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'k-layers-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const pkg = (name: string, deps: Record<string, string> = {}) => JSON.stringify({ name, dependencies: deps });

describe('layer check', () => {
  it('passes on the real repository', () => {
    expect(checkLayers(join(__dirname, '..'))).toEqual([]);
  });

  it('fails when a lower package imports a higher one', () => {
    const root = workspace({
      'packages/page-alloc/package.json': pkg('@k/page-alloc'),
      'packages/page-alloc/src/index.ts': "import { kmalloc } from '@k/slab';\n",
      'packages/slab/package.json': pkg('@k/slab', { '@k/page-alloc': 'workspace:^' }),
      'packages/slab/src/index.ts': "export * from '@k/page-alloc';\n",
    });
    const violations = checkLayers(root);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain('packages/page-alloc/src/index.ts imports @k/slab (layer 2)');
  });

  it('fails on an upward dependency in package.json and a dynamic import', () => {
    const root = workspace({
      'packages/x86-cpu/package.json': pkg('@k/x86-cpu', { '@k/kernel': 'workspace:^' }),
      'packages/x86-cpu/src/index.ts': "export const k = () => import('@k/kernel');\n",
    });
    const violations = checkLayers(root);
    expect(violations.some((v) => v.includes('package.json dependencies lists @k/kernel'))).toBe(true);
    expect(violations.some((v) => v.includes('src/index.ts imports @k/kernel'))).toBe(true);
  });

  it('fails on a sideways import the architecture does not allow', () => {
    const root = workspace({
      'packages/slab/package.json': pkg('@k/slab'),
      'packages/slab/src/x.ts': "import { malloc } from '@k/freebsd-malloc';\n",
    });
    expect(checkLayers(root)[0]).toContain('imports @k/freebsd-malloc');
  });

  it('rejects a package missing from the table', () => {
    const root = workspace({ 'packages/extra/package.json': pkg('@k/extra') });
    expect(checkLayers(root)[0]).toContain('not in the layer table');
  });

  it('allows transitive downward dependencies', () => {
    expect([...allowedDependencies('@k/syscall')].sort()).toEqual([
      '@k/irq',
      '@k/page-alloc',
      '@k/slab',
      '@k/x86-cpu',
    ]);
    expect(allowedDependencies('@k/x86-cpu').size).toBe(0);
  });
});
