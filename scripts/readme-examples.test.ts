// Every README example that states its output runs as written: a ```ts block in a package README
// whose console.log lines end in `// → expected` is executed, and each logged line must equal the
// expected text. Blocks without such markers are illustrations and are not run.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const readmes = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group)).map((dir) => join(root, group, dir)),
);

interface Example {
  dir: string;
  code: string;
  expected: string[];
}

function examples(dir: string): Example[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'README.md'), 'utf8');
  } catch {
    return [];
  }
  const found: Example[] = [];
  for (const [, code] of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1]);
    if (expected.length > 0) found.push({ dir, code, expected });
  }
  return found;
}

const all = readmes.flatMap(examples);

describe('README examples', () => {
  it('finds the examples to run', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  for (const [i, example] of all.entries()) {
    const name = example.dir.slice(root.length + 1);
    it(`${name} example ${i + 1} prints what its README says`, async () => {
      const file = join(example.dir, 'src', `.readme-example-${i}.ts`);
      const body = example.code.replace(/console\.log\(/g, '__readmeLog(');
      const imports = body.match(/^import .*$/gm)?.join('\n') ?? '';
      const rest = body.replace(/^import .*$/gm, '');
      writeFileSync(
        file,
        `${imports}\nexport async function main(__readmeLog: (...a: unknown[]) => void) {\n${rest}\n}\n`,
      );
      try {
        const lines: string[] = [];
        const mod = await import(file);
        await mod.main((...args: unknown[]) => lines.push(args.map(String).join(' ')));
        expect(lines).toEqual(example.expected);
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
});
