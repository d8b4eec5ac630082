import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/*
 * testing/ is not a package, so a bare import there resolves from the root's node_modules, which
 * lacks what only the backend installs (client-node; ajv 8, where the root has ajv 6). Like
 * testing/tsconfig.json's `paths`, resolve those from backend/: one copy of client-node, so a
 * KubeConfig from the fake API server is the backend's own.
 */
const TESTING_SRC = fileURLToPath(new URL('./testing/src/', import.meta.url));
const BACKEND_PACKAGE = fileURLToPath(new URL('./backend/package.json', import.meta.url));
const BACKEND_ONLY = new Set(['@kubernetes/client-node', 'ajv']);
const testingResolvesFromBackend: Plugin = {
  name: 'testing-resolves-from-backend',
  enforce: 'pre',
  resolveId(source, importer, options) {
    if (!importer?.startsWith(TESTING_SRC) || !BACKEND_ONLY.has(source)) return null;
    return this.resolve(source, BACKEND_PACKAGE, { ...options, skipSelf: true });
  },
};

export default defineConfig({
  plugins: [testingResolvesFromBackend],
  resolve: {
    // Tests run against the contract's sources, so no test sees a stale build.
    alias: { '@aiplat/api': fileURLToPath(new URL('./api/src/index.ts', import.meta.url)) },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{api,backend,bench,jupyterlab-ext,vscode-ext,testing}/src/**/*.test.{ts,tsx}'],
        },
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
    // Vitest's default is one file fewer than the CPUs: on CI's 2 CPUs, one file at a time, though
    // most of the unit files wait on processes, servers and timers. Two or more at once (the e2e
    // projects stay one file at a time, fileParallelism above) took the unit project here from
    // about 1,030 s to 555 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
