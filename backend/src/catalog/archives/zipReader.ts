import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { ExtractBudget } from './budget.js';
import { refuseUnlessPlain, safeEntryPath, type EntryKind } from './entryPolicy.js';
import { abortReason, ArchiveRefused } from './refusal.js';
import type { TargetWriter } from './targetWriter.js';

/** The part of yauzl (3.x) used here; the package ships no types and @types/yauzl is not installed. */
interface ZipEntry {
  fileName: Buffer;
  fileNameRaw: Buffer;
  extraFields: { id: number; data: Buffer }[];
  generalPurposeBitFlag: number;
  versionMadeBy: number;
  externalFileAttributes: number;
  compressedSize: number;
  uncompressedSize: number;
  getLastModDate(): Date;
  isEncrypted(): boolean;
}
interface ZipFile {
  entryCount: number;
  readEntry(): void;
  openReadStream(entry: ZipEntry, callback: (error: Error | null, stream: Readable) => void): void;
  close(): void;
  on(event: 'entry', listener: (entry: ZipEntry) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
interface Yauzl {
  open(
    path: string,
    options: { lazyEntries: true; decodeStrings: false; validateEntrySizes: true; autoClose: boolean },
    callback: (error: Error | null, zip: ZipFile) => void,
  ): void;
  getFileNameLowLevel(flags: number, raw: Buffer, extraFields: ZipEntry['extraFields'], strict: boolean): string;
}
const yauzl = createRequire(import.meta.url)('yauzl') as Yauzl;

const S_IFMT = 0o170000;
const UNIX_HOST = 3;
/** Most bytes of a zip symlink's content (its target) read to name it in the refusal. */
const LINK_TARGET_BYTES = 4096;

function kindOf(entry: ZipEntry, name: string): EntryKind {
  const madeOnUnix = entry.versionMadeBy >> 8 === UNIX_HOST;
  const type = madeOnUnix ? (entry.externalFileAttributes >>> 16) & S_IFMT : 0;
  switch (type) {
    case 0:
      return name.endsWith('/') ? 'directory' : 'file';
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'special';
  }
}

/**
 * Extracts a zip into `writer`, one entry at a time (central directory order), checking each entry's
 * declared sizes before reading it; yauzl checks the data against them as it inflates.
 */
export async function readZip(
  archivePath: string,
  writer: TargetWriter,
  budget: ExtractBudget,
  signal: AbortSignal | undefined,
): Promise<void> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(
      archivePath,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false },
      (error, file) => (error ? reject(damaged(error, undefined)) : resolve(file)),
    ),
  );
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const entries: (ZipEntry | null)[] = [];
  zip.on('entry', (entry) => (entries.push(entry), wake?.()));
  zip.on('end', () => (entries.push(null), wake?.()));
  zip.on('error', (error) => ((failure ??= error), wake?.()));
  const next = async (): Promise<ZipEntry | null> => {
    zip.readEntry();
    while (entries.length === 0 && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
    if (failure !== undefined) throw damaged(failure, undefined);
    return entries.shift()!;
  };
  let current: Readable | undefined;
  const onAbort = () => current?.destroy(abortReason(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let entry = await next(); entry !== null; entry = await next()) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
      budget.addEntry(name);
      const relative = safeEntryPath(name);
      const kind = kindOf(entry, name);
      if (kind === 'symlink') {
        current = await openStream(zip, entry, name);
        refuseUnlessPlain(name, kind, await linkTarget(current));
      }
      refuseUnlessPlain(name, kind);
      if (entry.isEncrypted()) {
        throw new ArchiveRefused(name, `${JSON.stringify(name)} is encrypted; import an archive without a password`);
      }
      if (kind === 'directory') {
        if (relative !== '') await writer.directory(name, relative);
        continue;
      }
      if (relative === '')
        throw new ArchiveRefused(name, `the file entry ${JSON.stringify(name)} has no name once normalized; rename it`);
      budget.checkDeclared(name, entry.uncompressedSize, entry.compressedSize);
      budget.addArchiveRead(entry.compressedSize);
      current = await openStream(zip, entry, name);
      const mode = entry.versionMadeBy >> 8 === UNIX_HOST ? entry.externalFileAttributes >>> 16 : 0o644;
      await writer.file({ name, relative, mode, mtime: entry.getLastModDate(), data: guarded(current, name, signal) });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    current?.destroy();
    zip.close();
  }
}

function openStream(zip: ZipFile, entry: ZipEntry, name: string): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => (error ? reject(damaged(error, name)) : resolve(stream))),
  );
}

/** The entry's data, with its read errors (bad data, more bytes than declared) as refusals naming it. */
async function* guarded(stream: Readable, name: string, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw damaged(error, name);
  }
}

async function linkTarget(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= LINK_TARGET_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, LINK_TARGET_BYTES).toString('utf8');
}

function damaged(error: unknown, name: string | undefined): unknown {
  if (error instanceof ArchiveRefused || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && !code.startsWith('Z_')) return error;
  const where = name === undefined ? '' : ` at ${JSON.stringify(name)}`;
  return new ArchiveRefused(
    name,
    `the zip is damaged or not supported${where} (${error.message}); upload it again or check it with \`unzip -t\``,
  );
}
