/**
 * Archive import benchmark (`npm run bench:archive`, also in `npm run bench`): a tar.gz of about
 * 1 GB in 10,000 files (half random bytes, half text-like, in 20 folders), extracted
 *   (a) by `extractArchive` (backend/src/catalog/archives), in this process, with the import's checks;
 *   (b) reference, the same run: `tar -xzf` (GNU tar with gzip), a process per run.
 * Runs alternate; each extracts into a fresh folder. Target: median (a) / median (b) ≤ 1.3.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractArchive } from '@aiplat/backend/catalog/archives/extract.js';
import { median } from './stats.js';

const FILES = Number(process.env.BENCH_ARCHIVE_FILES ?? 10_000);
const TOTAL_BYTES = Number(process.env.BENCH_ARCHIVE_BYTES ?? 1e9);
const FOLDERS = 20;
const RUNS = 3;
const TARGET_RATIO = 1.3;

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`)),
    );
  });
}

/** 4 MiB of log-like lines: compresses about 3-4 times, like text and CSV data. */
function textBlock(): Buffer {
  const words = ['epoch', 'loss', 'accuracy', 'label', 'image', 'train', 'valid', 'token', 'batch', 'step'];
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < 4 << 20; i++) {
    const line = `${i},${words[i % 10]},${words[(i * 7) % 10]},${Math.random().toFixed(6)},${(Math.random() * 1e4) | 0}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join(''));
}

async function createSource(root: string): Promise<number> {
  const text = textBlock();
  const perFile = TOTAL_BYTES / FILES;
  let total = 0;
  for (let folder = 0; folder < FOLDERS; folder++)
    await mkdir(path.join(root, `part-${folder}`, 'sub'), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    // Sizes from 0.2x to 1.8x the mean, so a few files are much larger than others.
    const size = Math.round(perFile * (0.2 + (1.6 * ((i * 7919) % FILES)) / FILES));
    const content =
      i % 2
        ? randomBytes(size)
        : text.subarray((i * 4099) % (text.length - size), ((i * 4099) % (text.length - size)) + size);
    const folder = path.join(root, `part-${i % FOLDERS}`, i % 3 ? '' : 'sub');
    await writeFile(path.join(folder, `file-${i}.${i % 2 ? 'bin' : 'csv'}`), content);
    total += size;
  }
  return total;
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-archive-'));
  try {
    const source = path.join(base, 'source');
    const archive = path.join(base, 'data.tar.gz');
    process.stdout.write(`creating ${FILES.toLocaleString('en')} files, ~${(TOTAL_BYTES / 1e9).toFixed(1)} GB ... `);
    let start = performance.now();
    const bytes = await createSource(source);
    await run('tar', ['-czf', archive, '-C', source, '.']);
    const archiveBytes = (await stat(archive)).size;
    await rm(source, { recursive: true, force: true });
    console.log(`${((performance.now() - start) / 1000).toFixed(1)} s, archive ${(archiveBytes / 1e6).toFixed(0)} MB`);

    const limits = { maxBytes: 2 * TOTAL_BYTES, maxEntries: 2 * FILES, maxRatio: 1_000 };
    const ours: number[] = [];
    const reference: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const targetDir = path.join(base, `out-${i}`);
      await mkdir(targetDir);
      start = performance.now();
      await run('tar', ['-xzf', archive, '-C', targetDir]);
      reference.push(performance.now() - start);
      await rm(targetDir, { recursive: true, force: true });

      start = performance.now();
      const result = await extractArchive({ archivePath: archive, format: 'tar.gz', targetDir, limits });
      ours.push(performance.now() - start);
      if (result.files !== FILES || result.bytes !== bytes) {
        throw new Error(
          `extractArchive wrote ${result.files} files, ${result.bytes} bytes; expected ${FILES}, ${bytes}`,
        );
      }
      await rm(targetDir, { recursive: true, force: true });
    }

    console.log(
      `\n${FILES.toLocaleString('en')} files, ${(bytes / 1e9).toFixed(2)} GB, node ${process.version}, ${os.cpus().length} CPUs`,
    );
    console.log(
      `${'measure'.padEnd(36)} ${'runs'.padStart(4)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${'max'.padStart(10)}`,
    );
    const fmt = (v: number) => `${v.toFixed(0)} ms`.padStart(10);
    for (const [label, xs] of [
      ['(a) extractArchive', ours],
      ['(b) tar -xzf', reference],
    ] as const) {
      console.log(
        `${label.padEnd(36)} ${String(xs.length).padStart(4)} ${fmt(median(xs))} ${fmt(Math.min(...xs))} ${fmt(Math.max(...xs))}`,
      );
    }
    const ratio = median(ours) / median(reference);
    const ok = ratio <= TARGET_RATIO;
    console.log(
      `\nextractArchive / tar -xzf = ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}): ${ok ? 'PASS' : 'FAIL'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
