import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Header } from 'tar-stream';

/** One file or folder of an export, with where its headers start in the archive. */
export interface TarPlanEntry {
  source: string;
  /** Its header as packed: `${rootName}/…`, folders ending in `/`, uid/gid 0, no user or group names. */
  header: Pick<Header, 'name' | 'type' | 'size' | 'mode' | 'mtime' | 'uid' | 'gid'>;
  offset: number;
  /** Bytes of its headers (a pax header included, for a long or non-ASCII name) before its content. */
  headerBytes: number;
}

/**
 * A tar of a folder, laid out before any byte is sent, so a range of it can be produced without the
 * bytes before it. Sizes of 8 GiB and more are written in base-256 in the same 512-byte header, so
 * header lengths never depend on sizes and every plan can serve ranges.
 */
export interface TarPlan {
  entries: TarPlanEntry[];
  totalBytes: number;
}

const BLOCK = 512;
/** Two zero blocks end a tar. */
const TRAILER = 2 * BLOCK;
/** Files up to this size are read with one read, larger ones streamed. */
const WHOLE_READ_BYTES = 1 << 20;
const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** Walks `dir` (symlinks are not followed; anything but files and folders is left out) into a plan. */
export async function planTar(dir: string, rootName: string): Promise<TarPlan> {
  if (rootName === '' || rootName.includes('/') || rootName === '.' || rootName === '..') {
    throw new Error(
      `the export's root name ${JSON.stringify(rootName)} must be one path segment (no "/", not "." or "..")`,
    );
  }
  const found: Omit<TarPlanEntry, 'offset' | 'headerBytes'>[] = [];
  async function walk(source: string, name: string): Promise<void> {
    const info = await lstat(source);
    const base = { mode: info.mode & 0o777, mtime: new Date(Math.floor(info.mtimeMs / 1000) * 1000), uid: 0, gid: 0 };
    if (info.isDirectory()) {
      found.push({ source, header: { ...base, name: `${name}/`, type: 'directory', size: 0 } });
      const children = await readdir(source);
      await Promise.all(children.map((child) => walk(path.join(source, child), `${name}/${child}`)));
    } else if (info.isFile()) {
      found.push({ source, header: { ...base, name, type: 'file', size: info.size } });
    }
  }
  const root = await lstat(dir);
  if (!root.isDirectory()) throw new Error(`cannot export ${dir}: it is not a folder`);
  await walk(dir, rootName);
  found.sort((a, b) => (a.header.name < b.header.name ? -1 : a.header.name > b.header.name ? 1 : 0));

  const lengths = await headerLengths(found.map((entry) => entry.header));
  const entries: TarPlanEntry[] = [];
  let offset = 0;
  found.forEach((entry, i) => {
    entries.push({ ...entry, offset, headerBytes: lengths[i]! });
    offset += lengths[i]! + padded(entry.header.size);
  });
  return { entries, totalBytes: offset + TRAILER };
}

/**
 * What tar-stream writes before each entry's content. An ASCII name of up to 100 bytes always fits a
 * 512-byte ustar header; the others are learnt by packing them with no content (header bytes do not
 * depend on the size): a 512-byte header or, for a name ustar cannot hold, a pax header (typeflag
 * 'x', the size of its records in octal at byte 124), its records and the header.
 */
async function headerLengths(headers: TarPlanEntry['header'][]): Promise<number[]> {
  const fitsUstar = (name: string) => name.length <= 100 && Buffer.byteLength(name) === name.length;
  const lengths = headers.map((header): number => (fitsUstar(header.name) ? BLOCK : 0));
  const others = headers.filter((_, i) => lengths[i] === 0);
  if (others.length === 0) return lengths;
  const pack = tar.pack();
  for (const header of others) pack.entry({ ...header, size: 0 }, Buffer.alloc(0));
  pack.finalize();
  const chunks: Uint8Array[] = [];
  for await (const chunk of pack) chunks.push(chunk as Uint8Array);
  const packed = Buffer.concat(chunks);
  let at = 0;
  for (let i = 0; i < headers.length; i++) {
    if (lengths[i] !== 0) continue;
    const pax = packed[at + 156] === 0x78;
    lengths[i] = pax ? BLOCK + padded(parseInt(packed.toString('latin1', at + 124, at + 136), 8)) + BLOCK : BLOCK;
    at += lengths[i]!;
  }
  if (at + TRAILER !== packed.length) throw new Error('tar headers were not laid out as expected');
  return lengths;
}

