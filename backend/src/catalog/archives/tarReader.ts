import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { TransformOptions } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import type { ExtractBudget } from './budget.js';
import { refuseUnlessPlain, safeEntryPath, type EntryKind } from './entryPolicy.js';
import { abortReason, ArchiveRefused } from './refusal.js';
import type { TargetWriter } from './targetWriter.js';

/** gunzip output held ahead of the writer, so decompression goes on while files are written. */
const GUNZIP_BUFFER = 8 << 20;

function kindOf(header: Header): EntryKind {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return 'special';
    default:
      return 'unknown';
  }
}

/** Streams a tar or tar.gz into `writer`, never holding more of it than the stream buffers. */
export async function readTar(
  archivePath: string,
  gzip: boolean,
  writer: TargetWriter,
  budget: ExtractBudget,
  signal: AbortSignal | undefined,
): Promise<void> {
  const input = createReadStream(archivePath, { highWaterMark: 1 << 20 });
  input.on('data', (chunk) => budget.addArchiveRead(chunk.length));
  const extract = tar.extract();
  const gunzipOptions: ZlibOptions & TransformOptions = { chunkSize: 128 << 10, highWaterMark: GUNZIP_BUFFER };
  const stages = gzip ? [input, createGunzip(gunzipOptions), extract] : [input, extract];
  let streamError: unknown;
  const piped = pipeline(stages).catch((error: unknown) => {
    streamError = error;
    extract.destroy(error as Error);
  });
  const onAbort = () => input.destroy(abortReason(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const entry of extract) {
      const { header } = entry;
      budget.addEntry(header.name);
      const relative = safeEntryPath(header.name);
      const kind = kindOf(header);
      refuseUnlessPlain(header.name, kind, header.linkname ?? undefined);
      if (kind === 'directory') {
        entry.resume();
        if (relative !== '') await writer.directory(header.name, relative);
        continue;
      }
      if (relative === '') {
        throw new ArchiveRefused(
          header.name,
          `the file entry ${JSON.stringify(header.name)} has no name once normalized; rename it`,
        );
      }
      budget.checkDeclared(header.name, header.size ?? 0);
      await writer.file({
        name: header.name,
        relative,
        mode: header.mode ?? 0,
        mtime: header.mtime,
        data: entry as AsyncIterable<Uint8Array>,
      });
    }
    await piped;
    if (streamError !== undefined) throw streamError;
  } catch (error) {
    const cause = error instanceof ArchiveRefused ? error : (streamError ?? error);
    input.destroy();
    extract.destroy();
    await piped;
    throw damaged(cause, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A stream error of a broken archive, as a refusal that says so; other errors as they are. */
function damaged(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return abortReason(signal);
  if (error instanceof ArchiveRefused || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code?.startsWith('Z_') || /tar|header|unexpected end/i.test(error.message)) {
    return new ArchiveRefused(
      undefined,
      `the archive is damaged or truncated (${error.message}); upload it again or check it with \`tar -tf\``,
    );
  }
  return error;
}
