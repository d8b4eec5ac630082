import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ApiError, formatBytes, type ApiClient, type AssetKind } from '@aiplat/api';
import type { AssetMessages } from '../assetMessages.js';
import { UsageError, type CliContext } from '../context.js';

/*
 * `export NAME@vN --archive FILE.tar`: the version's tar streamed into FILE.tar.part, renamed to
 * FILE.tar once whole. A .part left by a broken download is resumed with a Range request; a server
 * that answers the whole archive instead (200) starts it over.
 */

/** The archive's total size from `Content-Range: bytes a-b/total`, else the length of a whole answer. */
export function archiveTotal(response: Response, start: number): number | undefined {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = Number(response.headers.get('content-length') ?? NaN);
  return Number.isFinite(length) ? length + (response.status === 206 ? start : 0) : undefined;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

export interface ArchiveTarget {
  kind: AssetKind;
  id: string;
  version: string;
}

/** Downloads the archive into `file` (resuming `file.part`); resolves with its size in bytes. */
export async function downloadArchive(
  ctx: CliContext,
  m: AssetMessages,
  client: ApiClient,
  target: ArchiveTarget,
  file: string,
  shownName: string,
): Promise<number> {
  const part = `${file}.part`;
  let start = await sizeOf(part);
  const params = { params: { kind: target.kind, id: target.id, version: target.version } };
  let response: Response;
  try {
    response = await client.exportVersionArchive(params, start > 0 ? { headers: { range: `bytes=${start}-` } } : {});
  } catch (error) {
    // The .part is as long as the archive (or longer): start over.
    if (!(error instanceof ApiError) || error.code !== 'range_not_satisfiable' || start === 0) throw error;
    await rm(part, { force: true });
    start = 0;
    response = await client.exportVersionArchive(params);
  }
  if (response.status !== 206) start = 0;
  else ctx.info(m.export.resuming(shownName, formatBytes(start)));
  const total = archiveTotal(response, start);
  let done = start;
  let shownAt = 0;
  const show = (force: boolean) => {
    const now = ctx.now().getTime();
    if (!force && now - shownAt < 1000) return;
    shownAt = now;
    const all = total ?? done;
    const percent = all > 0 ? Math.floor((done / all) * 100) : 100;
    ctx.info(m.export.downloading(shownName, formatBytes(done), formatBytes(all), percent));
  };
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      show(false);
      callback(null, chunk);
    },
  });
  if (!response.body) throw new ApiError('invalid_response', 'the archive came without a body');
  try {
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      counter,
      createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }),
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code) && code !== 'ECONNRESET')
      throw new UsageError(m.export.cannotWrite(path.basename(part), (error as Error).message));
    throw error;
  }
  show(true);
  await rename(part, file);
  return done;
}
