/**
 * Services gateway benchmark (`npm run bench:gateway`): the same upstream reached three ways, each
 * loaded by `wrk` (Debian's `wrk`) for the same time with the same connections:
 *   direct  — wrk → upstream (a small Node.js JSON server)
 *   nginx   — wrk → nginx (Debian's nginx, a plain reverse proxy with keep-alive upstream) → upstream
 *   node    — wrk → a bare node:http proxy (http.request + pipe, keep-alive agent) → upstream, and a
 *             bare proxy on the gateway's own upstream client (an undici Pool, dispatch with
 *             back-pressure): the least a Node.js proxy on either client does, for reference; and
 *             a proxy on bare node:net sockets with no HTTP library (Content-Length bodies only):
 *             the least any Node.js proxy does, the floor under all of them
 *   lua     — wrk → the gateway's per-call work for AppKey calls (signature, replay cache, limits,
 *             least-loaded replica, usage of JSON and SSE answers, counts per version, replica,
 *             status and latency bin) written as an nginx + Lua data plane (Debian's
 *             libnginx-mod-http-lua, one worker; bench/lua/gatewayDataPlane.lua), for reference:
 *             what moving the data plane out of Node.js would give (skipped when not installed)
 *   gateway — wrk → the platform's services gateway (bearer-token auth, QPS and concurrency limits
 *             on, metrics counted) → upstream, and a second gateway leg with 慧聚 AppKey signatures
 *             (wrk's Lua has no HMAC: one Timestamp/Sign pre-signed per request, read from a file,
 *             with the window widened to an hour so they stay valid; replays are still refused)
 * Every leg sends the same requests: the bearer token's header on every path, and the pre-signed
 * requests to nginx too, whose line is what the AppKey ratio is against (wrk's Lua building each
 * request costs wrk about a quarter of its rate, on CPUs the proxies share).
 * Each process has its own event loop. nginx runs one worker, as the gateway runs in one process; a
 * second nginx line with two workers (one per CPU here) is an extra reference only. Each proxy's
 * CPU time per call (user + system, from /proc) is printed beside its requests/s: on a machine
 * whose CPUs wrk, the upstream and the proxy share, it is what decides the ratio, and it moves
 * less than requests/s when other work runs. Targets: gateway requests/s >= 0.8x nginx's; p99
 * added over direct < 2 ms (measured at saturation with the others, on one connection, where no
 * queue hides the hop, and paced: the same offered requests/s on direct, nginx and the gateway,
 * below saturation, BENCH_GATEWAY_PACED_RPS); the gateway's memory flat over a 60-second run (RSS at its end within
 * 20% of its start after warm-up).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createServiceGateway } from '@aiplat/backend/services/gateway/index.js';
import { UpstreamPools } from '@aiplat/backend/services/gateway/upstreamPools.js';
import { luaDataPlane, luaDataPlaneMissing } from './luaDataPlane.js';
import { nginxProxy, workersOf } from './nginxProxy.js';
import { rawSocketProxy } from './rawSocketProxy.js';
import { cpuSeconds, statusKb } from './procStats.js';

const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS ?? 10);
const SOAK_SECONDS = Number(process.env.BENCH_GATEWAY_SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_GATEWAY_CONNECTIONS ?? 32);
/** The paced legs' offered load: the same requests/s for every path, below any of them saturating. */
const PACED_RPS = Number(process.env.BENCH_GATEWAY_PACED_RPS ?? 5000);
const TOKEN = 'bench-token-0123456789';
const APP_KEY = 'ak-0123456789abcdef';
const APP_SECRET = 'bench-secret';
const BODY = Buffer.from(JSON.stringify({ model: 'tiny', output: [0.1, 0.2, 0.7], padding: 'x'.repeat(64) }));

type Ready = { type: 'ready'; port: number };

function upstream(): void {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }),
  );
}

