import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveRefused, archiveFormatOf, extractArchive, type ArchiveFormat, type ExtractLimits } from './extract.js';

/** The part of yazl the tests use (no types are installed for it). */
interface YazlZipFile {
  addBuffer(
    data: Buffer,
    name: string,
    options?: { mode?: number; compress?: boolean; forceZip64Format?: boolean },
  ): void;
  addEmptyDirectory(name: string, options?: { mode?: number }): void;
  end(): void;
  outputStream: NodeJS.ReadableStream;
}
const yazl = createRequire(import.meta.url)('yazl') as { ZipFile: new () => YazlZipFile };

const MiB = 1 << 20;
const LIMITS: ExtractLimits = { maxBytes: 1 << 30, maxEntries: 10_000, maxRatio: 1_000 };

let work: string;
let target: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'aiplat-extract-'));
  target = path.join(work, 'out');
});
afterEach(() => rm(work, { recursive: true, force: true }));

type TarItem = Partial<Header> & { name: string; content?: Buffer | string };

/** A tar (or tar.gz) written by tar-stream, which (unlike GNU tar) writes whatever names it is given. */
async function packTar(file: string, items: TarItem[], gzip = false): Promise<string> {
  const pack = tar.pack();
  const done = gzip
    ? pipeline(pack, createGzip({ level: 1 }), createWriteStream(file))
    : pipeline(pack, createWriteStream(file));
  for (const { content, ...header } of items) {
    if (content === undefined) pack.entry(header);
    else pack.entry(header, content);
  }
  pack.finalize();
  await done;
  return file;
}

async function zipOf(build: (zip: YazlZipFile) => void): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  build(zip);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The offset of the (first) central directory header in a zip. */
const centralHeader = (zip: Buffer) => zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));

const extract = (
  archivePath: string,
  format: ArchiveFormat,
  limits: Partial<ExtractLimits> = {},
  signal?: AbortSignal,
) => extractArchive({ archivePath, format, targetDir: target, limits: { ...LIMITS, ...limits }, signal });

/** Expects a refusal naming `entry` and that nothing of the target is left. */
async function expectRefused(promise: Promise<unknown>, entry: string | undefined, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => expect.fail('the archive was extracted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveRefused);
  expect((error as ArchiveRefused).entry).toBe(entry);
  expect((error as Error).message).toMatch(message);
  if (entry) expect((error as Error).message).toContain(JSON.stringify(entry));
  await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
}

/** Buffer.equals: vitest's deep equality walks a buffer byte by byte, seconds for a few MiB. */
async function expectSameBytes(file: string, want: Buffer): Promise<void> {
  const got = await readFile(file);
  expect(got.length).toBe(want.length);
  expect(got.equals(want)).toBe(true);
}

async function tree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = prefix + entry.name;
    const mode = ((await stat(full)).mode & 0o7777).toString(8);
    if (entry.isDirectory()) Object.assign(out, { [`${rel}/`]: mode }, await tree(full, `${rel}/`));
    else out[rel] = `${mode} ${(await readFile(full)).toString('base64').slice(0, 40)}`;
  }
  return out;
}

describe('archiveFormatOf', () => {
  it('knows the extensions, in any case', () => {
    expect(archiveFormatOf('a.zip')).toBe('zip');
    expect(archiveFormatOf('A.TAR.GZ')).toBe('tar.gz');
    expect(archiveFormatOf('x.Tgz')).toBe('tar.gz');
    expect(archiveFormatOf('x.tar')).toBe('tar');
    expect(archiveFormatOf('x.gz')).toBeUndefined();
    expect(archiveFormatOf('x.tar.bz2')).toBeUndefined();
  });
});

