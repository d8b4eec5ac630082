import { randomUUID } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { link, lstat, open, readlink, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { ApiError, type UploadProgress, type WorkspaceEntry } from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import { entryAt, requireParent } from './fileOps.js';
import { UPLOAD_TEMP_PREFIX } from './folderReader.js';
import { isInside, type PathResolver, type ResolvedPath } from './pathResolver.js';

export const UPLOAD_PROGRESS_EVERY_BYTES = 256 * 1024;
export const UPLOAD_PROGRESS_EVERY_MS = 100;

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Checks, after opening, that the descriptor really lies inside the root: closes the window in
 * which a folder on the way could have been swapped for a symlink after the resolver checked it.
 * Linux only (`/proc/self/fd`); elsewhere the resolver's check stands alone.
 */
async function assertOpenedInside(fh: FileHandle, r: ResolvedPath): Promise<void> {
  let real: string;
  try {
    real = await readlink(`/proc/self/fd/${fh.fd}`);
  } catch {
    return;
  }
  if (!isInside(real, r.rootDir))
    throw new ApiError('path_outside_root', `${r.apiPath} moved outside /work/${r.root} while it was opened`);
}

// ---- download --------------------------------------------------------------------------------

export type RangeResult =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range against a file of `size` bytes (RFC 9110 14.1.2). Malformed headers and
 * multi-range requests are ignored (the whole file is sent), as the RFC allows.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'full' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/** `attachment` with an ASCII `filename` and, for any other name, an RFC 5987 `filename*`. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (ascii === name) return `attachment; filename="${name}"`;
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function etagOf(stats: Stats): string {
  return `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
}

export interface DownloadRequest {
  user: string;
  apiPath: string;
  req: Request;
  res: Response;
  signal: AbortSignal;
}

/**
 * Streams a file: Content-Type from its extension, Content-Length, ETag / Last-Modified,
 * Accept-Ranges, one `Range` (206 / 416 with `Content-Range: bytes *\/size`), `If-Range`, HEAD.
 * Throws ApiError before any byte is written; afterwards a broken stream just ends the response.
 */
export async function sendDownload(resolver: PathResolver, request: DownloadRequest): Promise<void> {
  const { req, res } = request;
  const r = await resolver.resolve(request.user, request.apiPath, { access: 'read' });
  let fh: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not hang; O_NOFOLLOW: the resolved real path is no link.
    fh = await open(r.absPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (errno(e) === 'ELOOP') throw new ApiError('path_outside_root', `${r.apiPath} became a link while it was opened`);
    if (errno(e) === 'ENOENT') throw new ApiError('not_found', `${r.apiPath} does not exist`);
    throw e;
  }
  let streaming = false;
  try {
    await assertOpenedInside(fh, r);
    const stats = await fh.stat();
    if (stats.isDirectory())
      throw new ApiError('bad_request', `${r.apiPath} is a folder; download files one at a time`);
    if (!stats.isFile()) throw new ApiError('bad_request', `${r.apiPath} is not a regular file`);
    const etag = etagOf(stats);
    const lastModified = stats.mtime.toUTCString();
    const ifRange = req.headers['if-range'];
    const rangeHeader = ifRange && ifRange !== etag && ifRange !== lastModified ? undefined : req.headers.range;
    const range = parseRange(rangeHeader, stats.size);

    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', lastModified);
    res.setHeader('Cache-Control', 'private, no-cache');
    if (range.kind === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${stats.size}`);
      throw new ApiError(
        'range_not_satisfiable',
        `the range ${String(req.headers.range)} is outside ${r.apiPath} (${stats.size} bytes)`,
      );
    }
    res.type(path.extname(r.absPath) || 'application/octet-stream');
    res.setHeader('Content-Disposition', contentDisposition(path.basename(r.apiPath)));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : stats.size - 1;
    if (range.kind === 'partial') {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${stats.size}`);
    } else {
      res.status(200);
    }
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || stats.size === 0) {
      res.end();
      return;
    }
    streaming = true;
    const stream = fh.createReadStream({ start, end, autoClose: true });
    try {
      await pipeline(stream, res, { signal: request.signal });
    } catch {
      // The client went away or the disk failed half-way: the status is sent, so just cut it.
      if (!res.destroyed) res.destroy();
    }
  } finally {
    if (!streaming) await fh.close();
  }
}

function isStreamAbort(e: unknown): boolean {
  const code = errno(e);
  return (
    code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as Error | undefined)?.message === 'aborted'
  );
}

// ---- upload ----------------------------------------------------------------------------------

export interface UploadRequest {
  user: string;
  apiPath: string;
  overwrite: boolean;
  uploadId?: string | undefined;
  /** The raw request body. */
  source: Readable;
  /** From Content-Length; undefined for a chunked body. */
  contentLength?: number | undefined;
  signal: AbortSignal;
}

export interface UploadReceiverDeps {
  resolver: PathResolver;
  events: EventPublisher;
  maxUploadBytes: number;
  now?: () => Date;
  progressEveryBytes?: number;
  progressEveryMs?: number;
}