function bareProxy(upstreamPort: number): void {
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
function bareUndiciProxy(upstreamPort: number): void {
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

function gateway(upstreamPort: number): void {
  const replica = { key: '1/0', version: 1, index: 0, target: { host: '127.0.0.1', port: upstreamPort } };
  const service = {
    name: 'bench',
    owner: 'bench',
    auth: ['appkey', 'token'] as const,
    limits: {
      qpsPerReplica: 1_000_000,
      concurrencyPerReplica: 10_000,
      maxBodyBytes: 1 << 20,
      upstreamTimeoutSeconds: 30,
    },
    serving: true,
    sleeping: false,
    ready: () => [replica],
  };
  const tokenHash = createHash('sha256').update(TOKEN).digest('hex');
  const gw = createServiceGateway({
    directory: {
      byName: (name) => (name === 'bench' ? service : undefined),
      byHost: () => undefined,
      wake: () => undefined,
      appKey: (key) =>
        key === APP_KEY ? { secret: APP_SECRET, enabled: true, owner: 'bench', services: ['bench'] } : undefined,
      appKeyUsed: () => undefined,
      tokenByHash: (hash) => (hash === tokenHash ? { id: 'tk-1', service: 'bench', enabled: true } : undefined),
      tlsPairs: () => [],
    },
    registry: new Registry(),
    signatureWindowSeconds: 3600,
    log: pino({ level: 'silent' }),
  });
  const server = http.createServer((req, res) => {
    if (!gw.handle(req, res)) res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }),
  );
}

function start(role: string, arg = ''): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [role, arg], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message: Ready) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

function need(command: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`${command} is missing: install Debian's ${pkg} (apt-get install -y ${pkg})\n`);
    process.exit(2);
  }
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  requests: number;
  /** CPU time of the measured processes per request (user + system), when pids were given. */
  cpuUs?: number;
}

function toMs(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

function wrk(
  url: string,
  seconds: number,
  extra: string[] = [],
  connections = CONNECTIONS,
  pids: readonly number[] = [],
): WrkResult {
  const cpuBefore = cpuSeconds(pids);
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...extra, url], {
    encoding: 'utf8',
  });
  const cpu = cpuSeconds(pids) - cpuBefore;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return { rps, p50, p99, non2xx, requests, ...(pids.length && requests ? { cpuUs: (cpu / requests) * 1e6 } : {}) };
}

/**
 * A wrk script pacing each connection (wrk's delay() between its requests) so that all of them
 * together offer about `rps` requests/s: latency measured at the same load on every path, where
 * the saturated legs mostly measure queueing. (wrk does not correct for coordinated omission.)
 */
function pacedScript(dir: string, rps: number): string {
  const script = path.join(dir, 'paced.lua');
  writeFileSync(
    script,
    `local pause = ${((1000 * CONNECTIONS) / rps).toFixed(3)}\nfunction delay() return pause end\n`,
  );
  return script;
}

/** A wrk script sending each request with its own pre-signed Timestamp and Sign. */
function signedScript(dir: string, count: number): string {
  const base = Date.now();
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const timestamp = String(base + i);
    const sign = createHmac('sha1', APP_SECRET).update(`${APP_KEY}${APP_SECRET}${timestamp}`).digest('hex');
    lines.push(`${timestamp} ${sign}`);
  }
  const signatures = path.join(dir, 'signatures.txt');
  writeFileSync(signatures, `${lines.join('\n')}\n`);
  const script = path.join(dir, 'signed.lua');
  writeFileSync(
    script,
    `local ts, signs, i = {}, {}, 0
for line in io.lines("${signatures}") do
  local t, s = line:match("(%d+) (%x+)")
  ts[#ts + 1] = t; signs[#signs + 1] = s
end
request = function()
  i = i % #ts + 1
  return wrk.format("GET", nil, { AppKey = "${APP_KEY}", Timestamp = ts[i], Sign = signs[i] })
end
`,
  );
  return script;
}

