/**
 * Snapshot diff-scan benchmark (`npm run bench:snapshot`, also in `npm run bench`): a tree of
 * 100,000 files in 1,000 directories, a baseline taken by the snapshot agent, then 1% of the files
 * changed (content, mode, deleted, added):
 *   (a) `snapshot-agent preview`: read the baseline, scan the tree again, diff, summarize — the scan
 *       a save starts with, through the shipped bundle (backend/dist/snapshot-agent.cjs) with plain
 *       node, process start included;
 *   (b) reference, the same run: `find ROOT -printf '%p %s %T@ %m %U %G\n'`, which lstat-s every
 *       entry and prints the same metadata, its output to /dev/null;
 *   (c) `snapshot-agent layer` of those changes to /dev/null, once (printed, no target).
 * Target: (a) median < 1.5 s. (a) / (b) is printed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const DIRECTORIES = 1_000;
const FILES_PER_DIRECTORY = Number(process.env.BENCH_SNAPSHOT_FILES_PER_DIR ?? 100);
const RUNS = 5;
const TARGET_MS = 1_500;
const AGENT = fileURLToPath(new URL('../../backend/dist/snapshot-agent.cjs', import.meta.url));

/** Runs a command with stdout to /dev/null; resolves with its wall time in ms and its stderr. */
function timed(command: string, args: readonly string[]): Promise<{ ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve({ ms, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

function fileAt(root: string, index: number): string {
  const dir = index % DIRECTORIES;
  return path.join(root, `d${Math.floor(dir / 100)}`, `dir-${dir}`, `file-${index}.txt`);
}

function createTree(root: string): void {
  for (let dir = 0; dir < DIRECTORIES; dir++) {
    mkdirSync(path.join(root, `d${Math.floor(dir / 100)}`, `dir-${dir}`), { recursive: true });
  }
  const content = Buffer.alloc(4096, 120);
  for (let i = 0; i < DIRECTORIES * FILES_PER_DIRECTORY; i++) {
    writeFileSync(fileAt(root, i), content.subarray(0, (i * 37) % 4096));
  }
}

/** 1% of the files: 40% rewritten, 20% chmod-ed, 20% deleted, as many added. */
function changeOnePercent(root: string): number {
  const total = DIRECTORIES * FILES_PER_DIRECTORY;
  const changed = total / 100;
  for (let k = 0; k < changed; k++) {
    const file = fileAt(root, (k * 97) % total);
    if (k % 5 < 2) appendFileSync(file, 'changed');
    else if (k % 5 === 2) chmodSync(file, 0o600);
    else if (k % 5 === 3) rmSync(file);
    else writeFileSync(path.join(path.dirname(file), `added-${k}.txt`), 'added');
  }
  return changed;
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-snapshot-'));
  try {
    const root = path.join(base, 'tree');
    const agentArgs = ['--root', root, '--baseline', path.join(base, 'baseline.gz'), '--no-default-excludes'];
    const total = DIRECTORIES * FILES_PER_DIRECTORY;
    process.stdout.write(`creating ${total.toLocaleString('en')} files in ${DIRECTORIES} directories ... `);
    const createStart = performance.now();
    createTree(root);
    console.log(`${((performance.now() - createStart) / 1000).toFixed(1)} s`);
    const baseline = await timed(process.execPath, [AGENT, 'baseline', ...agentArgs]);
    const changed = changeOnePercent(root);

    const find = ['find', [root, '-printf', '%p %s %T@ %m %U %G\\n']] as const;
    const preview = [process.execPath, [AGENT, 'preview', ...agentArgs]] as const;
    // Warm the OS caches for both sides before measuring.
    await timed(...find);
    await timed(...preview);
    const previewRuns: number[] = [];
    const findRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      previewRuns.push((await timed(...preview)).ms);
      findRuns.push((await timed(...find)).ms);
    }
    const layer = await timed(process.execPath, [AGENT, 'layer', ...agentArgs]);
    const done = JSON.parse(layer.stderr.trim().split('\n').at(-1) ?? '{}') as {
      done?: { size: number; files: number };
    };

    console.log(
      `\n${total.toLocaleString('en')} files, ${changed.toLocaleString('en')} changed, node ${process.version}, ${os.cpus().length} CPUs`,
    );
    console.log(
      `${'measure'.padEnd(44)} ${'runs'.padStart(4)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${'max'.padStart(10)}`,
    );
    const rows: [string, number[]][] = [
      ['(a) snapshot-agent preview (diff scan)', previewRuns],
      ['(b) find -printf (lstat every entry)', findRuns],
      ['    snapshot-agent baseline', [baseline.ms]],
      [`(c) snapshot-agent layer (${done.done?.files ?? '?'} entries)`, [layer.ms]],
    ];
    for (const [label, xs] of rows) {
      const fmt = (v: number) => `${v.toFixed(0)} ms`.padStart(10);
      console.log(
        `${label.padEnd(44)} ${String(xs.length).padStart(4)} ${fmt(median(xs))} ${fmt(Math.min(...xs))} ${fmt(Math.max(...xs))}`,
      );
    }
    const ok = median(previewRuns) < TARGET_MS;
    console.log('');
    console.log(
      `diff scan median ${median(previewRuns).toFixed(0)} ms (target < ${TARGET_MS} ms): ${ok ? 'PASS' : 'FAIL'}`,
    );
    console.log(`diff scan / find = ${(median(previewRuns) / median(findRuns)).toFixed(2)}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
