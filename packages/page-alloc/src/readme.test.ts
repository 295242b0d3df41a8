// Runs the README's first code block as written (imports bound to this package's source).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhysicalMemory } from '@k/x86-cpu';
import { expect, it } from 'vitest';
import * as pageAlloc from './index.js';

it('the README example runs and prints what it says', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)![1];
  const body = block
    .split('\n')
    .filter((l) => !l.startsWith('import '))
    .join('\n');
  const out: string[] = [];
  const names = ['PhysicalMemory', 'console', ...Object.keys(pageAlloc)];
  const values = [PhysicalMemory, { log: (s: string) => out.push(String(s)) }, ...Object.values(pageAlloc)];
  new Function(...names, body)(...values);
  expect(out[0]).toBe('c3c00000');
  expect(out[1]).toMatch(/^Node 0, zone {6}DMA/);
});
