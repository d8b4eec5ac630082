import { pipeline } from 'node:stream/promises';
import { ApiError } from '@aiplat/api';
import { HANDLED, type Handlers } from '../server/handlers.js';
import { contentDisposition, parseRange } from '../workspace/transfer.js';
import { planTar, tarStream } from './archives/tarExport.js';
import type { AssetCatalog } from './assetCatalog.js';
import type { AssetCopies } from './assetCopies.js';
import type { AssetImports } from './assetImports.js';
import type { AssetShares } from './assetShares.js';

type CatalogRoute =
  | 'listAssets'
  | 'createAsset'
  | 'getAsset'
  | 'deleteAsset'
  | 'importIntoAsset'
  | 'uploadIntoAsset'
  | 'publishVersion'
  | 'deleteVersion'
  | 'accelerateVersion'
  | 'evictVersion'
  | 'exportVersionArchive'
  | 'exportVersion'
  | 'shareAsset'
  | 'listAssetShares'
  | 'revokeAssetShare'
  | 'redeemAssetShare'
  | 'listAssetTasks'
  | 'getAssetTask'
  | 'cancelAssetTask';

export interface CatalogParts {
  catalog: AssetCatalog;
  imports: AssetImports;
  shares: AssetShares;
  copies: AssetCopies;
}

export function createCatalogHandlers({
  catalog,
  imports,
  shares,
  copies,
}: CatalogParts): Pick<Handlers, CatalogRoute> {
  const tasks = catalog.deps.tasks;
  return {
    listAssets: async ({ params }, ctx) => ({ items: catalog.list(ctx.user.name, params.kind) }),
    createAsset: async ({ params, body }, ctx) => catalog.create(ctx.user.name, params.kind, body),
    getAsset: async ({ params }, ctx) => catalog.get(ctx.user.name, params.kind, params.id),
    deleteAsset: async ({ params }, ctx) => catalog.delete(ctx.user.name, params.kind, params.id),
    importIntoAsset: async ({ params, body }, ctx) =>
      imports.start(ctx.user.name, params.kind, params.id, body.source, body.description),
    uploadIntoAsset: async ({ params, query }, ctx) => {
      const length = ctx.req.headers['content-length'];
      return imports.upload(ctx.user.name, params.kind, params.id, {
        fileName: query.fileName,
        extract: query.extract,
        ...(query.into ? { into: query.into } : {}),
        body: ctx.req,
        ...(length !== undefined ? { contentLength: Number(length) } : {}),
      });
    },
    publishVersion: async ({ params, body }, ctx) =>
      catalog.publish(ctx.user.name, params.kind, params.id, body.description),
    deleteVersion: async ({ params }, ctx) =>
      catalog.deleteVersion(ctx.user.name, params.kind, params.id, params.version),
    accelerateVersion: async ({ params }, ctx) =>
      copies.accelerate(ctx.user.name, params.kind, params.id, params.version),
    evictVersion: async ({ params }, ctx) => copies.evict(ctx.user.name, params.kind, params.id, params.version),
    exportVersion: async ({ params, body }, ctx) =>
      copies.exportToFolder(ctx.user.name, params.kind, params.id, params.version, body.path),
    exportVersionArchive: async ({ params }, ctx) => {
      const record = catalog.visible(ctx.user.name, params.kind, params.id);
      const versions = record.sharedFrom ? catalog.sharedVersions(record) : record.versions;
      const version = versions.find((v) => v.version === params.version);
      if (!version) throw new ApiError('not_found', `${record.name} has no version ${params.version}`);
      if (version.state !== 'ready')
        throw new ApiError('conflict', `${record.name}@${params.version} is ${version.state}`);
      const name = `${record.name}-${params.version}`;
      const plan = await planTar(await catalog.versionDir(record, params.version), name);
      // A version never changes, so its identity is a validator good enough for If-Range.
      const etag = `"${record.id}-${params.version}-${plan.totalBytes.toString(16)}"`;
      const { req, res } = ctx;
      const ifRange = req.headers['if-range'];
      const range = parseRange(!ifRange || ifRange === etag ? req.headers.range : undefined, plan.totalBytes);
      if (range.kind === 'unsatisfiable') {
        res.setHeader('Content-Range', `bytes */${plan.totalBytes}`);
        throw new ApiError(
          'range_not_satisfiable',
          `the range ${String(req.headers.range)} is outside the archive (${plan.totalBytes} bytes)`,
        );
      }
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('ETag', etag);
      res.setHeader('Cache-Control', 'private, no-cache');
      res.setHeader('Content-Type', 'application/x-tar');
      res.setHeader('Content-Disposition', contentDisposition(`${name}.tar`));
      const start = range.kind === 'partial' ? range.start : 0;
      const end = range.kind === 'partial' ? range.end : plan.totalBytes - 1;
      if (range.kind === 'partial') {
        res.status(206);
        res.setHeader('Content-Range', `bytes ${start}-${end}/${plan.totalBytes}`);
      }
      res.setHeader('Content-Length', String(end - start + 1));
      if (req.method === 'HEAD') {
        res.end();
        return HANDLED;
      }
      try {
        await pipeline(tarStream(plan, { start, end }), res, { signal: ctx.signal });
      } catch {
        // The status line is sent: a broken stream can only be cut (the client resumes with Range).
        if (!res.destroyed) res.destroy();
      }
      return HANDLED;
    },
    shareAsset: async ({ params, body }, ctx) =>
      shares.create(ctx.user.name, params.kind, params.id, body.version, body.expiresInHours),
    listAssetShares: async ({ params }, ctx) => ({ items: shares.list(ctx.user.name, params.kind, params.id) }),
    revokeAssetShare: async ({ params }, ctx) => shares.revoke(ctx.user.name, params.kind, params.id, params.shareId),
    redeemAssetShare: async ({ params, body }, ctx) => shares.redeem(ctx.user.name, params.kind, body.token, body.name),
    listAssetTasks: async ({ query }, ctx) => ({ items: tasks.list(ctx.user.name, query.assetId) }),
    getAssetTask: async ({ params }, ctx) => tasks.get(params.taskId, ctx.user.name),
    cancelAssetTask: async ({ params }, ctx) => tasks.cancel(params.taskId, ctx.user.name),
  };
}
