import { createHash, type Hash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlib } from 'node:zlib';
import { createParallelGzip } from './parallelGzip.js';
import tar from 'tar-stream';
import { displayPath, entryFromStats, type FsEntry } from './fsEntry.js';
import { entryHeader, opaqueHeader, whiteoutHeader, type LayerHeader } from './tarHeaders.js';
import type { DiffItem, TreeDiff } from './treeDiff.js';

export interface LayerProgress {
  /** File content written so far (compare with the preview's `bytes`). */
  bytes: number;
  /** Tar entries written so far: files, directories, links, whiteouts (compare with the preview's `entries`). */
  files: number;
}

export interface LayerResult {
  /** `sha256:` of the gzip stream: the layer's descriptor digest. */
  digest: string;
  /** `sha256:` of the uncompressed tar: the `diff_id` in the image config. */
  diffId: string;
  /** Bytes of the gzip stream. */
  size: number;
  files: number;
  bytes: number;
}

export interface WriteLayerOptions {
  /** The tree the diff was taken of, on this machine. */
  root: string;
  /** Receives the gzip'd tar; ended when the layer is complete. */
  output: Writable;
  onProgress?: (progress: LayerProgress) => void;
  gzipLevel?: number;
  signal?: AbortSignal;
}

const READ_CHUNK_BYTES = 1 << 20;

/**
 * What `writeLayer` will have written once done, as far as the scan knows: every item an entry,
 * each file's content once (hard links share theirs). A file that changes meanwhile moves it a little.
 */
export function plannedTotals(diff: TreeDiff): LayerProgress {
  let bytes = 0;
  const counted = new Set<string>();
  for (const item of diff.items) {
    if (item.op !== 'write' || item.entry.type !== 'file') continue;
    if (item.entry.nlink > 1) {
      const inode = `${item.entry.dev}:${item.entry.ino}`;
      if (counted.has(inode)) continue;
      counted.add(inode);
    }
    bytes += item.entry.size;
  }
  return { bytes, files: diff.items.length };
}
const NO_CONTENT = Buffer.alloc(0);

type TarSink = ReturnType<tar.Pack['entry']>;

