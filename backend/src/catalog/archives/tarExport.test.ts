import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTar, tarStream } from './tarExport.js';

const LONG_DIR = `${'nested-folder-'.repeat(8)}end`;
const LONG_FILE = `${'a-very-long-file-name-'.repeat(6)}.txt`;
const UNICODE = 'données-é.csv';

let work: string;
let source: string;
const contents = new Map<string, Buffer>();

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'aiplat-tarexport-'));
  source = path.join(work, 'v1');
  await mkdir(path.join(source, 'data', LONG_DIR), { recursive: true });
  await mkdir(path.join(source, 'empty-folder'));
  const files: [string, Buffer][] = [
    ['data/big.bin', randomBytes(3 * 1024 * 1024 + 123)],
    ['data/empty.txt', Buffer.alloc(0)],
    [`data/${LONG_DIR}/${LONG_FILE}`, Buffer.from('long')],
    [`data/${UNICODE}`, Buffer.from('a,b\n1,2\n')],
    ['run.sh', Buffer.from('#!/bin/sh\necho hi\n')],
    ['exactly-512.bin', randomBytes(512)],
  ];
  for (const [name, data] of files) {
    await writeFile(path.join(source, name), data);
    contents.set(name, data);
  }
  await chmod(path.join(source, 'run.sh'), 0o755);
  await symlink('/etc/passwd', path.join(source, 'link-to-passwd'));
  execFileSync('mkfifo', [path.join(source, 'a-fifo')]);
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('planTar and tarStream', () => {
  it('stream exactly totalBytes of a tar GNU tar lists and extracts, links and FIFOs left out', async () => {
    const plan = await planTar(source, 'dataset-v1');
    const archive = await collect(tarStream(plan));
    expect(archive.length).toBe(plan.totalBytes);
    const file = path.join(work, 'export.tar');
    await writeFile(file, archive);

    const listed = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
    expect(listed).toContain(`dataset-v1/data/${LONG_DIR}/${LONG_FILE}`);
    expect(listed).toContain(UNICODE);
    expect(listed).toMatch(/^-rwxr-xr-x 0\/0 .* dataset-v1\/run\.sh$/m);
    expect(listed).not.toMatch(/link-to-passwd|a-fifo/);
    const names = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('dataset-v1/');

    const out = path.join(work, 'extracted');
    await mkdir(out);
    execFileSync('tar', ['-xf', file, '-C', out]);
    for (const [name, data] of contents) {
      expect((await readFile(path.join(out, 'dataset-v1', name))).equals(data), name).toBe(true);
    }
    expect(execFileSync('ls', [path.join(out, 'dataset-v1', 'empty-folder')], { encoding: 'utf8' })).toBe('');
  });

  it('serves any range as the same bytes as the whole stream', async () => {
    const plan = await planTar(source, 'dataset-v1');
    const whole = await collect(tarStream(plan));
    const total = plan.totalBytes;
    const ranges: [number, number][] = [
      [0, total - 1],
      [0, 0],
      [total - 1, total - 1],
      [total - 1024, total - 1],
      [511, 512],
      [plan.entries[3]!.offset, plan.entries[3]!.offset + 10],
    ];
    for (let i = 0; i < 20; i++) {
      const start = Math.floor(Math.random() * total);
      ranges.push([start, Math.min(total - 1, start + Math.floor(Math.random() * 2 * 1024 * 1024))]);
    }
    for (const [start, end] of ranges) {
      const part = await collect(tarStream(plan, { start, end }));
      expect(part.length, `${start}-${end}`).toBe(end - start + 1);
      expect(part.equals(whole.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
  });

  it('is deterministic: a second plan streams the same bytes', async () => {
    const a = await collect(tarStream(await planTar(source, 'x')));
    const b = await collect(tarStream(await planTar(source, 'x')));
    expect(a.equals(b)).toBe(true);
  });

  it('refuses a range outside the archive and a root name that is not one segment', async () => {
    const plan = await planTar(source, 'x');
    expect(() => tarStream(plan, { start: 0, end: plan.totalBytes })).toThrow(RangeError);
    expect(() => tarStream(plan, { start: 5, end: 4 })).toThrow(/not within the archive/);
    await expect(planTar(source, '../x')).rejects.toThrow(/must be one path segment/);
  });

  it('errors when a file grew or shrank after the plan', async () => {
    const dir = path.join(work, 'changing');
    await mkdir(dir);
    await writeFile(path.join(dir, 'a.bin'), randomBytes(100_000));
    const plan = await planTar(dir, 'c');
    await appendFile(path.join(dir, 'a.bin'), 'more');
    await expect(collect(tarStream(plan))).rejects.toThrow(
      /a\.bin changed size while it was exported \(100000 bytes planned, 100004 now\)/,
    );
    await truncate(path.join(dir, 'a.bin'), 10);
    await expect(collect(tarStream(plan, { start: 600, end: 700 }))).rejects.toThrow(/changed size/);
  });
});
