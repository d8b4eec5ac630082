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
 *   gateway — wrk → the platform's services gateway as it runs: its data plane (Debian's nginx with
 *             the gateway's Lua, backend/dataplane/, one worker) on the port, the backend's gateway
 *             behind it on a Unix socket. 慧聚 AppKey calls are served by the data plane (signature,
 *             replay cache, QPS and concurrency limits on, counted and pulled into the backend's
 *             metrics every second); bearer-token calls pass through it to the backend's gateway.
 *             wrk's Lua has no HMAC: one Timestamp/Sign pre-signed per request, read from a file,
 *             with the window widened to an hour so they stay valid; replays are still refused.
 *             A second line runs the backend's gateway alone (Node.js, no data plane), for reference.
 * Every leg of a comparison sends the same requests: the bearer token's header on every path, and the
 * pre-signed requests to direct and nginx too, whose lines are what the AppKey figures are against (wrk's Lua building each
 * request costs wrk about a quarter of its rate, on CPUs the proxies share).
 * Each process has its own event loop. nginx runs one worker, as the gateway runs in one process; a
 * second nginx line with two workers (one per CPU here) is an extra reference only. Each proxy's
 * CPU time per call (user + system, from /proc) is printed beside its requests/s: on a machine
 * whose CPUs wrk, the upstream and the proxy share, it is what decides the ratio, and it moves
 * less than requests/s when other work runs; the gateway's is its two processes' (the backend and
 * nginx's worker). Targets, on the signed requests the issue names (signature auth and limits on):
 * gateway requests/s >= 0.8x nginx's; p99 added over direct < 2 ms, at the same load on both: on
 * one connection, where no queue hides the hop, and paced (the same offered requests/s on direct,
 * nginx and the gateway, below saturation, BENCH_GATEWAY_PACED_RPS). The p99 at saturation is
 * printed but not checked: there each path runs at its own rate (direct at twice a proxy's), so its
 * difference is a queue's, not the hop's (nginx's own is printed beside it, and was past 2 ms); the
 * gateway's memory flat over a 60-second run (RSS of both processes at its end within 20% of its
 * start after warm-up). The compared signed legs (nginx and the gateway saturated; direct, nginx
 * and the gateway paced) run in BENCH_GATEWAY_ROUNDS rounds (5), back to back within each, and the
 * median round's figures are checked: this VM's speed moves by half within minutes. Every round is
 * printed.
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
import { DataPlane } from '@aiplat/backend/services/dataplane/dataPlane.js';
import { dataPlaneState } from '@aiplat/backend/services/dataplane/dataPlaneState.js';
import { dataPlaneMissing } from '@aiplat/backend/services/dataplane/nginxConfig.js';
import { createServiceGateway } from '@aiplat/backend/services/gateway/index.js';
import { freeLoopbackPort, nginxProxy, workersOf } from './nginxProxy.js';
import { bareProxy, bareUndiciProxy, upstream } from './gatewayReferenceProxies.js';
import { rawSocketProxy } from './rawSocketProxy.js';
import { statusKb } from './procStats.js';
import { medianRound } from './stats.js';
import { wrk, type WrkResult } from './wrkRun.js';

const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS ?? 10);
const SOAK_SECONDS = Number(process.env.BENCH_GATEWAY_SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_GATEWAY_CONNECTIONS ?? 32);
/** The paced legs' offered load: the same requests/s for every path, below any of them saturating. */
const PACED_RPS = Number(process.env.BENCH_GATEWAY_PACED_RPS ?? 5000);
/** Rounds of the compared signed legs (saturated and paced), the median round counting. */
const ROUNDS = Number(process.env.BENCH_GATEWAY_ROUNDS ?? 5);
const TOKEN = 'bench-token-0123456789';
const APP_KEY = 'ak-0123456789abcdef';
const APP_SECRET = 'bench-secret';
/** The signature window, widened so that the pre-signed requests stay valid through the run. */
const WINDOW_SECONDS = 3600;

type Ready = { type: 'ready'; port: number };

/** The platform's gateway (with its data plane unless `alone`), for AppKey and bearer-token calls. */
async function gateway(upstreamPort: number, alone: boolean): Promise<void> {
  const replica = { key: '1/0', version: 1, index: 0, target: { host: '127.0.0.1', port: upstreamPort } };
  const limits = {
    qpsPerReplica: 1_000_000,
    concurrencyPerReplica: 10_000,
    maxBodyBytes: 1 << 20,
    upstreamTimeoutSeconds: 30,
  };
  const served = (name: string, auth: readonly ('appkey' | 'token')[]) =>
    ({ name, owner: 'bench', auth, limits, serving: true, sleeping: false, ready: () => [replica] }) as const;
  // AppKey calls to `bench` (its data plane serves them), bearer tokens to `bench-tokens` (the backend's).
  const services = new Map([
    ['bench', served('bench', ['appkey'])],
    ['bench-tokens', served('bench-tokens', ['token'])],
  ]);
  const tokenHash = createHash('sha256').update(TOKEN).digest('hex');
  const log = pino({ level: 'silent' });
  const dataPlane = alone
    ? undefined
    : new DataPlane({
        nginx: 'nginx',
        state: () =>
          dataPlaneState({
            windowMs: WINDOW_SECONDS * 1000,
            services: [...services.values()].map((service) => ({ ...service, state: 'Running' })),
            ready: () => [replica],
            appKeys: [{ appKey: APP_KEY, secret: APP_SECRET, enabled: true, services: ['bench'] }],
          }),
        absorb: (served) => gw.absorb(served),
        log,
      });
  const gw = createServiceGateway({
    directory: {
      byName: (name) => services.get(name),
      byHost: () => undefined,
      wake: () => undefined,
      appKey: (key) =>
        key === APP_KEY ? { secret: APP_SECRET, enabled: true, owner: 'bench', services: ['bench'] } : undefined,
      appKeyUsed: () => undefined,
      tokenByHash: (hash) => (hash === tokenHash ? { id: 'tk-1', service: 'bench-tokens', enabled: true } : undefined),
      tlsPairs: () => [],
    },
    registry: new Registry(),
    signatureWindowSeconds: WINDOW_SECONDS,
    ...(dataPlane ? { shared: dataPlane } : {}),
    log,
  });
  const server = http.createServer((req, res) => {
    if (!gw.handle(req, res)) res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  if (!dataPlane) {
    server.listen(0, '127.0.0.1', () =>
      process.send?.({ type: 'ready', port: (server.address() as { port: number }).port }),
    );
    return;
  }
  await new Promise<void>((resolve) => server.listen(dataPlane.backendSocket, resolve));
  const port = await freeLoopbackPort();
  await dataPlane.start('127.0.0.1', port);
  process.on('SIGTERM', () => void dataPlane.close().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', port });
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

/**
 * Each signed script's Timestamps start here, one millisecond per signature: no two scripts share
 * one (a replay), and all of them stay inside the widened window while the bench runs.
 */
let signedBase = Date.now() - (WINDOW_SECONDS - 600) * 1000;
/** Requests/s no path here reaches (signatures are sized on it: a replay would show as a non-2xx). */
const MAX_SIGNED_RPS = 50_000;

/**
 * A wrk script sending each request with its own pre-signed Timestamp and Sign (`name`: its files
 * in `dir`). With `rps`, each connection is paced (wrk's delay() between its requests) so that all
 * of them together offer about `rps` requests/s: latency measured at the same load on every path,
 * where the saturated legs mostly measure queueing. (wrk does not correct for coordinated omission.)
 */
function signedScript(dir: string, name: string, count: number, rps?: number): string {
  const base = signedBase;
  signedBase += count;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const timestamp = String(base + i);
    const sign = createHmac('sha1', APP_SECRET).update(`${APP_KEY}${APP_SECRET}${timestamp}`).digest('hex');
    lines.push(`${timestamp} ${sign}`);
  }
  const signatures = path.join(dir, `${name}.txt`);
  writeFileSync(signatures, `${lines.join('\n')}\n`);
  const script = path.join(dir, `${name}.lua`);
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
${rps ? `local pause = ${((1000 * CONNECTIONS) / rps).toFixed(3)}\nfunction delay() return pause end\n` : ''}`,
  );
  return script;
}

/** The pids whose CPU a gateway leg counts: the gateway process and its nginx's worker, if any. */
function gatewayPids(pid: number): number[] {
  return [pid, ...workersOf(pid).flatMap((master) => workersOf(master))];
}

/** The gateway's memory: its process and its nginx's worker, MiB. */
function gatewayRssMiB(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + statusKb(pid, 'VmRSS') / 1024, 0);
}

async function main(): Promise<void> {
  need('wrk', 'wrk');
  need('nginx', 'nginx-light');
  const missing = dataPlaneMissing();
  if (missing.length) {
    process.stderr.write(
      `the gateway's data plane needs Debian's ${missing.join(' ')} (apt-get install -y ${missing.join(' ')})\n`,
    );
    process.exit(2);
  }
  const load = os.loadavg()[0]!; // before this run adds its own
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-gateway-'));
  const up = await start('upstream');
  const gw = await start('gateway', String(up.port));
  const alone = await start('gateway-alone', String(up.port));
  const bare = await start('bare', String(up.port));
  const bareUndici = await start('bare-undici', String(up.port));
  const raw = await start('raw', String(up.port));
  const nx = await nginxProxy(dir, up.port, 1);
  const nx2 = await nginxProxy(dir, up.port, 2);
  try {
    const direct = `http://127.0.0.1:${up.port}/`;
    const viaNginx = `http://127.0.0.1:${nx.port}/services/bench/`;
    const viaNginx2 = `http://127.0.0.1:${nx2.port}/services/bench/`;
    const viaGateway = `http://127.0.0.1:${gw.port}/services/bench/`;
    const viaGatewayTokens = `http://127.0.0.1:${gw.port}/services/bench-tokens/`;
    const viaAlone = `http://127.0.0.1:${alone.port}/services/bench/`;
    const viaNode = `http://127.0.0.1:${bare.port}/services/bench/`;
    const viaUndici = `http://127.0.0.1:${bareUndici.port}/services/bench/`;
    const viaRaw = `http://127.0.0.1:${raw.port}/services/bench/`;
    const bearer = ['-H', `Authorization: Bearer ${TOKEN}`];
    const gwPids = gatewayPids(gw.child.pid!);
    const alonePid = [alone.child.pid!];
    const nginxPids = workersOf(nx.child.pid!);
    wrk(viaGatewayTokens, 2, bearer, CONNECTIONS); // warm-up (JIT, keep-alive pools)
    wrk(viaUndici, 2, [], CONNECTIONS);
    wrk(viaNode, 2, [], CONNECTIONS);
    wrk(viaRaw, 2, [], CONNECTIONS);
    wrk(viaNginx, 2, [], CONNECTIONS);
    // Every path of a comparison gets the same requests (the others pass the credentials on
    // unread), so wrk's own work per request, which shares the CPUs, is the same on both sides.
    const d = wrk(direct, SECONDS, bearer, CONNECTIONS);
    const n = wrk(viaNginx, SECONDS, bearer, CONNECTIONS, nginxPids);
    const n2 = wrk(viaNginx2, SECONDS, bearer, CONNECTIONS, workersOf(nx2.child.pid!));
    const b = wrk(viaNode, SECONDS, bearer, CONNECTIONS, [bare.child.pid!]);
    const u = wrk(viaUndici, SECONDS, bearer, CONNECTIONS, [bareUndici.child.pid!]);
    const r = wrk(viaRaw, SECONDS, bearer, CONNECTIONS, [raw.child.pid!]);
    const g = wrk(viaGatewayTokens, SECONDS, bearer, CONNECTIONS, gwPids);
    // One signature per request, never two alike: more than any path here sends in a leg.
    // One signature per request where the gateway checks them; direct and nginx go round a few.
    const signed = (name: string, seconds: number, rps = MAX_SIGNED_RPS) => [
      '-s',
      signedScript(dir, name, Math.ceil(rps * seconds * 1.3), rps === MAX_SIGNED_RPS ? undefined : rps),
    ];
    const unchecked = signed('unchecked', 5);
    const uncheckedPaced = ['-s', signedScript(dir, 'unchecked-paced', PACED_RPS * 5, PACED_RPS)];
    wrk(viaGateway, 2, signed('warm-up', 2), CONNECTIONS);
    wrk(viaAlone, 2, signed('warm-up-alone', 2), CONNECTIONS);
    const ds = wrk(direct, SECONDS, unchecked, CONNECTIONS);
    // The compared legs in rounds, nginx's and the gateway's back to back: the median round's
    // figures are the run's (this VM's speed moves by half within minutes; every round is printed).
    const saturated = medianRound(
      Array.from({ length: ROUNDS }, (_, i) => {
        const nginx = wrk(viaNginx, SECONDS, unchecked, CONNECTIONS, nginxPids);
        const gateway = wrk(viaGateway, SECONDS, signed(`gateway-${i}`, SECONDS), CONNECTIONS, gwPids);
        return { nginx, gateway, score: gateway.rps / nginx.rps };
      }),
    );
    const { nginx: ns, gateway: a } = saturated.median;
    const aa = wrk(viaAlone, SECONDS, signed('alone', SECONDS), CONNECTIONS, alonePid);
    const d1 = wrk(direct, SECONDS, unchecked, 1);
    const a1 = wrk(viaGateway, SECONDS, signed('gateway-1', SECONDS), 1);
    const paced = medianRound(
      Array.from({ length: ROUNDS }, (_, i) => {
        const direct_ = wrk(direct, SECONDS, uncheckedPaced, CONNECTIONS);
        const nginx = wrk(viaNginx, SECONDS, uncheckedPaced, CONNECTIONS);
        const gateway = wrk(viaGateway, SECONDS, signed(`gateway-paced-${i}`, SECONDS, PACED_RPS), CONNECTIONS);
        return { direct: direct_, nginx, gateway, score: gateway.p99 - direct_.p99 };
      }),
    );
    const { direct: dp, nginx: np, gateway: ap } = paced.median;
    // The soak's own traffic first: the backend sat idle while its data plane served the AppKey
    // legs, and its heap grows back to its working size in the first seconds of token calls.
    wrk(viaGatewayTokens, SECONDS, bearer, CONNECTIONS);
    const before = gatewayRssMiB(gwPids);
    const soak = wrk(viaGatewayTokens, SOAK_SECONDS, bearer, CONNECTIONS, gwPids);
    const after = gatewayRssMiB(gwPids);
    const row = (label: string, r: WrkResult, split = false) =>
      `${label.padEnd(44)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms` +
      `${r.cpuUs !== undefined ? `   ${r.cpuUs.toFixed(0).padStart(3)} us CPU/call` : ''}` +
      `${split && r.cpuUsEach ? ` (backend ${r.cpuUsEach[0]!.toFixed(1)}, nginx worker ${r.cpuUsEach[1]!.toFixed(1)})` : ''}` +
      `${r.non2xx ? `   non-2xx ${r.non2xx}` : ''}\n`;
    process.stdout.write(
      `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s each, ${os.cpus().length} CPUs, load average ${load.toFixed(2)} before the run; AppKey requests carry Timestamps pre-signed per request (wrk's Lua has no HMAC) with the window widened to ${WINDOW_SECONDS} s\n`,
    );
    process.stdout.write(
      'bearer-token requests:\n' +
        row('direct', d) +
        row('nginx (1 worker)', n) +
        row('nginx (2 workers, reference)', n2) +
        row('bare node:http proxy', b) +
        row('bare undici proxy', u) +
        row('bare node:net sockets, no HTTP library', r) +
        row('gateway (token: data plane -> backend)', g, true) +
        'AppKey-signed requests:\n' +
        row('direct', ds) +
        saturated.rounds
          .map(
            ({ nginx, gateway, score }, i) =>
              row(`round ${i + 1}: nginx (1 worker)`, nginx) +
              row(`round ${i + 1}: gateway (AppKey, data plane)`, gateway, true) +
              `${''.padEnd(44)} gateway/nginx ${score.toFixed(2)}x\n`,
          )
          .join('') +
        row('backend gateway alone, Node.js (reference)', aa),
    );
    process.stdout.write(
      `one connection (-c1), AppKey-signed, ${SECONDS} s each:\n` + row('direct', d1) + row('gateway (AppKey)', a1),
    );
    process.stdout.write(
      `paced: about ${PACED_RPS} AppKey-signed requests/s offered on every path (${CONNECTIONS} connections), ${SECONDS} s each:\n` +
        paced.rounds
          .map(
            ({ direct: d, nginx, gateway, score }, i) =>
              row(`round ${i + 1}: direct`, d) +
              row(`round ${i + 1}: nginx (1 worker)`, nginx) +
              row(`round ${i + 1}: gateway (AppKey)`, gateway) +
              `${''.padEnd(44)} p99 added by the gateway ${score.toFixed(2)} ms\n`,
          )
          .join(''),
    );
    process.stdout.write(row(`gateway soak ${SOAK_SECONDS} s (tokens)`, soak, true));
    const ratio = saturated.median.score;
    const tokenRatio = g.rps / n.rps;
    const added = a.p99 - ds.p99;
    const addedAlone = a1.p99 - d1.p99;
    const addedPaced = paced.median.score;
    const growth = after / before;
    process.stdout.write(
      `gateway/nginx requests/s: ${ratio.toFixed(2)}x with AppKey signatures (the median of ${ROUNDS} rounds: ${saturated.rounds.map((round) => round.score.toFixed(2)).join(', ')}; target >= 0.8; the backend's gateway alone: ${(aa.rps / ns.rps).toFixed(2)}x), ${tokenRatio.toFixed(2)}x with bearer tokens (through the data plane to the backend); bare node:http proxy/nginx ${(b.rps / n.rps).toFixed(2)}x, bare undici proxy/nginx ${(u.rps / n.rps).toFixed(2)}x, bare sockets/nginx ${(r.rps / n.rps).toFixed(2)}x (the floor of a proxy in Node.js)\n` +
        `p99 added over direct (AppKey): ${addedAlone.toFixed(2)} ms on one connection (p50 added there: ${(a1.p50 - d1.p50).toFixed(2)} ms), ${addedPaced.toFixed(2)} ms at ${ap.rps.toFixed(0)} requests/s paced (the median of ${ROUNDS} rounds: ${paced.rounds.map((round) => round.score.toFixed(2)).join(', ')}; nginx adds ${(np.p99 - dp.p99).toFixed(2)} ms there) (target < 2); at saturation, where each path runs at its own rate (not checked: a queue's figure), ${added.toFixed(2)} ms (nginx adds ${(ns.p99 - ds.p99).toFixed(2)} ms)\n` +
        `gateway RSS (backend + nginx worker): ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after the ${SOAK_SECONDS} s run (${growth.toFixed(2)}x; target flat, < 1.2x); load average ${os.loadavg()[0]!.toFixed(2)} at the end\n`,
    );
    const missed =
      ratio < 0.8 ||
      addedAlone >= 2 ||
      addedPaced >= 2 ||
      growth >= 1.2 ||
      g.non2xx > 0 ||
      [...saturated.rounds, ...paced.rounds].some((round) => round.gateway.non2xx > 0) ||
      a1.non2xx > 0 ||
      soak.non2xx > 0;
    process.exitCode = missed ? 1 : 0;
  } finally {
    nx.child.kill('SIGTERM');
    nx2.child.kill('SIGTERM');
    await stop(gw.child);
    alone.child.kill();
    bare.child.kill();
    bareUndici.child.kill();
    raw.child.kill();
    up.child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stops a child and waits for it (the gateway stops its nginx first). */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const [role, arg] = process.argv.slice(2);
if (role === 'upstream') upstream();
else if (role === 'gateway') await gateway(Number(arg), false);
else if (role === 'gateway-alone') await gateway(Number(arg), true);
else if (role === 'bare') bareProxy(Number(arg));
else if (role === 'bare-undici') bareUndiciProxy(Number(arg));
else if (role === 'raw') rawSocketProxy(Number(arg), (port) => process.send?.({ type: 'ready', port }));
else await main();
