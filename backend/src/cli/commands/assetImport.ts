import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TransformStream } from 'node:stream/web';
import type { Command } from 'commander';
import {
  formatBytes,
  type ApiClient,
  type Asset,
  type AssetKind,
  type AssetTask,
  type ImportSource,
} from '@aiplat/api';
import type { AssetMessages } from '../assetMessages.js';
import { UsageError, type CliContext, type Connection } from '../context.js';
import { findAsset } from './assetLookup.js';
import { followTask } from './assetTaskFollow.js';
import { cliPath } from './files.js';

export interface ImportOptions {
  folder?: string;
  job?: string;
  subPath?: string;
  url?: string;
  file?: string;
  /** false with --no-extract. */
  extract: boolean;
  into?: string;
  /** A model's share token (`--share-token`: the program's own `--token` is the API token, wherever it is given). */
  shareToken?: string;
  description?: string;
  detach?: boolean;
}

/** Where the options say to import from: one source, or a usage error. */
export function importSource(
  m: AssetMessages,
  kind: AssetKind,
  options: ImportOptions,
): ImportSource | { type: 'upload'; file: string } {
  const given = (['folder', 'job', 'url', 'file', 'shareToken'] as const).filter((key) => options[key] !== undefined);
  if (given.length !== 1) throw new UsageError(m.import.oneSource);
  if (options.subPath !== undefined && !options.job) throw new UsageError(m.import.subPathForJob);
  if (options.into !== undefined && !options.file) throw new UsageError(m.import.intoForFile);
  if (options.folder !== undefined) return { type: 'folder', path: options.folder };
  if (options.job !== undefined)
    return { type: 'job', jobId: options.job, ...(options.subPath !== undefined ? { subPath: options.subPath } : {}) };
  if (options.url !== undefined)
    return { type: 'url', url: options.url, ...(options.extract ? {} : { extract: false }) };
  if (options.shareToken !== undefined) {
    if (kind !== 'models') throw new UsageError(m.import.tokenForModels);
    return { type: 'share', token: options.shareToken };
  }
  return { type: 'upload', file: options.file! };
}

/**
 * Streams a local file into the asset (never whole in memory), printing how much went up at most
 * once a second; resolves with the import task once the server has the whole file.
 */
async function upload(
  ctx: CliContext,
  m: AssetMessages,
  client: ApiClient,
  asset: Asset,
  file: string,
  options: ImportOptions,
): Promise<AssetTask> {
  const full = cliPath(ctx, file);
  let size: number;
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw new UsageError(m.import.cannotRead(file, 'it is a folder'));
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(m.import.cannotRead(file, code === 'ENOENT' ? 'no such file' : (error as Error).message));
  }
  const name = path.basename(full);
  let sent = 0;
  let shownAt = 0;
  const show = (force: boolean) => {
    const now = ctx.now().getTime();
    if (!force && now - shownAt < 1000) return;
    shownAt = now;
    const percent = size > 0 ? Math.floor((sent / size) * 100) : 100;
    ctx.info(m.import.uploading(name, formatBytes(sent), formatBytes(size), percent));
  };
  const counted = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      sent += chunk.byteLength;
      show(sent === size);
      controller.enqueue(chunk);
    },
  });
  // The same class as the global ReadableStream: the client sends it streamed (duplex: 'half').
  const body = Readable.toWeb(createReadStream(full)).pipeThrough(counted);
  if (size === 0) show(true);
  return client.uploadIntoAsset({
    params: { kind: asset.kind, id: asset.id },
    query: {
      fileName: name,
      ...(options.extract ? {} : { extract: 'false' as const }),
      ...(options.into !== undefined ? { into: options.into } : {}),
    },
    data: body as unknown as Parameters<ApiClient['uploadIntoAsset']>[0]['data'],
  });
}

/** `aiplat dataset|model import NAME --folder|--job|--url|--file|--share-token …`. */
export function registerAssetImport(
  group: Command,
  ctx: CliContext,
  m: AssetMessages,
  kind: AssetKind,
  connect: (command: Command) => Connection,
): void {
  const command = group
    .command('import')
    .description(m.import.description(kind))
    .argument('<name>', m.name(kind))
    .option('--folder <path>', m.import.folder)
    .option('--job <id>', m.import.job)
    .option('--sub-path <path>', m.import.subPath)
    .option('--url <url>', m.import.url)
    .option('--file <file>', m.import.file)
    .option('--no-extract', m.import.noExtract);
  command.option('--share-token <token>', m.import.token);
  if (kind === 'datasets') command.option('--into <folder>', m.import.into);
  else command.option('--description <text>', m.import.descriptionOption);
  command.option('--detach', m.detach).action(async (name: string, options: ImportOptions, cmd: Command) => {
    const source = importSource(m, kind, options);
    const conn = connect(cmd);
    const asset = await findAsset(conn.client, m, kind, name);
    const task =
      source.type === 'upload'
        ? await upload(ctx, m, conn.client, asset, source.file, options)
        : await conn.client.importIntoAsset({
            params: { kind, id: asset.id },
            body: {
              source,
              ...(options.description !== undefined ? { description: options.description } : {}),
            },
          });
    ctx.info(m.import.started(task.id, asset.name));
    if (options.detach) {
      ctx.out(`${task.id}\n`);
      ctx.info(m.task.detached(task.id, m.noun(kind)));
      return;
    }
    ctx.exitCode = await followTask(conn, ctx, m, task);
  });
}
