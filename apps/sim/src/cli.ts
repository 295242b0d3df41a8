#!/usr/bin/env node
import { run } from './program.js';

run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((status) => {
  process.exitCode = status;
});
