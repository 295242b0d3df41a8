// Node module hooks for `pnpm bench`: benchmarks run from source like the tests do. `@k/<pkg>`
// resolves to that package's src/index.ts (tsx compiles it), and guest binaries (*.bin) load as
// Uint8Array, as tsup and vitest load them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = new Map();
for (const group of ['packages', 'apps']) {
  for (const dir of readdirSync(join(root, group))) {
    try {
      const { name } = JSON.parse(readFileSync(join(root, group, dir, 'package.json'), 'utf8'));
      sources.set(name, pathToFileURL(join(root, group, dir, 'src', 'index.ts')).href);
    } catch {
      // not a package
    }
  }
}

export async function resolve(specifier, context, nextResolve) {
  // Hand the source path on, so tsx resolves (and later compiles) it as one of its own.
  return nextResolve(sources.get(specifier) ?? specifier, context);
}

export async function load(url, context, nextLoad) {
  const file = new URL(url);
  if (file.protocol !== 'file:' || !file.pathname.endsWith('.bin')) return nextLoad(url, context);
  file.search = ''; // tsx tags the URLs it resolves with a query
  const b64 = readFileSync(fileURLToPath(file)).toString('base64');
  return {
    format: 'module',
    shortCircuit: true,
    source: `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));`,
  };
}
