import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ServiceLimitsSchema, type ServiceAuthKind, type ServiceLimits } from '@aiplat/api';
import type { ReadyReplica } from '../../../backend/src/services/engine.js';
import type { GatewayDirectory, GatewayService } from '../../../backend/src/services/gateway/directory.js';

/*
 * The gateway's tests without a platform: real upstream processes (the chat server), a small
 * directory kept in the test, and the gateway on a plain node:http server.
 */

export const CHAT_SERVER = fileURLToPath(new URL('./chat_server.py', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

export interface ChatServer {
  port: number;
  child: ChildProcess;
  replica(version: number, index: number): ReadyReplica;
  /** Requests answered so far, by path. */
  stats(): Promise<Record<string, number>>;
  stop(): void;
}

/** testing/src/services/chat_server.py on a free loopback port, once it listens. */
export async function startChatServer(env: Record<string, string> = {}): Promise<ChatServer> {
  const port = await freePort();
  const child = spawn('python3', [CHAT_SERVER], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`chat_server.py exited with ${code}`)));
  });
  child.stdout!.resume();
  return {
    port,
    child,
    replica: (version, index) => ({
      key: `${version}/${index}`,
      version,
      index,
      target: { host: '127.0.0.1', port },
    }),
    stats: async () => {
      const response = await fetch(`http://127.0.0.1:${port}/stats`);
      return ((await response.json()) as { requests: Record<string, number> }).requests;
    },
    stop: () => child.kill('SIGKILL'),
  };
}

export interface TestService extends GatewayService {
  replicas: ReadyReplica[];
  domain?: string;
}

export function testService(
  name: string,
  replicas: ReadyReplica[],
  options: { auth?: ServiceAuthKind[]; limits?: Partial<ServiceLimits>; owner?: string; domain?: string } = {},
): TestService {
  const service: TestService = {
    name,
    owner: options.owner ?? 'alice',
    auth: options.auth ?? ['none'],
    limits: ServiceLimitsSchema.parse(options.limits ?? {}),
    serving: true,
    sleeping: false,
    replicas,
    ready: () => service.replicas,
    ...(options.domain ? { domain: options.domain } : {}),
  };
  return service;
}

export interface TestDirectory extends GatewayDirectory {
  services: Map<string, TestService>;
  appKeys: Map<string, { secret: string; enabled: boolean; owner: string; services: string[] }>;
  /** Bearer tokens by their text (the directory answers by SHA-256, as the real one). */
  addToken(
    text: string,
    token: { id: string; service: string; enabled: boolean; tokensPerMinute?: number; tokensPerDay?: number },
  ): void;
  pairs: { host: string; certificate: string; privateKey: string }[];
  woken: string[];
  /** Each accepted AppKey signature: the key and when. */
  appKeyUses: { appKey: string; atMs: number }[];
}

export function testDirectory(services: TestService[]): TestDirectory {
  const tokens = new Map<
    string,
    { id: string; service: string; enabled: boolean; tokensPerMinute?: number; tokensPerDay?: number }
  >();
  const directory: TestDirectory = {
    services: new Map(services.map((s) => [s.name, s])),
    appKeys: new Map(),
    pairs: [],
    woken: [],
    appKeyUses: [],
    byName: (name) => directory.services.get(name),
    byHost: (host) => [...directory.services.values()].find((s) => s.domain === host),
    wake: (name) => void directory.woken.push(name),
    appKey: (key) => directory.appKeys.get(key),
    appKeyUsed: (appKey, atMs) => void directory.appKeyUses.push({ appKey, atMs }),
    tokenByHash: (hash) => tokens.get(hash),
    addToken: (text, token) => void tokens.set(createHash('sha256').update(text).digest('hex'), token),
    tlsPairs: () => directory.pairs,
  };
  return directory;
}

export interface GatewayServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The gateway first, as the platform's server asks it; 418 for what it leaves. */
export async function serveGateway(gateway: {
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
}): Promise<GatewayServer> {
  const server = http.createServer((req, res) => {
    if (!gateway.handle(req, res)) res.writeHead(418).end('not the gateway’s');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!gateway.upgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Each chunk of a streamed answer's body with when it arrived, read to the end (unbuffered streams show gaps). */
export async function chunkArrivals(response: Response): Promise<{ at: number; text: string }[]> {
  const arrivals: { at: number; text: string }[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    arrivals.push({ at: Date.now(), text: decoder.decode(chunk, { stream: true }) });
  }
  return arrivals;
}
