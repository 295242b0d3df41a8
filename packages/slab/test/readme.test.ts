// The README's example runs as written: every `console.log(...); // → text` line prints `text`.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('runs the README example and prints what it says', async () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
  const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1]);
  expect(expected.length).toBeGreaterThan(3);
  const body = code.replace(/console\.log\(/g, '__log(');
  const imports = body.match(/^import [\s\S]*?;$/gm)!.join('\n');
  const file = join(__dirname, '.readme-example.ts');
  writeFileSync(
    file,
    `${imports}\nexport function main(__log: (...a: unknown[]) => void) {\n${body.replace(/^import [\s\S]*?;$/gm, '')}\n}\n`,
  );
  try {
    const lines: string[] = [];
    const mod = await import(file);
    mod.main((...args: unknown[]) => lines.push(args.map(String).join(' ')));
    expect(lines).toEqual(expected);
  } finally {
    rmSync(file, { force: true });
  }
});
