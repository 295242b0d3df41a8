import { defineProject } from 'vitest/config';
import { binaryLoader, workspaceAliases } from '../vitest.shared';

export default defineProject({
  plugins: [binaryLoader()],
  resolve: { alias: workspaceAliases() },
  test: { name: 'repo', root: __dirname, include: ['*.test.ts'], testTimeout: 60_000 },
});
