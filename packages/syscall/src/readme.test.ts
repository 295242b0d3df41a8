// The README's examples run as written: each ```ts block with `console.log(...); // → expected`
// lines is executed and must print exactly those lines (as the repository's runner does).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map(([, code]) => ({
    code,
    expected: [...code.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1]),
  }))
  .filter((b) => b.expected.length > 0);

describe('README examples', () => {
  it('has runnable examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });
  for (const [i, block] of blocks.entries()) {
    it(`example ${i + 1} prints what the README says`, async () => {
      const file = join(__dirname, `.readme-example-local-${i}.ts`);
      const body = block.code.replace(/console\.log\(/g, '__log(');
      const imports = body.match(/^import .*$/gm)?.join('\n') ?? '';
      const rest = body.replace(/^import .*$/gm, '');
      writeFileSync(
        file,
        `${imports}\nexport function main(__log: (...a: unknown[]) => void) {\n${rest}\n}\n`,
      );
      try {
        const lines: string[] = [];
        const mod = await import(file);
        mod.main((...args: unknown[]) => lines.push(args.map(String).join(' ')));
        expect(lines).toEqual(block.expected);
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
});
