/**
 * Dev machine benchmark (`npm run bench:devmachines`, also in `npm run bench`), a real platform
 * running a real JupyterLab on the local engine, all measured in this run:
 *   (a) create → JupyterLab usable through the platform's proxy (ms: the API call to the first 200
 *       of its /api/status through the proxy with a browser session), median of 3 dev machines;
 *   (b) a 100 MB download of a /work file from JupyterLab (its /files/ handler) by curl, through the
 *       proxy against the same JupyterLab reached directly on its socket (MB/s, median of 3 each);
 *   (c) 2,000 small requests (JupyterLab's /api/status) by one curl on one kept-alive connection,
 *       through the proxy against directly (time to first byte: median and p99 ms).
 * Reference for (b) and (c), in the same process as the platform: the least a Node.js proxy does
 * (http.get to the socket, piped into the response: no auth, no headers rewritten).
 * Targets: (b) proxied >= 0.8x direct; (c) the proxy adds < 1 ms to the median.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient, type ApiClient, type DevMachine } from '@aiplat/api';
import { BENCH_TOKEN, BENCH_USER, createBenchPlatform } from './benchPlatform.js';
import { median, percentile } from './stats.js';

const MACHINES = 3;
const DOWNLOAD_BYTES = 100 * 1024 * 1024;
const DOWNLOAD_RUNS = 3;
const SMALL_REQUESTS = 2_000;
const THROUGHPUT_TARGET = 0.8;
const ADDED_MEDIAN_TARGET_MS = 1;

const curl = (args: string[]) => promisify(execFile)('curl', ['-sS', ...args], { maxBuffer: 16 * 1024 * 1024 });

interface Target {
  agent: http.Agent;
  options: http.RequestOptions;
}

/** One GET, its body counted and dropped; resolves with the status and byte count. */
function get(target: Target, requestPath: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ ...target.options, agent: target.agent, path: requestPath }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

