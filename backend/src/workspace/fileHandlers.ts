import type { EventPublisher } from '../server/eventPublisher.js';
import { HANDLED, type Handlers } from '../server/handlers.js';
import { FileOps } from './fileOps.js';
import { DirectoryLister } from './directoryLister.js';
import type { PathResolver } from './pathResolver.js';
import { sendDownload, UploadReceiver } from './transfer.js';

export interface FileHandlerDeps {
  resolver: PathResolver;
  events: EventPublisher;
  maxUploadBytes: number;
  now?: () => Date;
  /** Shared lister (and its cache); one is made when absent. */
  lister?: DirectoryLister;
}

export type FileHandlers = Pick<
  Handlers,
  'listFiles' | 'statFile' | 'downloadFile' | 'uploadFile' | 'makeDirectory' | 'renameFile' | 'deleteFile'
>;

function contentLength(header: string | undefined): number | undefined {
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/** The /api/files routes: input arrives parsed and validated; each handler calls one service. */
export function createFileHandlers(deps: FileHandlerDeps): FileHandlers {
  const { resolver } = deps;
  const lister =
    deps.lister ?? new DirectoryLister(resolver, deps.now ? { nowMs: () => (deps.now as () => Date)().getTime() } : {});
  const ops = new FileOps(resolver);
  const uploads = new UploadReceiver({
    resolver,
    events: deps.events,
    maxUploadBytes: deps.maxUploadBytes,
    ...(deps.now ? { now: deps.now } : {}),
  });

  return {
    listFiles: ({ query }, ctx) => lister.list(ctx.user.name, query),
    statFile: ({ query }, ctx) => ops.stat(ctx.user.name, query.path),
    downloadFile: async ({ query }, ctx) => {
      await sendDownload(resolver, {
        user: ctx.user.name,
        apiPath: query.path,
        req: ctx.req,
        res: ctx.res,
        signal: ctx.signal,
      });
      return HANDLED;
    },
    uploadFile: async ({ query }, ctx) => {
      try {
        return await uploads.receive({
          user: ctx.user.name,
          apiPath: query.path,
          overwrite: query.overwrite,
          uploadId: query.uploadId,
          source: ctx.req,
          contentLength: contentLength(ctx.req.headers['content-length']),
          signal: ctx.signal,
        });
      } catch (e) {
        // The body may still be arriving: close the connection after the error rather than
        // read (and discard) the rest of it.
        if (!ctx.res.headersSent) ctx.res.setHeader('Connection', 'close');
        throw e;
      }
    },
    makeDirectory: ({ body }, ctx) => ops.mkdir(ctx.user.name, body.path, body.parents),
    renameFile: ({ body }, ctx) => ops.rename(ctx.user.name, body.from, body.to, body.overwrite),
    deleteFile: ({ query }, ctx) => ops.delete(ctx.user.name, query.path, query.recursive),
  };
}
