import type { Handlers } from '../server/handlers.js';
import { CatalogCache } from './catalog.js';
import type { PathResolver } from './pathResolver.js';
import { previewPath } from './previews/index.js';

export interface PreviewHandlerDeps {
  resolver: PathResolver;
  /** Defaults to a CatalogCache over `resolver` with the standard TTL. */
  catalog?: CatalogCache;
}

/** Wires the preview and catalog routes to their services. */
export function createPreviewHandlers(deps: PreviewHandlerDeps): Pick<Handlers, 'previewFile' | 'catalog'> {
  const catalog = deps.catalog ?? new CatalogCache(deps.resolver);
  return {
    previewFile: async ({ query }, ctx) => {
      const resolved = await deps.resolver.resolve(ctx.user.name, query.path, { access: 'read' });
      return previewPath(resolved, { limit: query.limit, maxBytes: query.maxBytes });
    },
    catalog: async ({ query }, ctx) => ({ items: await catalog.items(ctx.user.name, query.kind) }),
  };
}