/** A pass-through that hashes and counts what goes by. */
class DigestTap extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * Streams the diff as an OCI layer (a gzip'd tar) to `output`, reading each file from `root` as it
 * goes: nothing but one read buffer is held, nothing is written elsewhere. The digests of the tar
 * and of the gzip stream are computed on the way.
 *
 * The machine may still be in use, so each entry is looked at again when its turn comes: its
 * metadata is today's; one removed since the scan becomes a whiteout (or is left out if it is new);
 * one that changed type, or a file that shrank while read, stops the layer with an error naming it.
 * A file that grew is cut at the size its header gives.
 *
 * Extended attributes (file capabilities such as ping's cap_net_raw, ACLs) are not carried: Node has
 * no API to read them, and a layer entry written without them drops them in the saved image.
 *
 * Files are read with synchronous calls, as the scan walks: this runs in the agent's own process,
 * where nothing else waits on the event loop, and an asynchronous read would queue on libuv's thread
 * pool behind the blocks being compressed there (measured: half the time of a 100 MB save).
 */
export async function writeLayer(diff: TreeDiff, options: WriteLayerOptions): Promise<LayerResult> {
  const root = path.resolve(options.root);
  const pack = tar.pack();
  const tarTap = new DigestTap();
  const gzipTap = new DigestTap();
  const readBuffers = new ReadBuffers();
  const streamed = pipeline(
    pack,
    tarTap,
    createParallelGzip({
      level: options.gzipLevel ?? zlib.Z_DEFAULT_COMPRESSION,
      onConsumed: (chunk) => readBuffers.release(chunk),
    }),
    gzipTap,
    options.output,
    options.signal ? { signal: options.signal } : {},
  );
  const progress: LayerProgress = { bytes: 0, files: 0 };
  /** Regular files with more than one link, by device and inode: the path the tar already holds. */
  const firstLinkPath = new Map<string, string>();

  /** Adds an entry without content; the empty buffer ends it (a `file` entry would otherwise wait for one). */
  const add = (header: LayerHeader): Promise<void> =>
    new Promise((resolve, reject) => pack.entry(header, NO_CONTENT, (error) => (error ? reject(error) : resolve())));

  const writeItem = async (item: DiffItem): Promise<void> => {
    switch (item.op) {
      case 'whiteout':
        return add(whiteoutHeader(item.path));
      case 'opaque':
        return add(opaqueHeader(item.dir));
      case 'write': {
        const absolute = path.join(root, item.entry.path);
        const now = currentEntry(absolute, item.entry);
        if (now === undefined) {
          if (item.inBaseline) await add(whiteoutHeader(item.entry.path));
          return;
        }
        const inode = `${now.dev}:${now.ino}`;
        const linkTo = now.type === 'file' && now.nlink > 1 ? firstLinkPath.get(inode) : undefined;
        if (now.type === 'file' && linkTo === undefined) {
          if (now.nlink > 1) firstLinkPath.set(inode, now.path);
          await addFile(pack, now, absolute, readBuffers, (bytes) => {
            progress.bytes += bytes;
            // Within a large file too, so a progress bar moves while it is read.
            if (bytes === READ_CHUNK_BYTES) options.onProgress?.({ ...progress });
          });
        } else await add(entryHeader(now, linkTo));
      }
    }
  };

  const feed = async (): Promise<void> => {
    try {
      for (const item of diff.items) {
        options.signal?.throwIfAborted();
        await writeItem(item);
        progress.files++;
        options.onProgress?.({ ...progress });
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
      throw error;
    }
  };
  await Promise.all([feed(), streamed]);
  return {
    digest: `sha256:${gzipTap.hash.digest('hex')}`,
    diffId: `sha256:${tarTap.hash.digest('hex')}`,
    size: gzipTap.bytes,
    files: progress.files,
    bytes: progress.bytes,
  };
}

/** The entry as it is now, or undefined when it is gone. */
function currentEntry(absolute: string, scanned: FsEntry): FsEntry | undefined {
  try {
    const stats = lstatSync(absolute, { bigint: true });
    const now = entryFromStats(scanned.path, stats, stats.isSymbolicLink() ? readlinkSync(absolute) : undefined);
    if (now.type !== scanned.type) {
      throw new Error(
        `${displayPath(scanned.path)} changed from a ${scanned.type} to a ${now.type} while saving: save again`,
      );
    }
    return now;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Read buffers, filled again once the gzip stage has copied them (tar-stream and the digest pass
 * the same buffer along without keeping it): a fresh megabyte for each read costs more than the
 * read itself, as the kernel zeroes every new page.
 */
class ReadBuffers {
  private readonly free: Buffer[] = [];
  /** What was handed on (the buffer, or the part of it a short read filled) → its buffer. */
  private readonly lent = new WeakMap<Buffer, Buffer>();

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK_BYTES);
  }

  lend(buffer: Buffer, length: number): Buffer {
    const piece = length === buffer.length ? buffer : buffer.subarray(0, length);
    this.lent.set(piece, buffer);
    return piece;
  }

  release(piece: Buffer): void {
    const buffer = this.lent.get(piece);
    if (buffer === undefined) return;
    this.lent.delete(piece);
    this.free.push(buffer);
  }
}

async function addFile(
  pack: tar.Pack,
  entry: FsEntry,
  absolute: string,
  readBuffers: ReadBuffers,
  onBytes: (bytes: number) => void,
): Promise<void> {
  const file = openSync(absolute, 'r');
  try {
    let sinkError: Error | undefined;
    let sink!: TarSink;
    const written = new Promise<void>((resolve, reject) => {
      sink = pack.entry(entryHeader(entry), (error) => (error ? reject(error) : resolve()));
    });
    sink.on('error', (error: Error) => (sinkError = error));
    let remaining = entry.size;
    while (remaining > 0) {
      // Never one still queued: tar-stream keeps what it is given, uncopied, until the gzip stage copies it.
      const buffer = readBuffers.take();
      const bytesRead = readSync(file, buffer, 0, Math.min(buffer.length, remaining), entry.size - remaining);
      if (bytesRead === 0) {
        const error = new Error(
          `${displayPath(entry.path)} shrank from ${entry.size} to ${entry.size - remaining} bytes while saving: stop what writes it, or exclude it, and save again`,
        );
        sink.destroy(error);
        throw error;
      }
      remaining -= bytesRead;
      onBytes(bytesRead);
      if (!sink.write(readBuffers.lend(buffer, bytesRead))) {
        await drainedOrClosed(sink);
      }
      if (sinkError) throw sinkError;
    }
    sink.end(undefined); // streamx types want an argument; undefined means none
    await written;
  } finally {
    closeSync(file);
  }
}

function drainedOrClosed(sink: TarSink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}