async function main(): Promise<void> {
  need('wrk', 'wrk');
  need('nginx', 'nginx-light');
  const load = os.loadavg()[0]!; // before this run adds its own
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-gateway-'));
  const up = await start('upstream');
  const gw = await start('gateway', String(up.port));
  const bare = await start('bare', String(up.port));
  const bareUndici = await start('bare-undici', String(up.port));
  const raw = await start('raw', String(up.port));
  const nx = await nginxProxy(dir, up.port, 1);
  const nx2 = await nginxProxy(dir, up.port, 2);
  const luaMissing = luaDataPlaneMissing();
  const lua = luaMissing
    ? undefined
    : await luaDataPlane(dir, {
        name: 'bench',
        upstreamPort: up.port,
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        windowMs: 3600_000,
        qpsPerReplica: 1_000_000,
        concurrencyPerReplica: 10_000,
        maxBodyBytes: 1 << 20,
      });
  try {
    const direct = `http://127.0.0.1:${up.port}/`;
    const viaNginx = `http://127.0.0.1:${nx.port}/services/bench/`;
    const viaNginx2 = `http://127.0.0.1:${nx2.port}/services/bench/`;
    const viaGateway = `http://127.0.0.1:${gw.port}/services/bench/`;
    const viaNode = `http://127.0.0.1:${bare.port}/services/bench/`;
    const viaUndici = `http://127.0.0.1:${bareUndici.port}/services/bench/`;
    const viaRaw = `http://127.0.0.1:${raw.port}/services/bench/`;
    const bearer = ['-H', `Authorization: Bearer ${TOKEN}`];
    const gwPid = [gw.child.pid!];
    wrk(viaGateway, 2, bearer); // warm-up (JIT, keep-alive pool)
    wrk(viaUndici, 2);
    wrk(viaNode, 2);
    wrk(viaRaw, 2);
    wrk(viaNginx, 2);
    // Every path gets the same requests (the others pass the credentials on unread), so wrk's own
    // work per request, which shares the CPUs, is the same on both sides of each ratio.
    const d = wrk(direct, SECONDS, bearer);
    const n = wrk(viaNginx, SECONDS, bearer, CONNECTIONS, workersOf(nx.child.pid!));
    const n2 = wrk(viaNginx2, SECONDS, bearer, CONNECTIONS, workersOf(nx2.child.pid!));
    const b = wrk(viaNode, SECONDS, bearer, CONNECTIONS, [bare.child.pid!]);
    const u = wrk(viaUndici, SECONDS, bearer, CONNECTIONS, [bareUndici.child.pid!]);
    const r = wrk(viaRaw, SECONDS, bearer, CONNECTIONS, [raw.child.pid!]);
    const g = wrk(viaGateway, SECONDS, bearer, CONNECTIONS, gwPid);
    const d1 = wrk(direct, SECONDS, bearer, 1);
    const g1 = wrk(viaGateway, SECONDS, bearer, 1);
    const paced = [...bearer, '-s', pacedScript(dir, PACED_RPS)];
    const dp = wrk(direct, SECONDS, paced);
    const np = wrk(viaNginx, SECONDS, paced);
    const gp = wrk(viaGateway, SECONDS, paced);
    const signed = ['-s', signedScript(dir, Math.ceil(Math.max(n.rps, 5000) * SECONDS * 1.5))];
    const ns = wrk(viaNginx, SECONDS, signed, CONNECTIONS, workersOf(nx.child.pid!));
    const a = wrk(viaGateway, SECONDS, signed, CONNECTIONS, gwPid);
    const l = lua
      ? wrk(`http://127.0.0.1:${lua.port}/services/bench/`, SECONDS, signed, CONNECTIONS, workersOf(lua.child.pid!))
      : undefined;
    const before = statusKb(gw.child.pid!, 'VmRSS') / 1024;
    const soak = wrk(viaGateway, SOAK_SECONDS, bearer, CONNECTIONS, gwPid);
    const after = statusKb(gw.child.pid!, 'VmRSS') / 1024;
    const row = (label: string, r: WrkResult) =>
      `${label.padEnd(40)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms` +
      `${r.cpuUs !== undefined ? `   ${r.cpuUs.toFixed(0).padStart(3)} us CPU/call` : ''}${r.non2xx ? `   non-2xx ${r.non2xx}` : ''}\n`;
    process.stdout.write(
      `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s each, ${os.cpus().length} CPUs, load average ${load.toFixed(2)} before the run; the AppKey leg sends Timestamps pre-signed per request (wrk's Lua has no HMAC) with the gateway's window widened to 3600 s\n`,
    );
    process.stdout.write(
      row('direct', d) +
        row('nginx (1 worker)', n) +
        row('nginx (2 workers, reference)', n2) +
        row('bare node:http proxy', b) +
        row('bare undici proxy', u) +
        row('bare node:net sockets, no HTTP library', r) +
        row('gateway (token)', g) +
        row('nginx (1 worker), signed requests', ns) +
        row('gateway (AppKey signed)', a) +
        (l
          ? row('nginx + Lua data plane, signed (ref.)', l)
          : `nginx + Lua data plane (reference): skipped, install Debian's ${luaMissing}\n`),
    );
    process.stdout.write(`one connection (-c1), ${SECONDS} s each:\n` + row('direct', d1) + row('gateway (token)', g1));
    process.stdout.write(
      `paced: about ${PACED_RPS} requests/s offered on every path (${CONNECTIONS} connections), ${SECONDS} s each:\n` +
        row('direct', dp) +
        row('nginx (1 worker)', np) +
        row('gateway (token)', gp),
    );
    process.stdout.write(row(`gateway soak ${SOAK_SECONDS} s`, soak));
    const ratio = g.rps / n.rps;
    const signedRatio = a.rps / ns.rps;
    const added = g.p99 - d.p99;
    const addedAlone = g1.p99 - d1.p99;
    const addedPaced = gp.p99 - dp.p99;
    const growth = after / before;
    process.stdout.write(
      `gateway/nginx requests/s: ${ratio.toFixed(2)}x with tokens, ${signedRatio.toFixed(2)}x with signatures (target >= 0.8); bare node:http proxy/nginx ${(b.rps / n.rps).toFixed(2)}x, bare undici proxy/nginx ${(u.rps / n.rps).toFixed(2)}x, bare sockets/nginx ${(r.rps / n.rps).toFixed(2)}x (the floor of a proxy in Node.js), gateway/bare undici ${(g.rps / u.rps).toFixed(2)}x${l ? `; the same per-call work as an nginx + Lua data plane/nginx ${(l.rps / ns.rps).toFixed(2)}x with signatures` : ''}\n` +
        `p99 added over direct: ${added.toFixed(2)} ms at ${CONNECTIONS} connections, ${addedAlone.toFixed(2)} ms on one connection (p50 added there: ${(g1.p50 - d1.p50).toFixed(2)} ms), ${addedPaced.toFixed(2)} ms at ${gp.rps.toFixed(0)} requests/s paced (nginx adds ${(np.p99 - dp.p99).toFixed(2)} ms there) (target < 2)\n` +
        `gateway RSS: ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after the ${SOAK_SECONDS} s run (${growth.toFixed(2)}x; target flat, < 1.2x); load average ${os.loadavg()[0]!.toFixed(2)} at the end\n`,
    );
    const missed =
      ratio < 0.8 ||
      added >= 2 ||
      addedAlone >= 2 ||
      addedPaced >= 2 ||
      growth >= 1.2 ||
      g.non2xx > 0 ||
      a.non2xx > 0 ||
      gp.non2xx > 0;
    process.exitCode = missed ? 1 : 0;
  } finally {
    nx.child.kill('SIGTERM');
    nx2.child.kill('SIGTERM');
    lua?.child.kill('SIGTERM');
    gw.child.kill();
    bare.child.kill();
    bareUndici.child.kill();
    raw.child.kill();
    up.child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

const [role, arg] = process.argv.slice(2);
if (role === 'upstream') upstream();
else if (role === 'gateway') gateway(Number(arg));
else if (role === 'bare') bareProxy(Number(arg));
else if (role === 'bare-undici') bareUndiciProxy(Number(arg));
else if (role === 'raw') rawSocketProxy(Number(arg), (port) => process.send?.({ type: 'ready', port }));
else await main();
