#!/usr/bin/env node
// Builds the Python wheel that ships the extension (pyproject.toml): labextension/ as data files
// into share/jupyter/labextensions/@aiplat/jupyterlab-ext/ with install.json, and the translations
// in the aiplat_jupyterlab_ext module. Offline, with Debian's python3-build and python3-hatchling
// (scripts/ensure-system-deps.sh): `python3 -m build --wheel --no-isolation`. Debian's hatchling
// declares `editables` (only used for editable installs, not packaged in Debian), hence
// --skip-dependency-check. Output: dist/aiplat_jupyterlab_ext-<version>-py3-none-any.whl (the only
// wheel there). Usage: node scripts/build-wheel.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(extensionDir, 'dist');
const python = '/usr/bin/python3';

if (!existsSync(path.join(extensionDir, 'labextension', 'package.json'))) {
  console.error('build-wheel: no labextension/ yet: run `npm run build:labextension` first');
  process.exit(1);
}
const check = spawnSync(python, ['-c', 'import build, hatchling'], { stdio: 'ignore' });
if (check.status !== 0) {
  console.error(
    'build-wheel: needs Debian python3-build and python3-hatchling (scripts/ensure-system-deps.sh installs them)',
  );
  process.exit(1);
}
if (existsSync(distDir))
  for (const name of readdirSync(distDir)) if (name.endsWith('.whl')) rmSync(path.join(distDir, name));
const result = spawnSync(
  python,
  ['-m', 'build', '--wheel', '--no-isolation', '--skip-dependency-check', '--outdir', distDir, extensionDir],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (result.status !== 0) {
  console.error('build-wheel: python3 -m build failed');
  process.exit(result.status || 1);
}
console.log(
  `jupyterlab-ext: built ${readdirSync(distDir)
    .filter((name) => name.endsWith('.whl'))
    .join(', ')}`,
);
