#!/usr/bin/env node
// Installs the extension into the e2e host as users install it: `pip install` of its wheel
// (jupyterlab-ext/dist/*.whl, built by `npm run build -w jupyterlab-ext`) into build/venv, a venv
// of Debian's Python with --system-site-packages (so Debian's jupyter_server, jupyterlab_server and
// ipykernel are there). pip runs offline (--no-index --no-deps). serve.py run by build/venv/bin/python
// loads the extension from build/venv/share/jupyter/labextensions. Also puts labextension.py on the
// venv's bin as `jupyter-labextension`, beside a `jupyter` (`build/venv/bin/jupyter labextension list`).
// Reinstalls only when the wheel changed. Usage: node install-extension.mjs [--force]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const venv = path.join(here, 'build', 'venv');
const python = path.join(venv, 'bin', 'python');
const wheelDir = path.join(here, '..', 'jupyterlab-ext', 'dist');

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`install-extension: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

const wheels = existsSync(wheelDir) ? readdirSync(wheelDir).filter((name) => name.endsWith('.whl')) : [];
if (wheels.length !== 1) {
  console.error(
    `install-extension: expected one wheel in ${wheelDir}, found ${wheels.length}: build it first (npm run build -w jupyterlab-ext)`,
  );
  process.exit(1);
}
const wheel = path.join(wheelDir, wheels[0]);
const digest = createHash('sha256').update(readFileSync(wheel)).digest('hex');
const stamp = path.join(venv, 'aiplat-wheel.sha256');
if (!process.argv.includes('--force') && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  console.log('jupyterlab-host: the extension wheel is installed already');
  process.exit(0);
}
if (!existsSync(python)) run('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', '--without-pip', venv]);
// Debian's pip (python3-pip) from the system site packages, installing into the venv.
run(python, [
  '-m',
  'pip',
  'install',
  '--no-index',
  '--no-deps',
  '--force-reinstall',
  '--no-cache-dir',
  '--disable-pip-version-check',
  '--quiet',
  wheel,
]);
// `jupyter` as pip writes it for jupyter_core's entry point (Debian's jupyter_core, from the system
// site packages): it finds `jupyter-<subcommand>` beside itself.
const scripts = {
  jupyter: `#!${python}\nimport sys\nfrom jupyter_core.command import main\nsys.exit(main())\n`,
  'jupyter-labextension': `#!/bin/sh\nexec "${python}" "${path.join(here, 'labextension.py')}" "$@"\n`,
};
for (const [name, text] of Object.entries(scripts)) {
  writeFileSync(path.join(venv, 'bin', name), text);
  chmodSync(path.join(venv, 'bin', name), 0o755);
}
writeFileSync(stamp, digest);
console.log(`jupyterlab-host: installed ${wheels[0]} into ${venv}`);
