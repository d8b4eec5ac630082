import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/lib/**',
      '**/*.d.ts',
      '.work/**',
      '.data/**',
      'jupyterlab-ext/labextension/**',
      'jupyterlab-ext/e2e/artifacts/**',
      'jupyterlab-host/build/**',
      '**/.vscode-test/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Test fixtures that are VS Code extensions in plain CommonJS, as the extension host loads them.
    files: ['vscode-ext/e2e/fixtures/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The JupyterLab test host's bundle entry runs in the browser.
    files: ['jupyterlab-host/src/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aiplat/backend', '@aiplat/backend/*'],
              message: 'nothing imports the backend: talk to it through @aiplat/api',
            },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks measure the backend's own modules directly.
    files: ['bench/src/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The contract runs in browsers and VS Code: no Node-only imports, nothing host-specific.
    files: ['api/src/**/*.ts'],
    ignores: ['api/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'crypto', 'stream', 'os', 'child_process'],
              message: 'api/ must run in a browser: no Node-only imports',
            },
            {
              group: ['@jupyterlab/*', '@lumino/*', 'vscode', 'express', 'ws', '@aiplat/*'],
              message: 'api/ imports nothing host-specific',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
