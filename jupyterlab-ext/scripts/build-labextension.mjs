#!/usr/bin/env node
// Builds the prebuilt (federated) extension into labextension/ with @jupyter/builder's
// build-labextension, against JupyterLab 4.6.4's core package file. The package has no `bin`, so
// its script and the core file are resolved from wherever npm placed them.
// Usage: node scripts/build-labextension.mjs [--development]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(extensionDir, 'package.json'));
const builderDir = path.dirname(require.resolve('@jupyter/builder/package.json'));
const corePackageFile = require.resolve('@jupyterlab/core-meta/core.package.json');
const result = spawnSync(
  process.execPath,
  [
    path.join(builderDir, 'lib', 'build-labextension.js'),
    '--core-package-file',
    corePackageFile,
    ...process.argv.slice(2),
    extensionDir,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
