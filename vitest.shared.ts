// Shared vitest setup: tests import sibling workspace packages from source (no build needed),
// and guest binaries (*.bin) load as Uint8Array exactly as tsup embeds them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineProject } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

export function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const group of ['packages', 'apps']) {
    for (const dir of readdirSync(join(root, group))) {
      try {
        const pkg = JSON.parse(readFileSync(join(root, group, dir, 'package.json'), 'utf8'));
        aliases[pkg.name] = join(root, group, dir, 'src', 'index.ts');
      } catch {
        // not a package folder
      }
    }
  }
  return aliases;
}

/** Loads `*.bin` as a Uint8Array, matching tsup's `binary` loader. */
export function binaryLoader(): Plugin {
  return {
    name: 'k-binary-loader',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('.bin')) return null;
      const b64 = readFileSync(id).toString('base64');
      return `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));`;
    },
  };
}

export function kProject(dir: string, overrides: { testTimeout?: number } = {}) {
  const name = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')).name as string;
  return defineProject({
    plugins: [binaryLoader()],
    resolve: { alias: workspaceAliases() },
    test: {
      name,
      root: dir,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
    },
  });
}
