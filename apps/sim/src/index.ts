export { parseSize } from './boot.js';
export { buildProgram, type CliIO, run } from './program.js';
