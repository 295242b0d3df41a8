// A Node module hook so `tsx bench/...` can import the guest binaries (*.bin) as Uint8Array,
// as tsup and vitest do.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.bin')) return nextLoad(url, context);
  const b64 = readFileSync(fileURLToPath(url)).toString('base64');
  return {
    format: 'module',
    shortCircuit: true,
    source: `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));`,
  };
}
