import http from 'node:http';
import type { Duplex } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataPlane } from '../../../backend/src/services/dataplane/dataPlane.js';
import { dataPlaneState } from '../../../backend/src/services/dataplane/dataPlaneState.js';
import { Gateway, type GatewayDeps } from '../../../backend/src/services/gateway/gateway.js';
import { freePort, serveGateway, type GatewayServer, type TestDirectory } from './gatewayHarness.js';

/*
 * The gateway behind its data plane, as the platform runs it: Debian's nginx with the Lua data plane
 * on a TCP port, the gateway on the backend's socket behind it (418 for what is not the gateway's).
 */

export interface DataPlaneGateway {
  gateway: Gateway;
  dataPlane: DataPlane;
  server: GatewayServer;
  registry: Registry;
  /** Pushes the directory's state and pulls the counts now (the data plane does it every second). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The gateway's deps a test may choose (the directory is the test's; the data plane is the harness'). */
export type GatewayOptions = Partial<Omit<GatewayDeps, 'directory' | 'shared' | 'log'>>;

export async function serveBehindDataPlane(
  directory: TestDirectory,
  options: GatewayOptions = {},
): Promise<DataPlaneGateway> {
  const registry = options.registry ?? new Registry();
  const log = pino({ level: 'silent' });
  const signatureWindowSeconds = options.signatureWindowSeconds ?? 300;
  const dataPlane = new DataPlane({
    nginx: 'nginx',
    state: () =>
      dataPlaneState({
        windowMs: signatureWindowSeconds * 1000,
        services: [...directory.services.values()].map((s) => ({
          name: s.name,
          auth: s.auth,
          limits: s.limits,
          state: s.serving ? 'Running' : s.sleeping ? 'Sleeping' : 'Stopped',
          ...(s.domain ? { domainHost: s.domain } : {}),
        })),
        ready: (name) => directory.services.get(name)?.ready() ?? [],
        appKeys: [...directory.appKeys].map(([appKey, key]) => ({ appKey, ...key })),
      }),
    // Pulled only once started, after the gateway below exists.
    absorb: (traffic) => gateway.absorb(traffic),
    syncIntervalMs: 100_000,
    shutdownGraceMs: 1_000,
    log,
  });
  const gateway = new Gateway({ directory, log, ...options, registry, signatureWindowSeconds, shared: dataPlane });
  const backend = backendServer(gateway);
  await new Promise<void>((resolve) => backend.listen(dataPlane.backendSocket, resolve));
  const port = await freePort();
  await dataPlane.start('127.0.0.1', port);
  const sync = () => dataPlane.sync();
  const server: GatewayServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      const stopped = dataPlane.close();
      await new Promise<void>((resolve) => {
        backend.close(() => resolve());
        backend.closeAllConnections();
      });
      await stopped;
    },
  };
  return {
    gateway,
    dataPlane,
    server,
    registry,
    sync,
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
}

/** Where a gateway suite runs: the gateway alone, or behind its data plane as the platform runs it. */
export const PLANES = ['gateway', 'behind its data plane'] as const;
export type Plane = (typeof PLANES)[number];

/** A gateway on a plane: what its suites use of either. */
export interface ServedGateway {
  gateway: Gateway;
  url: string;
  port: number;
  /** Pushes the directory to the data plane and pulls its counts; nothing to do for the gateway alone. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function serveOnPlane(
  plane: Plane,
  directory: TestDirectory,
  options: GatewayOptions = {},
): Promise<ServedGateway> {
  if (plane === 'behind its data plane') {
    const behind = await serveBehindDataPlane(directory, options);
    const { url, port } = behind.server;
    return { gateway: behind.gateway, url, port, sync: behind.sync, close: behind.close };
  }
  const gateway = new Gateway({
    directory,
    registry: new Registry(),
    signatureWindowSeconds: 300,
    log: pino({ level: 'silent' }),
    ...options,
  });
  const server = await serveGateway(gateway);
  return {
    gateway,
    url: server.url,
    port: server.port,
    sync: () => Promise.resolve(),
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
}

function backendServer(gateway: {
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
}): http.Server {
  const server = http.createServer((req, res) => {
    if (!gateway.handle(req, res)) res.writeHead(418).end('not the gateway’s');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!gateway.upgrade(req, socket, head)) socket.destroy();
  });
  return server;
}