/**
 * Receives an upload into a dot-prefixed temp file beside the target and renames it into place
 * when complete, so a refused, failed or aborted upload leaves nothing behind and never harms the
 * file it would replace. Progress goes to the uploading user on the `uploads` topic.
 */
export class UploadReceiver {
  private readonly now: () => Date;

  constructor(private readonly deps: UploadReceiverDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async receive(request: UploadRequest): Promise<WorkspaceEntry> {
    const { resolver, events, maxUploadBytes } = this.deps;
    const totalBytes = request.contentLength ?? null;
    let received = 0;
    let apiPath = request.apiPath;
    const publish = (state: UploadProgress['state'], error?: string): void => {
      if (request.uploadId === undefined) return;
      const data: UploadProgress = {
        uploadId: request.uploadId,
        path: apiPath,
        receivedBytes: received,
        totalBytes,
        state,
        ...(error ? { error } : {}),
      };
      events.publish('uploads', 'uploads', data, { user: request.user });
    };

    let tempPath: string | undefined;
    let fh: FileHandle | undefined;
    try {
      const r = await resolver.resolve(request.user, request.apiPath, { access: 'write', mustExist: false });
      apiPath = r.apiPath;
      if (r.exists) {
        if ((await lstat(r.absPath)).isDirectory()) throw new ApiError('conflict', `${r.apiPath} is a folder`);
        if (!request.overwrite)
          throw new ApiError('conflict', `${r.apiPath} already exists; pass overwrite=true to replace it`);
      }
      await requireParent(r, '; create it first');
      if (totalBytes !== null && totalBytes > maxUploadBytes) {
        throw new ApiError('payload_too_large', `the upload is ${totalBytes} bytes; the limit is ${maxUploadBytes}`);
      }

      tempPath = path.join(path.dirname(r.absPath), `${UPLOAD_TEMP_PREFIX}${randomUUID()}.part`);
      fh = await open(
        tempPath,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o644,
      );
      await assertOpenedInside(fh, r);
      await this.copyBody(
        request,
        fh,
        (bytes) => {
          received = bytes;
          if (received > maxUploadBytes)
            throw new ApiError('payload_too_large', `the upload passed the limit of ${maxUploadBytes} bytes`);
        },
        () => publish('receiving'),
      );
      if (totalBytes !== null && received !== totalBytes)
        throw new ApiError('bad_request', `the upload ended after ${received} of ${totalBytes} bytes`);
      await fh.sync();
      await fh.close();
      fh = undefined;
      await this.commit(tempPath, r, request.overwrite);
      tempPath = undefined;
      publish('done');
      return await entryAt({ ...r, exists: true });
    } catch (e) {
      await fh?.close().catch(() => undefined);
      if (tempPath !== undefined) await unlink(tempPath).catch(() => undefined);
      const error = e instanceof ApiError ? e : new ApiError('bad_request', 'the upload was interrupted', { cause: e });
      publish('failed', error.message);
      throw e instanceof ApiError || !(request.signal.aborted || isStreamAbort(e)) ? e : error;
    }
  }

  /** Copies the body with backpressure, reporting the running byte count and throttled progress. */
  private async copyBody(
    request: UploadRequest,
    fh: FileHandle,
    onBytes: (n: number) => void,
    onProgress: () => void,
  ): Promise<void> {
    const everyBytes = this.deps.progressEveryBytes ?? UPLOAD_PROGRESS_EVERY_BYTES;
    const everyMs = this.deps.progressEveryMs ?? UPLOAD_PROGRESS_EVERY_MS;
    const { source, signal } = request;
    if (signal.aborted) throw new ApiError('bad_request', 'the client went away');
    const onAbort = (): void => {
      source.destroy(new ApiError('bad_request', 'the client went away'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let received = 0;
    let reportedBytes = 0;
    let reportedAt = this.now().getTime();
    try {
      for await (const chunk of source) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        received += buf.length;
        onBytes(received);
        for (let off = 0; off < buf.length;) off += (await fh.write(buf, off)).bytesWritten;
        const at = this.now().getTime();
        if (received - reportedBytes >= everyBytes || at - reportedAt >= everyMs) {
          reportedBytes = received;
          reportedAt = at;
          onProgress();
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) throw new ApiError('bad_request', 'the client went away');
  }

  /** Moves the finished temp file into place; without overwrite, never replaces a file that appeared meanwhile. */
  private async commit(tempPath: string, r: ResolvedPath, overwrite: boolean): Promise<void> {
    if (overwrite) {
      await rename(tempPath, r.absPath);
      return;
    }
    try {
      // link() fails with EEXIST atomically, unlike rename().
      await link(tempPath, r.absPath);
      await unlink(tempPath);
    } catch (e) {
      const code = errno(e);
      if (code === 'EEXIST')
        throw new ApiError('conflict', `${r.apiPath} was created by someone else during the upload`);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
      // File systems without hard links: check, then rename (a narrow race remains there).
      const exists = await lstat(r.absPath).then(
        () => true,
        () => false,
      );
      if (exists) throw new ApiError('conflict', `${r.apiPath} was created by someone else during the upload`);
      await rename(tempPath, r.absPath);
    }
  }
}
