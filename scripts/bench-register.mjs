// `tsx --import ../../scripts/bench-register.mjs bench/index.ts`: installs bench-hooks.mjs.
import { register } from 'node:module';

register('./bench-hooks.mjs', import.meta.url);
