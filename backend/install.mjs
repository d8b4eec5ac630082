#!/usr/bin/env node
// `npm ci`: the Debian packages of the services gateway's data plane (nginx with its Lua module
// and Lua's JSON, backend/dataplane/). As root they are installed with apt-get; otherwise the
// missing ones are named and `npm ci` goes on: the backend then serves the port alone
// (services.dataPlane.mode auto), which works, at a lower rate of service calls.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PACKAGES = ['nginx-light', 'libnginx-mod-http-lua', 'lua-cjson'];
if (process.platform !== 'linux') process.exit(0);
const result = spawnSync('bash', [path.join(here, '..', 'scripts', 'ensure-system-deps.sh'), ...PACKAGES], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.warn("backend: the services gateway's data plane needs the packages above; the backend serves without it");
}
