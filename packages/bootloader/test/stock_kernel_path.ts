// Where the Debian stock kernel is, for the tests and the benchmark: K_STOCK_KERNEL=path, else the
// git-ignored cache that scripts/fetch-debian-kernel.sh fills.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The cache folder scripts/fetch-debian-kernel.sh fills. */
export const STOCK_KERNEL_CACHE = fileURLToPath(new URL('../../../.cache/debian-kernel', import.meta.url));

/** The stock kernel's path, or null when there is none. */
export function findStockKernel(): string | null {
  const env = process.env.K_STOCK_KERNEL;
  if (env) return existsSync(env) ? env : null;
  if (!existsSync(STOCK_KERNEL_CACHE)) return null;
  const name = readdirSync(STOCK_KERNEL_CACHE).find((f) => f.startsWith('vmlinuz-'));
  return name ? join(STOCK_KERNEL_CACHE, name) : null;
}
