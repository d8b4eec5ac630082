import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { Envtest } from './envtest.js';

/*
 * Plain HTTP on loopback in front of an envtest API server, for a client under test (the engine)
 * authenticating as one envtest user: every request it makes is recorded with its answer's status;
 * a list's resourceVersion and a watch's events (type, resourceVersion, a Status's code) are read
 * from the bodies as they pass. A test can also break the client's watches and hold its requests back.
 */

export interface WatchEventSeen {
  type: string;
  /** The object's metadata.resourceVersion (a BOOKMARK's too); none for an ERROR's Status. */
  resourceVersion?: string;
  /** An ERROR's Status code, e.g. 410. */
  code?: number;
}

export interface Recorded {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  /** The request's Content-Type, when it has a body (e.g. `application/merge-patch+json`). */
  contentType?: string;
  /** The answer's status; 0 until it comes, 502 when the API server could not be reached. */
  status: number;
  /** When the request arrived (Date.now()). */
  at: number;
  watch: boolean;
  /** A watch's `resourceVersion` query parameter. */
  watchFrom?: string;
  /** A successful list's metadata.resourceVersion. */
  listResourceVersion?: string;
  /** A watch's events, as they passed. */
  events: WatchEventSeen[];
}

export interface RecordingProxy {
  kubeConfig: KubeConfig;
  requests: Recorded[];
  /** Holds back the answers to DELETEs this long. */
  slowDeletesMs: number;
  /**
   * Breaks the open watches whose path starts with `pathPrefix` and holds back the client's requests
   * to it (a network partition for that collection); the returned function lets them through.
   */
  hold(pathPrefix: string): () => void;
  close(): Promise<void>;
}

function pathOf(recorded: Recorded): string {
  return new URL(recorded.path, 'http://proxy').pathname;
}

/** Reads a watch's newline-separated JSON events from the chunks that pass. */
function watchTap(recorded: Recorded): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (!line) continue;
      try {
        const event = JSON.parse(line) as {
          type: string;
          object?: { code?: number; metadata?: { resourceVersion?: string } };
        };
        recorded.events.push({
          type: event.type,
          ...(event.object?.metadata?.resourceVersion
            ? { resourceVersion: event.object.metadata.resourceVersion }
            : {}),
          ...(event.object?.code !== undefined ? { code: event.object.code } : {}),
        });
      } catch {
        recorded.events.push({ type: 'UNPARSABLE' });
      }
    }
  };
}

/** Reads a list's metadata.resourceVersion once its body has passed. */
function listTap(recorded: Recorded): { chunk: (chunk: Buffer) => void; end: () => void } {
  const chunks: Buffer[] = [];
  return {
    chunk: (chunk) => chunks.push(chunk),
    end: () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: { resourceVersion?: string } };
        if (body.metadata?.resourceVersion) recorded.listResourceVersion = body.metadata.resourceVersion;
      } catch {
        // not JSON: nothing to record
      }
    },
  };
}

/** A recording proxy in front of `envtest` for `user` (a key of envtest.tokens). */
export async function recordingProxy(envtest: Envtest, user: string): Promise<RecordingProxy> {
  const upstream = new URL(envtest.server);
  const ca = Buffer.from(envtest.kubeConfig.getCurrentCluster()?.caData ?? '', 'base64');
  const requests: Recorded[] = [];
  const openWatches = new Map<Recorded, Socket>();
  const holds = new Map<string, (() => void)[]>();
  const held = (recorded: Recorded) => [...holds.keys()].find((prefix) => pathOf(recorded).startsWith(prefix));

  const forward = (request: http.IncomingMessage, response: http.ServerResponse, recorded: Recorded) => {
    const forwarded = https.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
        ca,
      },
      (answer) => {
        recorded.status = answer.statusCode ?? 0;
        const pass = () => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          // A watch answers its headers before any event: pass them on at once, as the server does.
          response.flushHeaders();
          if (recorded.watch) {
            openWatches.set(recorded, request.socket);
            answer.on('data', watchTap(recorded));
            answer.on('close', () => openWatches.delete(recorded));
          } else if (request.method === 'GET' && recorded.status === 200) {
            const tap = listTap(recorded);
            answer.on('data', tap.chunk);
            answer.on('end', tap.end);
          }
          // The API server went away mid-answer (a watch when it stops): the client's connection ends too.
          answer.on('close', () => {
            if (!answer.complete) response.destroy();
          });
          answer.pipe(response);
        };
        // A slow answer to a DELETE (a busy API server): its watch event reaches the client first.
        if (request.method === 'DELETE' && proxy.slowDeletesMs > 0) setTimeout(pass, proxy.slowDeletesMs);
        else pass();
      },
    );
    forwarded.on('error', () => {
      // The API server is down or went away: what a client sees from a load balancer in front of it.
      if (recorded.status === 0) recorded.status = 502;
      if (response.headersSent) response.destroy();
      else response.writeHead(502).end();
    });
    response.on('close', () => forwarded.destroy());
    request.pipe(forwarded);
  };

  const server = http.createServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://proxy').searchParams;
    const recorded: Recorded = {
      method: request.method ?? '',
      path: request.url ?? '',
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      status: 0,
      at: Date.now(),
      watch: query.get('watch') === 'true',
      ...(query.get('watch') === 'true' && query.has('resourceVersion')
        ? { watchFrom: query.get('resourceVersion') ?? '' }
        : {}),
      events: [],
    };
    requests.push(recorded);
    const prefix = held(recorded);
    if (prefix !== undefined) holds.get(prefix)!.push(() => forward(request, response, recorded));
    else forward(request, response, recorded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    // Plain HTTP on loopback: client-node allows it only with TLS verification off (there is no TLS).
    clusters: [
      { name: 'proxy', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: user, token: envtest.tokens[user] }],
    contexts: [{ name: user, cluster: 'proxy', user }],
    currentContext: user,
  });

  const proxy: RecordingProxy = {
    kubeConfig,
    requests,
    slowDeletesMs: 0,
    hold(pathPrefix) {
      holds.set(pathPrefix, []);
      for (const [recorded, socket] of openWatches) if (pathOf(recorded).startsWith(pathPrefix)) socket.destroy();
      return () => {
        const waiting = holds.get(pathPrefix) ?? [];
        holds.delete(pathPrefix);
        for (const go of waiting) go();
      };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
