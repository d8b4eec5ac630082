import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline as pipe, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, constants as zlib } from 'node:zlib';
import type { EntryType, FsEntry } from './fsEntry.js';
import type { SkippedPath } from './skipRules.js';
import type { TreeScan } from './treeScanner.js';

/*
 * A baseline file is gzip'd NDJSON: a header object, then one JSON array a line per entry, in the
 * scan's tree order. Arrays (no repeated keys) keep a million entries to a few tens of MB, and
 * JSON.parse reads them faster than any hand-written decoder in JavaScript; times are strings as
 * JSON has no 64-bit integers.
 */
const FORMAT = 'aiplat-snapshot-baseline';
const VERSION = 1;
const LINES_PER_CHUNK = 2_000;

interface BaselineHeader {
  format: typeof FORMAT;
  version: number;
  root: string;
  entries: number;
  skipped: SkippedPath[];
}

type EntryRow = [
  path: string,
  type: EntryType,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtimeNs: string,
  ctimeNs: string,
  dev: number,
  ino: number,
  nlink: number,
  rdev: number,
  linkTarget?: string,
];

export class BaselineError extends Error {}

/** Writes the scan to `file` (through a `.partial` sibling, renamed when complete). */
export async function writeBaseline(file: string, scan: TreeScan): Promise<void> {
  const partial = partialPathOf(file);
  await mkdir(path.dirname(file), { recursive: true });
  const header: BaselineHeader = {
    format: FORMAT,
    version: VERSION,
    root: scan.root,
    entries: scan.entries.length,
    skipped: scan.skipped,
  };
  function* lines(): Generator<string> {
    yield `${JSON.stringify(header)}\n`;
    const { entries } = scan;
    for (let start = 0; start < entries.length; start += LINES_PER_CHUNK) {
      let chunk = '';
      for (const entry of entries.slice(start, start + LINES_PER_CHUNK)) chunk += `${JSON.stringify(toRow(entry))}\n`;
      yield chunk;
    }
  }
  try {
    await pipeline(
      Readable.from(lines()),
      createGzip({ level: zlib.Z_BEST_SPEED }),
      createWriteStream(partial, { mode: 0o600 }),
    );
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

export interface Baseline {
  root: string;
  entries: FsEntry[];
  skipped: SkippedPath[];
}

export async function readBaseline(file: string): Promise<Baseline> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  // The callback form hands a read error (a missing file) on to the gunzip stream the lines come from.
  pipe(input, gunzip, () => {});
  const lines = splitLines(gunzip);
  try {
    const first = await lines.next();
    const header = first.done ? undefined : (parseJson(first.value, file, 1) as Partial<BaselineHeader>);
    if (header?.format !== FORMAT) throw new BaselineError(`${file} is not a snapshot baseline`);
    if (header.version !== VERSION) {
      throw new BaselineError(`${file} is a version ${header.version} baseline; this agent reads version ${VERSION}`);
    }
    const entries: FsEntry[] = [];
    let lineNumber = 1;
    for await (const line of lines) entries.push(fromRow(parseJson(line, file, ++lineNumber) as EntryRow));
    if (entries.length !== header.entries) {
      throw new BaselineError(`${file} is cut short: ${entries.length} of ${header.entries} entries`);
    }
    return { root: header.root ?? '/', entries, skipped: header.skipped ?? [] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BaselineError(
        `no baseline at ${file}: the agent records one at the machine's first start (snapshot-agent baseline --baseline ${file})`,
      );
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
      throw new BaselineError(`${file} is not a snapshot baseline (not gzip data, or cut short)`);
    }
    throw error;
  } finally {
    input.destroy();
  }
}

/** The temporary sibling a baseline is written to; the scanner must leave it out like the baseline. */
export function partialPathOf(file: string): string {
  return `${file}.partial`;
}

async function* splitLines(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  let rest = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '') yield line;
  }
  if (rest !== '') yield rest;
}

function parseJson(line: string, file: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new BaselineError(`${file} line ${lineNumber} is damaged`);
  }
}

function toRow(entry: FsEntry): EntryRow {
  const row: EntryRow = [
    entry.path,
    entry.type,
    entry.mode,
    entry.uid,
    entry.gid,
    entry.size,
    entry.mtimeNs.toString(),
    entry.ctimeNs.toString(),
    entry.dev,
    entry.ino,
    entry.nlink,
    entry.rdev,
  ];
  if (entry.linkTarget !== undefined) row.push(entry.linkTarget);
  return row;
}

function fromRow(row: EntryRow): FsEntry {
  const [path, type, mode, uid, gid, size, mtimeNs, ctimeNs, dev, ino, nlink, rdev, linkTarget] = row;
  const entry: FsEntry = {
    path,
    type,
    mode,
    uid,
    gid,
    size,
    mtimeNs: BigInt(mtimeNs),
    ctimeNs: BigInt(ctimeNs),
    dev,
    ino,
    nlink,
    rdev,
  };
  if (linkTarget !== undefined) entry.linkTarget = linkTarget;
  return entry;
}
