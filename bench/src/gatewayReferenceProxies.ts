import http from 'node:http';
import { UpstreamPools } from '@aiplat/backend/services/gateway/upstreamPools.js';

/**
 * bench:gateway's upstream and its reference proxies in Node.js, each run as its own process that
 * reports its port to its parent ({type: 'ready', port}).
 */

const BODY = Buffer.from(JSON.stringify({ model: 'tiny', output: [0.1, 0.2, 0.7], padding: 'x'.repeat(64) }));

/** The upstream every path reaches: a small JSON answer. */
export function upstream(): void {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }),
  );
}

export function bareProxy(upstreamPort: number): void {
  const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/services\/bench/, '') || '/';
    const upstreamRequest = http.request(
      { host: '127.0.0.1', port: upstreamPort, path, method: req.method, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    req.pipe(upstreamRequest);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }),
  );
}

/** The gateway's upstream client alone: an undici Pool, dispatch with back-pressure, no gateway logic. */
export function bareUndiciProxy(upstreamPort: number): void {
  const pool = new UpstreamPools().of({ host: '127.0.0.1', port: upstreamPort });
  const server = http.createServer((req, res) => {
    const headers: string[] = [];
    for (const name in req.headers)
      if (name !== 'host' && name !== 'connection') headers.push(name, String(req.headers[name]));
    pool.dispatch(
      { path: (req.url ?? '/').replace(/^\/services\/bench/, '') || '/', method: 'GET', headers, body: null },
      {
        onConnect: () => undefined,
        onError: () => res.destroy(),
        onHeaders: (status, raw, resume) => {
          const answer: string[] = [];
          for (let i = 0; i < raw.length; i += 2) {
            const name = raw[i]!.toString('latin1');
            if (!/^(connection|keep-alive)$/i.test(name)) answer.push(name, raw[i + 1]!.toString('latin1'));
          }
          res.writeHead(status, answer);
          res.on('drain', resume);
          return true;
        },
        onData: (chunk) => res.write(chunk),
        onComplete: () => res.end(),
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }),
  );
}
