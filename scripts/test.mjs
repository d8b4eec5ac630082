#!/usr/bin/env node
// The README's test command: installs what the tests need, builds, lints, runs every test and
// prints one closing line "Tests: N passed, N failed". Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function run(label, command, args, options = {}) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status || 1);
  }
}

run('system packages', 'bash', [path.join(root, 'scripts/ensure-system-deps.sh')]);
run('podman', 'bash', [path.join(root, 'scripts/configure-podman.sh')]);
run('build', 'npm', ['run', 'build']);
run('lint', 'npx', ['eslint', '.']);
run('boundaries', 'npm', ['run', 'lint:boundaries']);
run('format', 'npx', ['prettier', '--check', '.']);

const reportDir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-test-report-'));
const report = path.join(reportDir, 'vitest.json');
process.stdout.write('\n== tests\n');
const tests = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
let summary = 'Tests: no report';
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  summary =
    `Tests: ${json.numPassedTests} passed, ${json.numFailedTests} failed` +
    (json.numPendingTests ? `, ${json.numPendingTests} skipped` : '');
  if (json.numTotalTests === 0) {
    process.stdout.write('no tests ran\n');
    process.exitCode = 1;
  }
} catch {
  process.exitCode = 1;
}
rmSync(reportDir, { recursive: true, force: true });
process.stdout.write(`\n${summary}\n`);
if (tests.status !== 0) process.exitCode = tests.status || 1;
