/**
 * Proxy benchmark (`npm run bench:proxy`): the platform's reverse proxy (ProxyCore, http-proxy-3)
 * between a client and an upstream on a Unix socket, against the same upstream reached directly.
 *
 * Three processes, so that each side has its own event loop (as a browser, the platform and an IDE
 * do): this one is the client (Node's http with a keep-alive http.Agent), a child (`upstream`)
 * serves on a Unix socket in a temp dir, another child (`front`) is a node http server that hands
 * every request under /p/ to `new ProxyCore().web(req, res, { target: { socketPath }, prefix: '/p/',
 * keepsPrefix: false })`, and every request under /bare/ to a bare Node.js pipe (http.request to
 * the socket, piped both ways): the least a Node.js proxy does, printed as a reference.
 *   (a) GET /big: 100 MiB generated in 64 KiB chunks from one preallocated buffer (streamed),
 *       downloaded directly over the socket and through the proxy over loopback TCP, bytes counted;
 *       MB/s (10^6 bytes), median of 3 each
 *   (b) GET /small: a ~200-byte JSON, 2,000 sequential requests on one keep-alive connection each
 *       way; median and p99 latency (request sent to response end)
 * Targets: (a) proxied >= 0.8x direct; (b) the proxy adds < 1 ms to the median.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProxyCore } from '@aiplat/backend/proxy/proxyCore.js';
import { median, percentile } from './stats.js';

const BIG_BYTES = Number(process.env.BENCH_PROXY_BIG_MB ?? 100) * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const DOWNLOAD_RUNS = 3;
const SMALL_REQUESTS = Number(process.env.BENCH_PROXY_REQUESTS ?? 2000);
const SMALL_WARMUP = 200;
const THROUGHPUT_TARGET = 0.8;
const ADDED_MEDIAN_TARGET_MS = 1;
const MB = 1e6;
const PREFIX = '/p/';
const BARE_PREFIX = '/bare/';

const SMALL_BODY = Buffer.from(
  JSON.stringify({
    id: 'dm-3f9c2a71',
    name: 'bench-small',
    state: 'Running',
    owner: 'bench',
    ides: ['jupyterlab', 'vscode'],
    resources: { cpu: 2, memory: '4Gi' },
    createdAt: '2026-12-05T06:00:00.000Z',
    padding: 'x'.repeat(24),
  }),
);

type Ready = { type: 'ready'; socketPath?: string; port?: number };

// ---- the upstream process ------------------------------------------------------------------------

async function upstream(socketPath: string): Promise<void> {
  const chunk = Buffer.alloc(CHUNK_BYTES, 'abcdefghijklmnopqrstuvwxyz0123456789\n');
  const server = http.createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG_BYTES });
      let left = BIG_BYTES;
      const write = () => {
        while (left > 0) {
          const n = Math.min(CHUNK_BYTES, left);
          left -= n;
          const more = res.write(n === CHUNK_BYTES ? chunk : chunk.subarray(0, n));
          if (left === 0) res.end();
          else if (!more) {
            res.once('drain', write);
            return;
          }
        }
      };
      res.on('close', () => (left = 0));
      write();
    } else if (req.url === '/small') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': SMALL_BODY.length });
      res.end(SMALL_BODY);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  process.send!({ type: 'ready', socketPath } satisfies Ready);
}

// ---- the front process: ProxyCore, and a bare pipe beside it ----------------------------------------

async function front(socketPath: string): Promise<void> {
  const proxy = new ProxyCore();
  const route = { target: { socketPath }, prefix: PREFIX, keepsPrefix: false };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith(BARE_PREFIX)) {
      const upstreamReq = http.request(
        { socketPath, method: req.method, path: req.url.slice(BARE_PREFIX.length - 1), headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstreamReq.on('error', () => res.destroy());
      req.pipe(upstreamReq);
      return;
    }
    proxy.web(req, res, route);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({ type: 'ready', port: (server.address() as { port: number }).port } satisfies Ready);
}

// ---- the client ------------------------------------------------------------------------------------

interface Target {
  label: string;
  agent: http.Agent;
  options: http.RequestOptions;
  prefix: string;
}

/** GETs `p` (after the target's prefix); resolves with the body's byte count and the time to its end. */
function get(target: Target, p: string): Promise<{ bytes: number; ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get({ ...target.options, agent: target.agent, path: target.prefix + p }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ bytes, ms: performance.now() - started, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function download(target: Target): Promise<number> {
  const { bytes, ms, status } = await get(target, 'big');
  if (status !== 200 || bytes !== BIG_BYTES) throw new Error(`${target.label}: /big gave ${status}, ${bytes} bytes`);
  return bytes / MB / (ms / 1000);
}

async function smallRequests(target: Target, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const { bytes, ms, status } = await get(target, 'small');
    if (status !== 200 || bytes !== SMALL_BODY.length) throw new Error(`${target.label}: /small gave ${status}`);
    times.push(ms);
  }
  return times;
}

function start(role: string, arg: string): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(fileURLToPath(import.meta.url), [role, arg], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (ready: Ready) => resolve({ child, ready }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-proxy-'));
  const children: ChildProcess[] = [];
  try {
    const socketPath = path.join(base, 'upstream.sock');
    const up = await start('upstream', socketPath);
    children.push(up.child);
    const fr = await start('front', socketPath);
    children.push(fr.child);
    const port = fr.ready.port!;
    const agent = () => new http.Agent({ keepAlive: true, maxSockets: 1 });
    const direct: Target = { label: 'direct', agent: agent(), options: { socketPath }, prefix: '/' };
    const proxied: Target = {
      label: 'proxied',
      agent: agent(),
      options: { host: '127.0.0.1', port },
      prefix: PREFIX,
    };
    const bare: Target = { label: 'bare', agent: agent(), options: { host: '127.0.0.1', port }, prefix: BARE_PREFIX };
    const targets = [direct, proxied, bare];

    // Warm every path (JIT, connections) before measuring.
    for (const t of targets) {
      await download(t);
      await smallRequests(t, SMALL_WARMUP);
    }
    const rates = new Map<Target, number[]>(targets.map((t) => [t, []]));
    for (let run = 0; run < DOWNLOAD_RUNS; run++) for (const t of targets) rates.get(t)!.push(await download(t));
    const latencies = new Map<Target, number[]>();
    for (const t of targets) latencies.set(t, await smallRequests(t, SMALL_REQUESTS));

    const rate = (t: Target) => median(rates.get(t)!);
    const lat = (t: Target) => median(latencies.get(t)!);
    const p99 = (t: Target) => percentile(latencies.get(t)!, 0.99);
    const rows: [string, Target][] = [
      ['direct (Unix socket)', direct],
      ['through ProxyCore (loopback TCP)', proxied],
      ['bare Node.js pipe (reference)', bare],
    ];
    console.log(
      `\nproxy: ${(BIG_BYTES / 1024 / 1024).toFixed(0)} MiB download x${DOWNLOAD_RUNS}, ` +
        `${SMALL_REQUESTS.toLocaleString('en')} small requests; node ${process.version}, ` +
        `${os.cpus().length} CPUs, ${os.platform()}`,
    );
    console.log(
      `${'path'.padEnd(34)} ${'MB/s'.padStart(8)} ${'runs (MB/s)'.padStart(20)} ${'median'.padStart(10)} ${'p99'.padStart(10)}`,
    );
    for (const [label, t] of rows) {
      console.log(
        `${label.padEnd(34)} ${rate(t).toFixed(0).padStart(8)} ` +
          `${rates
            .get(t)!
            .map((r) => r.toFixed(0))
            .join(' / ')
            .padStart(20)} ` +
          `${`${lat(t).toFixed(3)} ms`.padStart(10)} ${`${p99(t).toFixed(3)} ms`.padStart(10)}`,
      );
    }
    const ratio = rate(proxied) / rate(direct);
    const added = lat(proxied) - lat(direct);
    const throughputOk = ratio >= THROUGHPUT_TARGET;
    const latencyOk = added < ADDED_MEDIAN_TARGET_MS;
    console.log('');
    console.log(
      `throughput proxied / direct = ${ratio.toFixed(2)}x (target >= ${THROUGHPUT_TARGET}x): ${throughputOk ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `added median latency = ${added.toFixed(3)} ms (target < ${ADDED_MEDIAN_TARGET_MS} ms): ${latencyOk ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `reference: bare pipe / direct = ${(rate(bare) / rate(direct)).toFixed(2)}x, ` +
        `ProxyCore / bare pipe = ${(rate(proxied) / rate(bare)).toFixed(2)}x; ` +
        `bare pipe adds ${(lat(bare) - lat(direct)).toFixed(3)} ms to the median`,
    );
    for (const t of targets) t.agent.destroy();
    if (!throughputOk || !latencyOk) process.exitCode = 1;
  } finally {
    for (const child of children) {
      child.removeAllListeners('exit');
      child.kill();
    }
    await rm(base, { recursive: true, force: true });
  }
}

const [role, arg] = process.argv.slice(2);
if (role === 'upstream') await upstream(arg!);
else if (role === 'front') await front(arg!);
else await main();