describe('extractArchive', () => {
  async function sourceTree(): Promise<string> {
    const src = path.join(work, 'src');
    await mkdir(path.join(src, 'data', 'deep', `${'long-name-'.repeat(12)}dir`), { recursive: true });
    await mkdir(path.join(src, 'empty'));
    await writeFile(path.join(src, 'data', 'big.bin'), randomBytes(3 * MiB));
    await writeFile(path.join(src, 'data', 'empty.txt'), '');
    await writeFile(path.join(src, 'data', 'deep', `${'long-name-'.repeat(12)}dir`, `${'f'.repeat(120)}.txt`), 'long');
    await writeFile(path.join(src, 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(path.join(src, 'run.sh'), 0o700);
    await writeFile(path.join(src, 'private.txt'), 'secret');
    await chmod(path.join(src, 'private.txt'), 0o600);
    return src;
  }

  it.each(['tar', 'tar.gz'] as const)('extracts a %s made by GNU tar, with fixed modes', async (format) => {
    const src = await sourceTree();
    const archive = path.join(work, `a.${format}`);
    execFileSync('tar', [format === 'tar' ? '-cf' : '-czf', archive, '-C', src, '.']);
    const progress: number[] = [];
    const result = await extractArchive({
      archivePath: archive,
      format,
      targetDir: target,
      limits: LIMITS,
      onProgress: (p) => progress.push(p.bytes),
    });
    expect(result).toEqual({ files: 5, dirs: 4, bytes: 3 * MiB + 4 + 18 + 6 });
    const got = await tree(target);
    const want = await tree(src);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    expect(got['run.sh']).toMatch(/^755 /);
    expect(got['private.txt']).toMatch(/^644 /);
    expect(got['empty/']).toBe('755');
    await expectSameBytes(path.join(target, 'data', 'big.bin'), await readFile(path.join(src, 'data', 'big.bin')));
    expect(progress.at(-1)).toBe(result.bytes);
  });

  it('extracts a zip, folders and modes included', async () => {
    const big = randomBytes(2 * MiB);
    const zip = await zipOf((z) => {
      z.addEmptyDirectory('models/');
      z.addBuffer(big, 'models/weights.bin');
      z.addBuffer(Buffer.from('#!/bin/sh\n'), 'bin\\run.sh', { mode: 0o100755 });
      z.addBuffer(Buffer.from('x'.repeat(1000)), 'notes.txt', { mode: 0o104777 });
    });
    await writeFile(path.join(work, 'a.zip'), zip);
    const result = await extract(path.join(work, 'a.zip'), 'zip');
    expect(result).toEqual({ files: 3, dirs: 2, bytes: 2 * MiB + 10 + 1000 });
    await expectSameBytes(path.join(target, 'models', 'weights.bin'), big);
    expect((await stat(path.join(target, 'bin', 'run.sh'))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(target, 'notes.txt'))).mode & 0o7777).toBe(0o755);
  });

  it('never writes setuid, setgid or sticky bits, and keeps mtimes', async () => {
    const mtime = new Date('2020-01-02T03:04:05Z');
    const archive = await packTar(path.join(work, 'a.tar'), [
      { name: 'suid', mode: 0o4755, content: 'x', mtime },
      { name: 'sgid', mode: 0o2644, content: 'x', mtime },
      { name: 'sticky/', type: 'directory', mode: 0o1777 },
    ]);
    await extract(archive, 'tar');
    expect((await stat(path.join(target, 'suid'))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(target, 'sgid'))).mode & 0o7777).toBe(0o644);
    expect((await stat(path.join(target, 'sticky'))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(target, 'suid'))).mtime).toEqual(mtime);
  });

  it('keeps nested archives as plain files', async () => {
    const inner = await zipOf((z) => z.addBuffer(Buffer.from('inner'), 'inside.txt'));
    const innerTgz = await readFile(await packTar(path.join(work, 'inner.tgz'), [{ name: 'x', content: 'y' }], true));
    const archive = await packTar(
      path.join(work, 'outer.tar.gz'),
      [
        { name: 'inner.zip', content: inner },
        { name: 'more/inner.tar.gz', content: innerTgz },
      ],
      true,
    );
    expect(await extract(archive, 'tar.gz')).toMatchObject({ files: 2 });
    await expectSameBytes(path.join(target, 'inner.zip'), inner);
    await expectSameBytes(path.join(target, 'more', 'inner.tar.gz'), innerTgz);
    expect(await readdir(target)).toEqual(expect.arrayContaining(['inner.zip', 'more']));
    expect(await readdir(target)).toHaveLength(2);
  });

  it('lets a later file replace an earlier one of the same path, and normalizes a/../b', async () => {
    const archive = await packTar(path.join(work, 'a.tar'), [
      { name: 'a.txt', content: 'first' },
      { name: './d/../a.txt', content: 'second' },
    ]);
    expect(await extract(archive, 'tar')).toMatchObject({ files: 1 });
    expect(await readFile(path.join(target, 'a.txt'), 'utf8')).toBe('second');
  });

  it('refuses a file where a folder was, and a folder where a file was', async () => {
    await expectRefused(
      extract(
        await packTar(path.join(work, 'a.tar'), [
          { name: 'd/', type: 'directory' },
          { name: 'd', content: 'x' },
        ]),
        'tar',
      ),
      'd',
      /is a file where the archive already has a folder/,
    );
    await expectRefused(
      extract(
        await packTar(path.join(work, 'b.tar'), [
          { name: 'f', content: 'x' },
          { name: 'f/g', content: 'y' },
        ]),
        'tar',
      ),
      'f/g',
      /needs a folder "f" where the archive has a file/,
    );
  });

  it('extracts into an existing empty folder but refuses a non-empty one', async () => {
    const archive = await packTar(path.join(work, 'a.tar'), [{ name: 'x', content: 'y' }]);
    await mkdir(target);
    await extract(archive, 'tar');
    await expect(extract(archive, 'tar')).rejects.toThrow(/is not empty; pass a new or empty folder/);
    expect(await readFile(path.join(target, 'x'), 'utf8')).toBe('y');
  });

  describe('refuses hostile entries, naming them, and leaves nothing', () => {
    it.each([
      ['../evil', /points outside the archive's folder/],
      ['a/../../evil', /points outside/],
      ['/etc/evil', /absolute path/],
      ['C:\\evil', /absolute path/],
      ['\\\\server\\share\\evil', /absolute path/],
      ['', /empty name/],
    ])('in a tar: %j', async (name, message) => {
      const archive = await packTar(path.join(work, 'a.tar'), [
        { name: 'ok.txt', content: 'fine' },
        { name, content: 'x' },
      ]);
      await expectRefused(extract(archive, 'tar'), name, message);
    });

    it('zip-slip: ../evil in a zip', async () => {
      let zip = await zipOf((z) => {
        z.addBuffer(Buffer.from('fine'), 'ok.txt');
        z.addBuffer(Buffer.from('x'), 'zz/evil');
      });
      zip = Buffer.from(zip.toString('latin1').replaceAll('zz/evil', '../evil'), 'latin1');
      await writeFile(path.join(work, 'a.zip'), zip);
      await expectRefused(extract(path.join(work, 'a.zip'), 'zip'), '../evil', /points outside/);
    });

    it('a symlink, then a file through it (tar)', async () => {
      const archive = await packTar(path.join(work, 'a.tar'), [
        { name: 'link', type: 'symlink', linkname: '/etc' },
        { name: 'link/passwd', content: 'owned' },
      ]);
      await expectRefused(
        extract(archive, 'tar'),
        'link',
        /archives with links are not imported: "link" is a symlink to "\/etc"/,
      );
    });

    it('a hard link (tar)', async () => {
      const archive = await packTar(path.join(work, 'a.tar'), [
        { name: 'a', content: 'x' },
        { name: 'b', type: 'link', linkname: 'a' },
      ]);
      await expectRefused(extract(archive, 'tar'), 'b', /"b" is a hard link to "a"/);
    });

    it('a symlink (zip)', async () => {
      const zip = await zipOf((z) => z.addBuffer(Buffer.from('../../etc/passwd'), 'passwd', { mode: 0o120777 }));
      await writeFile(path.join(work, 'a.zip'), zip);
      await expectRefused(extract(path.join(work, 'a.zip'), 'zip'), 'passwd', /symlink to "..\/..\/etc\/passwd"/);
    });

    it.each(['character-device', 'block-device', 'fifo'] as const)('a %s (tar)', async (type) => {
      const archive = await packTar(path.join(work, 'a.tar'), [{ name: 'dev', type, devmajor: 1, devminor: 3 }]);
      await expectRefused(extract(archive, 'tar'), 'dev', /is a device, FIFO or socket/);
    });

    it('a FIFO and a socket (zip unix modes)', async () => {
      for (const mode of [0o010644, 0o140755]) {
        const zip = await zipOf((z) => z.addBuffer(Buffer.alloc(0), 'special', { mode }));
        await writeFile(path.join(work, 'a.zip'), zip);
        await expectRefused(extract(path.join(work, 'a.zip'), 'zip'), 'special', /is a device, FIFO or socket/);
      }
    });
  });

  describe('archive bombs', () => {
    it('refuses a zip entry declaring 10 GB before writing it', async () => {
      const zip = await zipOf((z) => z.addBuffer(Buffer.alloc(1000), 'huge.bin', { forceZip64Format: true }));
      const central = centralHeader(zip);
      const extra = central + 46 + zip.readUInt16LE(central + 28);
      expect(zip.readUInt16LE(extra)).toBe(0x0001);
      zip.writeBigUInt64LE(10_000_000_000n, extra + 4);
      await writeFile(path.join(work, 'a.zip'), zip);
      await expectRefused(extract(path.join(work, 'a.zip'), 'zip'), 'huge.bin', /more than 1,024 MiB \(the limit\)/);
    });

    it('refuses a zip entry whose data is larger than it declares', async () => {
      const zip = await zipOf((z) => z.addBuffer(Buffer.alloc(100_000, 'a'), 'liar.txt'));
      zip.writeUInt32LE(1000, centralHeader(zip) + 24);
      await writeFile(path.join(work, 'a.zip'), zip);
      await expectRefused(extract(path.join(work, 'a.zip'), 'zip'), 'liar.txt', /too many bytes/);
    });

    it('refuses a zip entry that expands more than the ratio', async () => {
      const zip = await zipOf((z) => z.addBuffer(Buffer.alloc(4 * MiB), 'zeros.bin'));
      await writeFile(path.join(work, 'a.zip'), zip);
      await expectRefused(
        extract(path.join(work, 'a.zip'), 'zip', { maxRatio: 100 }),
        'zeros.bin',
        /expands \d+ times \(the limit is 100\)/,
      );
    });

    describe('a gzip bomb (300 MB of zeros)', () => {
      let bomb: string;
      beforeEach(async () => {
        bomb = path.join(work, 'bomb.tar.gz');
        const pack = tar.pack();
        const done = pipeline(pack, createGzip({ level: 1 }), createWriteStream(bomb));
        const zeros = Buffer.alloc(MiB);
        const sink = pack.entry({ name: 'zeros.bin', size: 300 * MiB });
        await pipeline(
          Readable.from(
            (function* () {
              for (let i = 0; i < 300; i++) yield zeros;
            })(),
          ),
          sink,
        );
        pack.finalize();
        await done;
      });

      it('is refused by the byte limit', async () => {
        await expectRefused(
          extract(bomb, 'tar.gz', { maxBytes: 100 * MiB }),
          'zeros.bin',
          /more than 100 MiB \(the limit\)/,
        );
      });

      it('is refused by the ratio while streaming', async () => {
        await expectRefused(extract(bomb, 'tar.gz', { maxRatio: 200 }), 'zeros.bin', /expands more than 200 times/);
      });
    });

    it('refuses more entries than the limit', async () => {
      const items = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
      await expectRefused(
        extract(await packTar(path.join(work, 'a.tar'), items), 'tar', { maxEntries: 10 }),
        'f10',
        /more than 10 entries/,
      );
    });
  });

  describe('failures leave nothing', () => {
    it('a cancel midway', async () => {
      const archive = await packTar(
        path.join(work, 'a.tar.gz'),
        Array.from({ length: 24 }, (_, i) => ({ name: `d/f${i}`, content: randomBytes(MiB) })),
        true,
      );
      const controller = new AbortController();
      const extracting = extractArchive({
        archivePath: archive,
        format: 'tar.gz',
        targetDir: target,
        limits: LIMITS,
        signal: controller.signal,
        onProgress: (p) => p.bytes > 8 * MiB && controller.abort(),
      });
      await expect(extracting).rejects.toMatchObject({ name: 'AbortError' });
      await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('an already aborted signal', async () => {
      const archive = await packTar(path.join(work, 'a.tar'), [{ name: 'x', content: 'y' }]);
      await expect(extract(archive, 'tar', {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
      await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it.each(['tar', 'tar.gz', 'zip'] as const)('a truncated %s', async (format) => {
      const items = Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, content: randomBytes(256 << 10) }));
      const file = path.join(work, `a.${format}`);
      if (format === 'zip')
        await writeFile(file, await zipOf((z) => items.forEach((i) => z.addBuffer(i.content, i.name))));
      else await packTar(file, items, format === 'tar.gz');
      const whole = await readFile(file);
      await writeFile(file, whole.subarray(0, whole.length >> 1));
      await expectRefused(extract(file, format), undefined, /damaged or truncated|damaged or not supported/);
    });

    it('a corrupt gzip stream', async () => {
      const file = await packTar(path.join(work, 'a.tar.gz'), [{ name: 'f', content: randomBytes(MiB) }], true);
      const bytes = await readFile(file);
      bytes.fill(0x55, 2000, 3000);
      await writeFile(file, bytes);
      await expectRefused(extract(file, 'tar.gz'), undefined, /damaged or truncated/);
    });
  });
});