async function waitRunning(client: ApiClient, id: string): Promise<DevMachine> {
  for (;;) {
    const machine = await client.getDevMachine({ params: { id } });
    if (machine.state === 'Running' || machine.state === 'Failed') return machine;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-devmachines-'));
  const platform = await createBenchPlatform(base);
  try {
    const address = await platform.server.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const client = createClient({ baseUrl, token: BENCH_TOKEN });
    mkdirSync(path.join(base, 'work', 'home', BENCH_USER), { recursive: true });
    const viaProxy = (cookie: string): Target => ({
      agent: new http.Agent({ keepAlive: true }),
      options: { host: '127.0.0.1', port: address.port, headers: { cookie } },
    });
    const login = async (next: string) => {
      const link = await client.createLoginLink({ body: { next } });
      const response = await fetch(baseUrl + link.path, { redirect: 'manual' });
      return response.headers.get('set-cookie')!.split(';')[0]!;
    };

    // (a) create → usable through the proxy
    const usableMs: number[] = [];
    let machine: DevMachine | undefined;
    for (let i = 0; i < MACHINES; i++) {
      const started = performance.now();
      const created = await client.createDevMachine({
        body: { spec: { name: `bench-${i}`, ides: ['jupyterlab'], resources: { cpu: 1, memory: '2Gi' } } },
      });
      const running = await waitRunning(client, created.id);
      if (running.state !== 'Running') throw new Error(`bench-${i} failed: ${running.failure?.message}`);
      const proxied = viaProxy(await login(running.urls.jupyterlab!));
      while ((await get(proxied, `${running.urls.jupyterlab!}api/status`)).status !== 200);
      usableMs.push(performance.now() - started);
      if (i < MACHINES - 1) {
        await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
      } else machine = running;
    }
    const lab = machine!.urls.jupyterlab!;
    const endpoint = platform.devMachineEngine.endpoint(machine!.id, 'jupyterlab')!;
    if (!('socketPath' in endpoint.target)) throw new Error('expected JupyterLab on a Unix socket');
    // curl is the client both ways, in its own process (as a browser is): the proxy's cost, not the client's.
    const directArgs = [
      '--unix-socket',
      endpoint.target.socketPath,
      '-H',
      `authorization: ${endpoint.headers.authorization}`,
    ];
    const directUrl = (p: string) => `http://localhost${p}`;
    const proxiedArgs = ['-H', `cookie: ${await login(lab)}`];
    const proxiedUrl = (p: string) => `${baseUrl}${p}`;
    const socketPath = endpoint.target.socketPath;
    const bare = http.createServer((req, res) => {
      http.get({ socketPath, path: req.url, headers: endpoint.headers }, (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      });
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const barePort = (bare.address() as { port: number }).port;
    const bareUrl = (p: string) => `http://127.0.0.1:${barePort}${p}`;

    // (b) 100 MB download
    writeFileSync(path.join(base, 'work', 'home', BENCH_USER, 'big.bin'), randomBytes(DOWNLOAD_BYTES));
    const filePath = `${lab}files/home/${BENCH_USER}/big.bin`;
    const throughput = async (args: string[], url: string) => {
      const rates: number[] = [];
      for (let run = 0; run < DOWNLOAD_RUNS; run++) {
        const { stdout } = await curl([
          ...args,
          '-o',
          '/dev/null',
          '-w',
          '%{http_code} %{size_download} %{speed_download}',
          url,
        ]);
        const [status, bytes, speed] = stdout.trim().split(' ').map(Number);
        if (status !== 200 || bytes !== DOWNLOAD_BYTES) throw new Error(`download: ${status}, ${bytes} bytes`);
        rates.push(speed! / 1024 / 1024);
      }
      return median(rates);
    };
    await throughput(directArgs, directUrl(filePath));
    const directRate = await throughput(directArgs, directUrl(filePath));
    const proxiedRate = await throughput(proxiedArgs, proxiedUrl(filePath));
    const bareRate = await throughput([], bareUrl(filePath));

    // (c) small requests: one curl, one kept-alive connection, each request timed
    const latencies = async (args: string[], url: string) => {
      const urls = Array.from({ length: SMALL_REQUESTS }, () => `url = "${url}"\noutput = "/dev/null"\n`).join('');
      const config = path.join(base, 'urls.curlrc');
      writeFileSync(config, urls);
      const { stdout } = await curl([...args, '-w', '%{http_code} %{time_starttransfer}\\n', '--config', config]);
      return stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [status, seconds] = line.split(' ');
          if (status !== '200') throw new Error(`status: ${status}`);
          return Number(seconds) * 1000;
        });
    };
    await latencies(directArgs, directUrl(`${lab}api/status`));
    const directTimes = await latencies(directArgs, directUrl(`${lab}api/status`));
    const proxiedTimes = await latencies(proxiedArgs, proxiedUrl(`${lab}api/status`));
    const bareTimes = await latencies([], bareUrl(`${lab}api/status`));
    bare.close();

    const ratio = proxiedRate / directRate;
    const added = median(proxiedTimes) - median(directTimes);
    const ms = (x: number) => x.toFixed(2);
    process.stdout.write(
      [
        `create -> JupyterLab usable through the proxy: median ${median(usableMs).toFixed(0)} ms ` +
          `(${usableMs.map((x) => x.toFixed(0)).join(', ')})`,
        `100 MB download from JupyterLab: direct ${directRate.toFixed(0)} MB/s, through the proxy ` +
          `${proxiedRate.toFixed(0)} MB/s: ${ratio.toFixed(2)}x (target >= ${THROUGHPUT_TARGET}); the bare Node.js ` +
          `pipe ${bareRate.toFixed(0)} MB/s (${(bareRate / directRate).toFixed(2)}x direct; the proxy ` +
          `${(proxiedRate / bareRate).toFixed(2)}x of it)`,
        `${SMALL_REQUESTS} small requests: direct median ${ms(median(directTimes))} ms, p99 ` +
          `${ms(percentile(directTimes, 0.99))} ms; through the proxy median ${ms(median(proxiedTimes))} ms, p99 ` +
          `${ms(percentile(proxiedTimes, 0.99))} ms; added median ${ms(added)} ms (target < ${ADDED_MEDIAN_TARGET_MS}); ` +
          `the bare pipe median ${ms(median(bareTimes))} ms`,
        '',
      ].join('\n'),
    );
    if (ratio < THROUGHPUT_TARGET || added >= ADDED_MEDIAN_TARGET_MS) process.exitCode = 1;
  } finally {
    await platform.close();
    await rm(base, { recursive: true, force: true });
  }
}

await main();
