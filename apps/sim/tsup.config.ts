// k-sim differs from the shared config only in having a second entry: the `k-sim` executable.
import { defineConfig } from 'tsup';
import shared from '../../tsup.config';

export default defineConfig({ ...shared, entry: ['src/index.ts', 'src/cli.ts'] });
