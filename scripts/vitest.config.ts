import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'repo', root: __dirname, include: ['*.test.ts'] },
});
