// The README's example runs as written: its first ```ts block is written to a module next to this
// test (imports pointed at the sources) and imported; what it logs must be what the README shows.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const dir = __dirname;
const generated = join(dir, 'readme-example.generated.ts');

afterAll(() => rmSync(generated, { force: true }));

describe('README', () => {
  it('runs its example', async () => {
    const readme = readFileSync(join(dir, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    writeFileSync(
      generated,
      code
        .replace("from '@k/x86-cpu'", "from '../../x86-cpu/src/memory.js'")
        .replace("from '@k/freebsd-malloc'", "from '../src/index.js'"),
    );
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => {
      logged.push(s);
    });
    try {
      await import(/* @vite-ignore */ generated);
    } finally {
      spy.mockRestore();
    }
    const shown = code
      .split('\n')
      .filter((l) => l.startsWith('//  '))
      .map((l) => l.slice(3));
    expect(logged[0].split('\n').slice(0, shown.length)).toEqual(shown);
  });
});
