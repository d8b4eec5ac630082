import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** `npm run bench:vscode`: the extension's benchmark through the end-to-end harness (not part of `npm test`). */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: { alias: { '@aiplat/api': fileURLToPath(new URL('../../api/src/index.ts', import.meta.url)) } },
  test: {
    include: ['vscode-ext/e2e/**/*.bench.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