/** Bytes [start, end] (inclusive) of the archive `plan` describes; all of it without a range. */
export function tarStream(plan: TarPlan, range?: { start: number; end: number }): Readable {
  const start = range?.start ?? 0;
  const end = range?.end ?? plan.totalBytes - 1;
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    end >= plan.totalBytes
  ) {
    throw new RangeError(
      `the range ${start}-${end} is not within the archive's ${plan.totalBytes} bytes (0-${plan.totalBytes - 1})`,
    );
  }
  return Readable.from(slice(plan, start, end), { objectMode: false });
}

async function* slice(plan: TarPlan, start: number, end: number): AsyncGenerator<Uint8Array> {
  const first = firstEntryEndingAfter(plan.entries, start);
  let position = first < plan.entries.length ? plan.entries[first]!.offset : plan.totalBytes - TRAILER;
  const pack = tar.pack();
  const feeding = feed(pack, plan.entries.slice(first)).catch((error: unknown) => pack.destroy(error as Error));
  try {
    for await (const data of pack) {
      const chunk = data as Uint8Array;
      const from = Math.max(start - position, 0);
      const to = Math.min(end + 1 - position, chunk.byteLength);
      position += chunk.byteLength;
      if (to > from) yield chunk.subarray(from, to);
      if (position > end) return;
    }
  } finally {
    pack.destroy();
    await feeding;
  }
}

/** The index of the first entry whose headers and content reach past `offset`. */
function firstEntryEndingAfter(entries: TarPlanEntry[], offset: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const entry = entries[mid]!;
    if (entry.offset + entry.headerBytes + padded(entry.header.size) <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Small files read ahead of the one being packed, so their reads overlap. */
const READ_AHEAD = 8;

async function feed(pack: tar.Pack, entries: TarPlanEntry[]): Promise<void> {
  const small = (entry: TarPlanEntry) => entry.header.type === 'file' && entry.header.size <= WHOLE_READ_BYTES;
  const loads = new Map<number, Promise<Buffer>>();
  let ahead = 0;
  const readAhead = (from: number) => {
    for (ahead = Math.max(ahead, from); ahead < entries.length && ahead < from + READ_AHEAD; ahead++) {
      if (!small(entries[ahead]!)) continue;
      const load = readWhole(entries[ahead]!);
      load.catch(() => undefined); // awaited in order below
      loads.set(ahead, load);
    }
  };
  for (let i = 0; i < entries.length; i++) {
    if (pack.destroying) return;
    const entry = entries[i]!;
    readAhead(i);
    if (entry.header.type === 'directory') {
      pack.entry({ ...entry.header });
    } else if (small(entry)) {
      const content = await loads.get(i)!;
      loads.delete(i);
      // The callback comes once the consumer took the bytes: the backpressure for small files.
      await new Promise<void>((resolve, reject) =>
        pack.entry({ ...entry.header }, content, (error) => (error ? reject(error) : resolve())),
      );
    } else {
      const handle = await open(entry.source, 'r');
      try {
        await checkSize(handle, entry);
        const content = handle.createReadStream({
          start: 0,
          end: entry.header.size - 1,
          autoClose: false,
          highWaterMark: 1 << 20,
        });
        await pipeline(content, pack.entry({ ...entry.header }));
        await checkSize(handle, entry);
      } finally {
        await handle.close();
      }
    }
  }
  pack.finalize();
}

/** A small file's content, exactly its planned size. */
async function readWhole(entry: TarPlanEntry): Promise<Buffer> {
  const planned = entry.header.size;
  const handle = await open(entry.source, 'r');
  try {
    const content = Buffer.allocUnsafe(planned);
    let read = 0;
    for (let n = -1; read < planned && n !== 0; read += n) {
      n = (await handle.read(content, read, planned - read, read)).bytesRead;
    }
    await checkSize(handle, entry, read);
    return content;
  } finally {
    await handle.close();
  }
}

/** Errors when the file is no longer the size the plan (and so the archive's layout) has for it. */
async function checkSize(handle: FileHandle, entry: TarPlanEntry, read?: number): Promise<void> {
  const planned = entry.header.size;
  const now = (await handle.stat()).size;
  if (now !== planned || (read !== undefined && read !== planned)) {
    throw new Error(
      `${entry.source} changed size while it was exported (${planned} bytes planned, ${now} now); start the download again`,
    );
  }
}
