#!/usr/bin/env node
// `npm ci`: the Debian packages a dev machine's JupyterLab runs on (Debian's jupyter_server and
// kernel) and that `npm run build` makes its venv and our extension's wheel with. As root they are
// installed with apt-get; otherwise the missing ones are named and `npm ci` goes on: the platform
// runs without them, and `npm start` says its dev machine's JupyterLab cannot start, and why.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PACKAGES = [
  'python3-jupyter-server',
  'python3-jupyterlab-server',
  'python3-ipykernel',
  'python3-build',
  'python3-hatchling',
  'python3-venv',
  'python3-pip',
];
if (process.platform !== 'linux') process.exit(0);
const result = spawnSync('bash', [path.join(here, '..', 'scripts', 'ensure-system-deps.sh'), ...PACKAGES], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.warn(
    "jupyterlab-host: dev machines' JupyterLab needs the packages above; the rest of the platform works without them",
  );
}
