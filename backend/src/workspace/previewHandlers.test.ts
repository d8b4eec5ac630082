import { pino } from 'pino';
import type { Request, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, CatalogQuerySchema, PreviewQuerySchema } from '@aiplat/api';
import { tempWorkRoot, writeTree } from '../../../testing/src/backend/fixtures.js';
import type { RequestContext } from '../server/handlers.js';
import { CatalogCache } from './catalog.js';
import type { PathResolver } from './pathResolver.js';
import { createPreviewHandlers } from './previewHandlers.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;

const ctx: RequestContext = {
  user: { name: 'alice' },
  requestId: 'test',
  log: pino({ level: 'silent' }),
  signal: new AbortController().signal,
  req: {} as Request,
  res: {} as Response,
};

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup } = work);
  await writeTree(work.workRoot, {
    'home/alice/notes.txt': 'hello',
    'mount/datasets/d/data.csv': 'a,b\n1,2\n',
  });
});
afterAll(() => cleanup());

describe('createPreviewHandlers', () => {
  it('previews a path given by the user, confined by the resolver', async () => {
    const handlers = createPreviewHandlers({ resolver });
    const query = PreviewQuerySchema.parse({ path: 'home/notes.txt' });
    expect(await handlers.previewFile({ params: {}, query, body: undefined }, ctx)).toMatchObject({
      kind: 'text',
      content: 'hello',
    });
    const escape = PreviewQuerySchema.parse({ path: 'home/../../etc/passwd' });
    await expect(handlers.previewFile({ params: {}, query: escape, body: undefined }, ctx)).rejects.toBeInstanceOf(
      ApiError,
    );
    const missing = PreviewQuerySchema.parse({ path: 'home/nope.txt' });
    await expect(handlers.previewFile({ params: {}, query: missing, body: undefined }, ctx)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('answers the catalog from the cache, filtered by kind', async () => {
    const handlers = createPreviewHandlers({ resolver, catalog: new CatalogCache(resolver, { now: () => 0 }) });
    const all = await handlers.catalog({ params: {}, query: CatalogQuerySchema.parse({}), body: undefined }, ctx);
    expect(all).toMatchObject({ items: [{ kind: 'dataset', path: 'mount/datasets/d', format: 'csv' }] });
    expect(
      await handlers.catalog({ params: {}, query: CatalogQuerySchema.parse({ kind: 'model' }), body: undefined }, ctx),
    ).toEqual({ items: [] });
  });
});
