// The one tsup configuration every package builds with (`tsup --config ../../tsup.config.ts`).
// ESM + CJS + .d.ts; guest binaries (*.bin, assembled from nasm sources committed beside them)
// are embedded as Uint8Array so a package needs no file-system access at run time.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
  loader: { '.bin': 'binary' },
});
