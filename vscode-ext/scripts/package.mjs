#!/usr/bin/env node
// `npm run package`: packages the built extension (dist/, see `npm run build`) as
// `aiplat-vscode-<version>.vsix` in this folder with @vscode/vsce, offline.
//
// vsce refuses scoped names, so it packages a staging copy whose manifest is named `aiplat-vscode`
// (the extension's id is therefore `aiplat.aiplat-vscode`) and has no dependencies (everything is in
// the esbuild bundle). The staging copy holds only what .vscodeignore lets through.
//
//   node scripts/package.mjs [--out <file.vsix>]   prints the .vsix path on its last line
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const extDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_NAME = 'aiplat-vscode';

const manifest = JSON.parse(readFileSync(path.join(extDir, 'package.json'), 'utf8'));
const outFlag = process.argv.indexOf('--out');
const out =
  outFlag > 0 ? path.resolve(process.argv[outFlag + 1]) : path.join(extDir, `${PACKAGE_NAME}-${manifest.version}.vsix`);

for (const built of ['dist/extension.js', 'dist/main.js', 'schemas/job.schema.json'])
  if (!existsSync(path.join(extDir, built))) {
    console.error(`package: no ${built}; build first (npm run build in vscode-ext/)`);
    process.exit(1);
  }

const staging = mkdtempSync(path.join(os.tmpdir(), 'aiplat-vsix-'));
try {
  for (const entry of ['.vscodeignore', 'README.md', 'package.nls.json', 'l10n'])
    if (!existsSync(path.join(extDir, entry))) throw new Error(`package: no ${entry}`);
  for (const entry of ['.vscodeignore', 'README.md', 'package.nls.json', 'l10n', 'schemas', 'media', 'dist'])
    cpSync(path.join(extDir, entry), path.join(staging, entry), { recursive: true });
  for (const file of readdirSync(extDir))
    if (/^package\.nls\..+\.json$/.test(file)) cpSync(path.join(extDir, file), path.join(staging, file));

  const staged = { ...manifest, name: PACKAGE_NAME };
  for (const key of ['dependencies', 'devDependencies', 'scripts', 'private']) delete staged[key];
  writeFileSync(path.join(staging, 'package.json'), JSON.stringify(staged, null, 2) + '\n');

  const vsce = createRequire(path.join(extDir, 'package.json')).resolve('@vscode/vsce/vsce');
  const result = spawnSync(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--no-update-package-json',
      '--out',
      out,
    ],
    { cwd: staging, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, VSCE_TELEMETRY: 'false' } },
  );
  if (result.status !== 0) {
    console.error(`package: vsce failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
console.log(`${out} (${Math.round(statSync(out).size / 1024)} KiB)`);
