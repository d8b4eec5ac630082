import { afterAll, beforeAll, expect } from 'vitest';
import { ConnectionService, tokenKey } from '../connection/connectionService.js';
import { LiveEvents } from '../connection/liveEvents.js';
import { createNodeWebSocket } from '../connection/nodeWebSocket.js';
import { MemorySecretStore } from './memorySecretStore.js';
import { startRealBackend, type RealBackend } from '../../../testing/src/realBackend.js';

/**
 * What activation builds for the real backend, before connecting: a connection with its token
 * stored, and the live event socket over `ws` (it connects when the connection does).
 */
export async function servicesFor(
  backend: Pick<RealBackend, 'url' | 'token'>,
): Promise<{ connection: ConnectionService; events: LiveEvents }> {
  const secrets = new MemorySecretStore();
  await secrets.store(tokenKey(backend.url), backend.token);
  const connection = new ConnectionService({ serverUrl: () => backend.url, secrets });
  const events = new LiveEvents({
    onDidChangeState: (listener) => connection.onDidChangeState(listener),
    state: () => connection.state,
    token: () => connection.token(),
    createWebSocket: createNodeWebSocket,
    reconnect: false,
  });
  return { connection, events };
}

/** `servicesFor` the real backend, connected. */
export async function connectTo(backend: RealBackend): Promise<{ connection: ConnectionService; events: LiveEvents }> {
  const services = await servicesFor(backend);
  const state = await services.connection.connect();
  if (state.status !== 'connected') throw new Error(`cannot connect to the test backend: ${state.status}`);
  return services;
}

export interface ConnectedBackend {
  backend: RealBackend;
  connection: ConnectionService;
  events: LiveEvents;
}

/**
 * For a test file: the real backend, started once, and a connection to it with the event socket
 * ready; all closed after the file. The fields are set before the first test runs.
 */
export function useConnectedBackend(): ConnectedBackend {
  const live = {} as ConnectedBackend;
  beforeAll(async () => {
    live.backend = await startRealBackend();
    Object.assign(live, await connectTo(live.backend));
    expect(await live.events.ready()).toBe(true);
  });
  afterAll(async () => {
    live.events?.dispose();
    live.connection?.dispose();
    await live.backend?.close();
  });
  return live;
}

/** A 2-node DDP job that runs for real on the local engine in a moment. */
export const TWO_NODE_ECHO = {
  name: 't',
  mode: 'ddp',
  nodes: 2,
  command: 'echo hi',
  resources: { cpu: 0.1, memory: '64Mi' },
  workingDir: 'home',
} as const;
