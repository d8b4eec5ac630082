/**
 * Listing benchmark (`npm run bench`): a folder of 100,000 files in a temp work root's cache,
 * listed through the backend's DirectoryLister, against `ls -l` on the same folder.
 *   (a) first page of 500 by name, cold (a new lister: no cached listing) and warm
 *   (b) every entry with size and mtime, paging with limit 5000
 *   (c) `LC_ALL=C ls -l`, its output piped and counted
 *   (d) `LC_ALL=C ls`, its output piped and counted: every name read and sorted, none stat-ed; a
 *       reference for (a) measured in the same run (a first page must read every name too)
 * Targets: (a) cold median < 50 ms; (b) / (c) <= 2.0. (a) / (d) is printed, without a target.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// The benchmark measures the backend's listing service in-process, so it is the one place
// (besides the backend itself) that imports it.
import { DirectoryLister } from '@aiplat/backend/workspace/directoryLister.js';
import type { ReadStrategy } from '@aiplat/backend/workspace/folderReader.js';
import { PathResolver } from '@aiplat/backend/workspace/pathResolver.js';
import { median } from './stats.js';

const FILES = Number(process.env.BENCH_FILES ?? 100_000);
const FIRST_PAGE_RUNS = 25;
const FULL_RUNS = 7;
const FIRST_PAGE_TARGET_MS = 50;
const RATIO_TARGET = 2.0;
const USER = 'bench';
const API_DIR = 'cache/listing-bench';

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function runs(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await time(fn));
  return out;
}

function createFiles(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    // Names not in creation order; sizes 0..4095 bytes.
    const id = (i * 7919) % FILES;
    writeFileSync(path.join(dir, `sample-${String(id).padStart(6, '0')}.jsonl`), Buffer.alloc((i * 37) % 4096, 120));
  }
}

async function fullListing(resolver: PathResolver, readStrategy: ReadStrategy): Promise<number> {
  const lister = new DirectoryLister(resolver, { readStrategy });
  let cursor: string | undefined;
  let count = 0;
  let checksum = 0;
  do {
    const page = await lister.list(USER, { path: API_DIR, limit: 5000, cursor });
    count += page.entries.length;
    for (const e of page.entries) checksum += e.size + e.mtime.length;
    cursor = page.nextCursor;
  } while (cursor);
  if (count !== FILES || checksum === 0) throw new Error(`full listing saw ${count} entries, expected ${FILES}`);
  return count;
}

function lsLong(dir: string): Promise<number> {
  return lsCount(['-l', dir]);
}

function lsCount(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ls', args, {
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`ls exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-'));
  try {
    const work = path.join(base, 'work');
    const resolver = new PathResolver(work);
    const dir = path.join(work, API_DIR);
    process.stdout.write(`creating ${FILES.toLocaleString('en')} files in ${dir} ... `);
    const created = await time(async () => createFiles(dir));
    console.log(`${(created / 1000).toFixed(1)} s`);
    // Warm the OS caches for both sides before measuring.
    await lsLong(dir);
    await fullListing(resolver, 'sliced-sync');

    const firstPage = (lister: DirectoryLister) => lister.list(USER, { path: API_DIR, limit: 500 });
    const cold = await runs(FIRST_PAGE_RUNS, () => firstPage(new DirectoryLister(resolver)));
    const coldAsync = await runs(FIRST_PAGE_RUNS, () =>
      firstPage(new DirectoryLister(resolver, { readStrategy: 'async' })),
    );
    const warmLister = new DirectoryLister(resolver);
    await firstPage(warmLister);
    const warm = await runs(FIRST_PAGE_RUNS, () => firstPage(warmLister));
    const full = await runs(FULL_RUNS, () => fullListing(resolver, 'sliced-sync'));
    const fullAsync = await runs(FULL_RUNS, () => fullListing(resolver, 'async'));
    const lsLines = await lsLong(dir);
    if (lsLines !== FILES + 1) throw new Error(`ls -l printed ${lsLines} lines`);
    const ls = await runs(FULL_RUNS, () => lsLong(dir));
    const lsNamesLines = await lsCount([dir]);
    if (lsNamesLines !== FILES) throw new Error(`ls printed ${lsNamesLines} lines`);
    const lsNames = await runs(FIRST_PAGE_RUNS, () => lsCount([dir]));

    const rows: [string, number[]][] = [
      ['(a) first page 500, cold (sliced-sync read)', cold],
      ['    first page 500, cold (async readdir)', coldAsync],
      ['    first page 500, warm (cached listing)', warm],
      ['(b) full listing, limit 5000 (sliced-sync)', full],
      ['    full listing, limit 5000 (async readdir)', fullAsync],
      ['(c) LC_ALL=C ls -l (piped, counted)', ls],
      ['(d) LC_ALL=C ls (names only, piped, counted)', lsNames],
    ];
    console.log(
      `\n${FILES.toLocaleString('en')} files, node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()}`,
    );
    console.log(
      `${'measure'.padEnd(46)} ${'runs'.padStart(4)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`,
    );
    for (const [label, xs] of rows) {
      const fmt = (v: number) => `${v.toFixed(1)} ms`.padStart(9);
      console.log(
        `${label.padEnd(46)} ${String(xs.length).padStart(4)} ${fmt(median(xs))} ${fmt(Math.min(...xs))} ${fmt(Math.max(...xs))}`,
      );
    }
    const ratio = median(full) / median(ls);
    const firstOk = median(cold) < FIRST_PAGE_TARGET_MS;
    const ratioOk = ratio <= RATIO_TARGET;
    console.log('');
    console.log(
      `first page cold median ${median(cold).toFixed(1)} ms (target < ${FIRST_PAGE_TARGET_MS} ms): ${firstOk ? 'PASS' : 'FAIL'}`,
    );
    console.log(`full listing / ls -l = ${ratio.toFixed(2)} (target <= ${RATIO_TARGET}): ${ratioOk ? 'PASS' : 'FAIL'}`);
    console.log(`first page cold / ls (names only) = ${(median(cold) / median(lsNames)).toFixed(2)}`);
    if (!firstOk || !ratioOk) process.exitCode = 1;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
