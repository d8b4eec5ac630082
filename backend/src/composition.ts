import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { createPlatformServer, type PlatformServer } from './server/app.js';
import { ServerMetrics } from './server/metrics.js';
import { createSystemHandlers } from './server/systemHandlers.js';
import { SqliteStore } from './store/sqliteStore.js';
import type { Store } from './store/store.js';
import { createFileHandlers } from './workspace/fileHandlers.js';
import { PathResolver } from './workspace/pathResolver.js';
import { createPreviewHandlers } from './workspace/previewHandlers.js';
import { seedWorkRoot } from './workspace/seed.js';

export interface Platform {
  config: Config;
  store: Store;
  server: PlatformServer;
  users: { name: string; token: string }[];
  /** True when the token was generated (and kept in the store) rather than configured. */
  generatedToken: boolean;
  seeded: string[];
  log: Logger;
  close(): Promise<void>;
}

/** Configured users, or the default user with a token generated once and kept in the store. */
export function resolveUsers(config: Config, store: Store): { users: Platform['users']; generated: boolean } {
  if (config.users.length > 0) return { users: [...config.users], generated: false };
  const key = `token:${config.defaultUser}`;
  let token = store.getSetting(key);
  if (!token) {
    token = randomBytes(24).toString('base64url');
    store.setSetting(key, token);
  }
  return { users: [{ name: config.defaultUser, token }], generated: true };
}

/** The composition root: everything the backend needs, built from the configuration. */
export async function createPlatform(
  config: Config,
  options: { log?: Logger; processMetrics?: boolean } = {},
): Promise<Platform> {
  const log = options.log ?? pino({ level: config.logLevel, base: { service: 'aiplat-backend' } });
  await mkdir(config.workRoot, { recursive: true });
  const store = SqliteStore.inDataDir(config.dataDir);
  const { users, generated } = resolveUsers(config, store);
  const seeded = config.seedExamples
    ? (await seedWorkRoot(config.workRoot, users[0]?.name ?? config.defaultUser)).created
    : [];
  const resolver = new PathResolver(config.workRoot);
  const metrics = new ServerMetrics({ processMetrics: options.processMetrics ?? true });
  const server = createPlatformServer({
    options: { ...config, users },
    metrics,
    log,
    handlers: (hub) => ({
      ...createSystemHandlers({ config, store, metrics }),
      ...createFileHandlers({ resolver, events: hub, maxUploadBytes: config.maxUploadBytes }),
      ...createPreviewHandlers({ resolver }),
    }),
  });
  return {
    config,
    store,
    server,
    users,
    generatedToken: generated,
    seeded,
    log,
    close: async () => {
      await server.close();
      store.close();
    },
  };
}
