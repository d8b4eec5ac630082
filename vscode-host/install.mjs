#!/usr/bin/env node
// Finishes code-server's installation offline-safely, in place of its own postinstall (denied in the
// root package.json's allowScripts), because that one cannot run unattended here:
//  - it refuses to run as root unless npm_config_unsafe_perm=true (node-pty's node-gyp build);
//  - its nested `npm install` in lib/vscode builds kerberos from source (Debian's libkrb5-dev,
//    installed by scripts/ensure-system-deps.sh) and runs @vscode/ripgrep's postinstall, which
//    downloads `rg` from GitHub: we pre-seed that download's cache with the `rg` of the npm package
//    @vscode/ripgrep-linux-x64, so nothing is fetched from outside the npm registry.
//  - argon2 (code-server's password hashing) would first try to download a prebuilt binary from
//    GitHub (node-pre-gyp): its install script is denied too, and we build it from source here.
// Idempotent: a second run (npm install again) is a no-op once code-server's modules are in place.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const codeServer = path.dirname(require.resolve('code-server/package.json'));
const vscode = path.join(codeServer, 'lib', 'vscode');

// Only the VS Code extension's end-to-end tests and benchmark need code-server: a setup that cannot
// finish here (no root for apt-get, a failed native build) must not fail `npm ci && npm start`.
// It says what is missing; those tests then fail naming it, and `npm test` (as root) installs it.
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.warn(
      `vscode-host: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}); ` +
        'code-server is not set up, so the VS Code end-to-end tests cannot run: run `node vscode-host/install.mjs` as root',
    );
    process.exit(0);
  }
}

const argon2 = path.dirname(require.resolve('argon2/package.json', { paths: [codeServer] }));
const argon2Built = () =>
  existsSync(path.join(argon2, 'lib', 'binding')) && readdirSync(path.join(argon2, 'lib', 'binding')).length > 0;
const done = () =>
  argon2Built() &&
  existsSync(path.join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg')) &&
  existsSync(path.join(vscode, 'extensions', 'node_modules')) &&
  existsSync(path.join(vscode, 'node_modules.asar'));

if (done()) {
  console.log('vscode-host: code-server already installed');
  process.exit(0);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error('vscode-host: the end-to-end host is set up for linux-x64 only; skipping code-server');
  process.exit(0);
}

// Kerberos headers for the `kerberos` module that code-server's install builds from source.
run('bash', [path.join(here, '..', 'scripts', 'ensure-system-deps.sh'), 'libkrb5-dev']);

// The cache @vscode/ripgrep's postinstall looks in before downloading, for every version VS Code pins.
const rg = path.join(path.dirname(require.resolve('@vscode/ripgrep-linux-x64/package.json')), 'bin', 'rg');
if (!existsSync(rg)) throw new Error(`vscode-host: no rg binary at ${rg}`);
const lockfiles = ['npm-shrinkwrap.json', 'package-lock.json', 'extensions/package-lock.json'].map((f) =>
  path.join(vscode, f),
);
const pins = new Set();
for (const lockfile of lockfiles.filter((f) => existsSync(f))) {
  const lock = JSON.parse(readFileSync(lockfile, 'utf8'));
  for (const [key, entry] of Object.entries(lock.packages ?? {}))
    if (key.endsWith('node_modules/@vscode/ripgrep') && entry.version) pins.add(entry.version);
}
const staging = mkdtempSync(path.join(os.tmpdir(), 'vscode-host-rg-'));
copyFileSync(rg, path.join(staging, 'rg'));
for (const version of pins) {
  // Which rg release a version downloads is written in its lib/postinstall.js (VERSION).
  const cache = path.join(os.tmpdir(), `vscode-ripgrep-cache-${version}`);
  mkdirSync(cache, { recursive: true });
  const tarball = path.join(cache, `ripgrep-${ripgrepRelease(version)}-x86_64-unknown-linux-musl.tar.gz`);
  if (!existsSync(tarball)) run('tar', ['-czf', tarball, '-C', staging, 'rg']);
}
rmSync(staging, { recursive: true, force: true });

// Native builds use this Node's own headers (Debian's nodejs has them in /usr/include/node) rather
// than node-gyp downloading them.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const buildEnv = { ...process.env };
if (!buildEnv.npm_config_nodedir && existsSync(path.join(prefix, 'include', 'node', 'node.h')))
  buildEnv.npm_config_nodedir = prefix;
if (!argon2Built()) {
  const nodePreGyp = createRequire(path.join(argon2, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  run(process.execPath, [nodePreGyp, 'install', '--build-from-source'], { cwd: argon2, env: buildEnv });
}
run('sh', ['./postinstall.sh'], {
  cwd: codeServer,
  env: {
    ...buildEnv,
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  },
});
if (!done()) {
  console.warn(`vscode-host: code-server's install finished without its modules (${readdirSync(vscode).join(', ')})`);
  process.exit(0);
}
console.log('vscode-host: code-server installed');

function ripgrepRelease(version) {
  // The releases @vscode/ripgrep versions download (from their lib/postinstall.js).
  const known = { '1.15.11': 'v13.0.0-10', '1.15.10': 'v13.0.0-10', '1.15.9': 'v13.0.0-10' };
  return known[version] ?? 'v13.0.0-10';
}
