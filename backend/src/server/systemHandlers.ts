import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  API_VERSION,
  buildOpenApiDocument,
  type ContainerRuntimeInfo,
  type Readiness,
  type RootInfo,
} from '@aiplat/api';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import type { Handlers } from './handlers.js';
import type { ServerMetrics } from './metrics.js';

export const SERVER_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;

const ROOTS: RootInfo[] = [
  { name: 'home', displayPath: '/work/home', writable: true },
  { name: 'cache', displayPath: '/work/cache', writable: true },
  { name: 'mount', displayPath: '/work/mount', writable: false },
];

export function createSystemHandlers(deps: {
  config: Config;
  store: Store;
  metrics: ServerMetrics;
  /** The local engine's container runtime (it may still be looking for one: then this waits). */
  containerRuntime: () => Promise<ContainerRuntimeInfo>;
}): Pick<Handlers, 'health' | 'ready' | 'metrics' | 'info' | 'openapi'> {
  let openApi: Record<string, unknown> | undefined;
  return {
    health: async () => ({ status: 'ok' }),
    ready: async (_input, ctx) => {
      const checks: Readiness['checks'] = {
        store: deps.store.ping() ? { ok: true } : { ok: false, message: 'the database does not answer' },
      };
      try {
        await access(deps.config.workRoot, constants.R_OK | constants.W_OK);
        checks.workRoot = { ok: true };
      } catch {
        checks.workRoot = { ok: false, message: `${deps.config.workRoot} is not readable and writable` };
      }
      const ready = Object.values(checks).every((c) => c.ok);
      if (!ready) ctx.res.status(503);
      return { status: ready ? 'ready' : 'not-ready', checks };
    },
    metrics: async () => deps.metrics.registry.metrics(),
    info: async (_input, ctx) => ({
      apiVersion: API_VERSION,
      serverVersion: SERVER_VERSION,
      user: ctx.user.name,
      engine: deps.config.engine,
      roots: ROOTS,
      limits: { maxUploadBytes: deps.config.maxUploadBytes },
      containerRuntime: await deps.containerRuntime(),
    }),
    openapi: async () => (openApi ??= buildOpenApiDocument(SERVER_VERSION)),
  };
}
