import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransformStream, type ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApiError, type ApiClient, type AssetKind } from '@aiplat/api';

/*
 * Bytes between this machine and the server, free of `vscode`: a local file streamed into an
 * upload (never whole in memory), and a version's tar archive downloaded into FILE.part, resumed
 * with Range when a .part is there, renamed to FILE when whole.
 */

/** A local file as a request body, counting the bytes as they are read. */
export function countedFileBody(file: string, onBytes: (sent: number) => void): WebReadableStream<Uint8Array> {
  let sent = 0;
  return Readable.toWeb(createReadStream(file)).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        onBytes(sent);
        controller.enqueue(chunk);
      },
    }),
  );
}

export interface ArchiveRequest {
  kind: AssetKind;
  id: string;
  version: string;
  /** The local .tar file to end up with. */
  file: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined) => void;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The archive's whole size: from `Content-Range: bytes a-b/total`, else the length of a whole answer. */
export function archiveSize(response: Response, start: number): number | undefined {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = Number(response.headers.get('content-length') ?? NaN);
  return Number.isFinite(length) ? length + (response.status === 206 ? start : 0) : undefined;
}

/** Downloads the archive (resuming FILE.part); resolves with its size and where it resumed from. */
export async function downloadArchive(
  client: ApiClient,
  request: ArchiveRequest,
): Promise<{ bytes: number; resumedFrom: number }> {
  const part = `${request.file}.part`;
  let start = await sizeOf(part);
  const input = { params: { kind: request.kind, id: request.id, version: request.version } };
  const options = (from: number) => ({
    ...(request.signal ? { signal: request.signal } : {}),
    ...(from > 0 ? { headers: { range: `bytes=${from}-` } } : {}),
  });
  let response: Response;
  try {
    response = await client.exportVersionArchive(input, options(start));
  } catch (error) {
    // The .part is as long as the archive, or longer: start over.
    if (!(error instanceof ApiError) || error.code !== 'range_not_satisfiable' || start === 0) throw error;
    await rm(part, { force: true });
    start = 0;
    response = await client.exportVersionArchive(input, options(0));
  }
  if (response.status !== 206) start = 0;
  if (!response.body) throw new ApiError('invalid_response', 'the archive came without a body');
  const total = archiveSize(response, start);
  let done = start;
  request.onProgress?.(done, total);
  await pipeline(
    Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        done += chunk.length;
        request.onProgress?.(done, total);
        callback(null, chunk);
      },
    }),
    createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }),
    ...(request.signal ? [{ signal: request.signal }] : []),
  );
  await rename(part, request.file);
  return { bytes: done, resumedFrom: start };
}
