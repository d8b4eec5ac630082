import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against the contract's sources, so no test sees a stale build.
    alias: { '@aiplat/api': fileURLToPath(new URL('./api/src/index.ts', import.meta.url)) },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{api,backend,bench,jupyterlab-ext,vscode-ext}/src/**/*.test.{ts,tsx}'] },
      },
      {
        // JupyterLab in headless Chromium (jupyterlab-ext/e2e/harness.ts): each file starts a backend, a
        // Jupyter server with kernels and a browser, so one file at a time, after the unit tests.
        extends: true,
        test: {
          name: 'jupyterlab-e2e',
          include: ['jupyterlab-ext/e2e/**/*.e2e.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // VS Code (code-server from vscode-host/) in headless Chromium with the packaged .vsix
        // (vscode-ext/e2e/harness.ts): a backend, a code-server with its extension host and a browser
        // per file, so one file at a time, after the JupyterLab ones.
        extends: true,
        test: {
          name: 'vscode-e2e',
          include: ['vscode-ext/e2e/**/*.e2e.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
