import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createClient, createEventSocket, type ApiClient, type EventSocket, type WebSocketLike } from '@aiplat/api';
import { ConfigSchema, type Config } from '../../../backend/src/config.js';
import { createPlatform, type Platform } from '../../../backend/src/composition.js';
import type { DetectedRuntime } from '../../../backend/src/engines/local/containers/detectRuntime.js';

/** The log shim as built by `tsc -b` (tests run from source, where there is no .js beside it). */
export const BUILT_SHIM = fileURLToPath(
  new URL('../../../backend/dist/engines/local/supervisor/logShim.js', import.meta.url),
);

export const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef',
} as const;
export type TestUser = keyof typeof TOKENS;

export interface PlatformFixture {
  platform: Platform;
  baseUrl: string;
  dir: string;
  workRoot: string;
  client(user?: TestUser): ApiClient;
  events(user?: TestUser): EventSocket;
  /** fetch with the user's bearer token (pass `null` for none). */
  fetch(pathAndQuery: string, init?: RequestInit, user?: TestUser | null): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real platform on a random loopback port over a temp work root and data dir. With `dir` it runs
 * over that folder (a restarted backend) and leaves it in place on close.
 */
/**
 * Config fields to set; the dev machine and TensorBoard settings one by one (the schema fills in the
 * rest). Containers are off unless a test sets `containers` (each backend would start its own
 * Podman service otherwise).
 */
export type PlatformOverrides = Partial<Omit<Config, 'devMachines' | 'tensorboard' | 'services'>> & {
  services?: Partial<Config['services']>;
  devMachines?: Partial<Config['devMachines']>;
  tensorboard?: Partial<Config['tensorboard']>;
};

export async function startPlatform(
  overrides: PlatformOverrides = {},
  options: {
    kubeConfig?: KubeConfig;
    dir?: string;
    /** Instead of the detection `containers` asks for (which is none unless set). */
    detectContainerRuntime?: () => Promise<DetectedRuntime>;
    /** The clock of idle and auto-stop decisions. */
    clock?: () => number;
  } = {},
): Promise<PlatformFixture> {
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'aiplat-platform-')));
  const config = ConfigSchema.parse({
    port: 0,
    workRoot: path.join(dir, 'work'),
    dataDir: path.join(dir, 'data'),
    users: Object.entries(TOKENS).map(([name, token]) => ({ name, token })),
    logLevel: 'silent',
    shutdownGraceMs: 2000,
    containers: { runtime: 'none' },
    ...overrides,
  });
  const platform = await createPlatform(config, {
    log: pino({ level: 'silent' }),
    processMetrics: false,
    shimPath: BUILT_SHIM,
    ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}),
    ...(options.detectContainerRuntime ? { detectContainerRuntime: options.detectContainerRuntime } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const address = await platform.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const sockets: EventSocket[] = [];
  return {
    platform,
    baseUrl,
    dir,
    workRoot: config.workRoot,
    client: (user = 'alice') => createClient({ baseUrl, token: TOKENS[user] }),
    events: (user = 'alice') => {
      const socket = createEventSocket({
        baseUrl,
        token: TOKENS[user],
        createWebSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
      });
      sockets.push(socket);
      return socket;
    },
    fetch: (pathAndQuery, init = {}, user = 'alice') => {
      const headers = new Headers(init.headers);
      if (user) headers.set('authorization', `Bearer ${TOKENS[user]}`);
      return fetch(baseUrl + pathAndQuery, { ...init, headers });
    },
    close: async () => {
      for (const s of sockets) s.close();
      await platform.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
