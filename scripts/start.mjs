#!/usr/bin/env node
// `npm start`: builds what the platform needs, then runs it (backend/dist/main.js) until stopped.
// - The TypeScript packages, every time (tsc -b: seconds when nothing changed).
// - On a first start, what the dev machine's IDEs need (npm run build: JupyterLab's host and its
//   venv, both extensions), unless AIPLAT_DEV_MACHINE=off. When that cannot be built here (a
//   missing Debian package, say) it says so and the platform starts all the same: the API works,
//   and the dev machine's failure names what is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

if (!run('npx', ['tsc', '-b'])) process.exit(1);

const devMachineOff = ['off', 'false', '0', 'no'].includes((process.env.AIPLAT_DEV_MACHINE ?? '').toLowerCase());
const ideParts = [
  'jupyterlab-host/build/venv/bin/python',
  'jupyterlab-host/build/static',
  'jupyterlab-ext/labextension/package.json',
  'vscode-ext/dist/main.js',
];
const missing = ideParts.filter((part) => !existsSync(path.join(root, part)));
if (!devMachineOff && missing.length > 0) {
  process.stdout.write('First start: building JupyterLab and VS Code for your dev machine (a few minutes, once)...\n');
  if (!run(npm, ['run', 'build'])) {
    process.stdout.write(
      'The IDEs could not be built (see above); starting the platform without them: your dev machine will say what is missing.\n',
    );
  }
}

const backend = spawn(process.execPath, [path.join(root, 'backend', 'dist', 'main.js')], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl+C reaches the backend from the terminal; a signal sent to this process alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => backend.kill(signal));
backend.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
