/**
 * Log fan-out benchmark (`npm run bench:logs`): how fast the server streams a finished job's log
 * over the WebSocket (`job-logs/<id>`, from the start to the batch with `end: true`).
 *
 * The platform runs in a child process (this file with `serve`), so its memory and CPU are its own:
 * peak RSS is the kernel's VmHWM of that process (reset through /proc/<pid>/clear_refs before each
 * phase), CPU time comes from /proc/<pid>/stat. The followers are plain `ws` connections in this
 * process that JSON.parse every message and count the log text they get (`text` as UTF-8 plus one
 * newline per line) and check that sequence numbers run without a gap.
 *   (a) a job prints BENCH_LOG_MB (200) MB of 100-byte text lines and runs to completion first;
 *       how long it took is printed for information
 *   (b) 1 follower reads that log from the start to the end, 3 times one after the other (median)
 *   (c) 50 concurrent followers each read a second job's log of BENCH_FANOUT_MB (20) MB: with
 *       2 cores, 50 x 200 MB would take minutes; aggregate and per-client MB/s, server memory
 *   (d) reference: `cat <the instance's log file> > /dev/null` (the JSON-lines file, which is
 *       larger than its text), MB/s over the file size
 * MB = 10^6 bytes. Target: (b) >= 100 MB/s. (c) must deliver every line to every client.
 * BENCH_CPU_PROF=<dir> writes the server's CPU profile of each phase to <dir>/<phase>.cpuprofile.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  createClient,
  isTerminalJobState,
  tokenProtocol,
  WS_PATH,
  WS_PROTOCOL,
  type ApiClient,
  type EventMessage,
  type JobLogBatch,
  type ServerMessage,
} from '@aiplat/api';
// The benchmark starts the whole backend, as the HTTP-level tests do.
import { BENCH_TOKEN as TOKEN, BENCH_USER as USER, createBenchPlatform } from './benchPlatform.js';
import { cpuSeconds, statusKb } from './procStats.js';
import { median } from './stats.js';

const LOG_MB = Number(process.env.BENCH_LOG_MB ?? 200);
const FANOUT_MB = Number(process.env.BENCH_FANOUT_MB ?? 20);
const FANOUT_CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 50);
const CAT_RUNS = 5;
const FOLLOW_RUNS = 3;
const TARGET_MBPS = 100;
const LINE_BYTES = 100;
const MB = 1e6;
const TIMEOUT_MS = 600_000;
const SAMPLE_MS = 50;

/** Prints `argv[1]` lines of exactly 100 bytes, training-log-like, in blocks. */
const PRINTER = `import sys
n = int(sys.argv[1])
pad = 'abcdefghijklmnopqrstuvwxyz0123456789' * 3
out = sys.stdout
block = []
for i in range(n):
    s = f'step {i:09d} | loss {(i * 7919) % 100000 / 1e5:.6f} | lr 3.0e-04 | tok/s {(i % 9973) * 1.5:9.1f} | '
    k = i % 37
    block.append(s + pad[k:k + ${LINE_BYTES - 1} - len(s)] + '\\n')
    if len(block) == 10000:
        out.write(''.join(block))
        block.clear()
out.write(''.join(block))
`;

interface ServerInfo {
  baseUrl: string;
  dataDir: string;
}

/** What the bench tells the server process: stop, or profile its CPU during one phase. */
type ServerCommand = { type: 'close' } | { type: 'profile-start' } | { type: 'profile-stop'; file: string };

// ---- the server process ------------------------------------------------------------------------

async function serve(base: string): Promise<void> {
  const platform = await createBenchPlatform(base);
  const address = await platform.server.listen(0, '127.0.0.1');
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await platform.close();
    process.exit(0);
  };
  let session: Session | undefined;
  process.on('message', (message: ServerCommand) => {
    if (message.type === 'close') void close();
    else if (message.type === 'profile-start') {
      session = new Session();
      session.connect();
      void session
        .post('Profiler.enable')
        .then(() => session?.post('Profiler.start'))
        .then(() => process.send?.({ type: 'profiling' }));
    } else {
      const file = message.file;
      void session?.post('Profiler.stop').then(({ profile }) => {
        writeFileSync(file, JSON.stringify(profile));
        session?.disconnect();
        process.send?.({ type: 'profiled' });
      });
    }
  });
  process.on('disconnect', () => void close());
  const info: ServerInfo = { baseUrl: `http://127.0.0.1:${address.port}`, dataDir: platform.config.dataDir };
  process.send?.(info);
}

// ---- measuring helpers -------------------------------------------------------------------------

interface ServerUsage {
  /** RSS when the phase started, MB. */
  startRss: number;
  /** The kernel's peak RSS during the phase, MB. */
  peakRss: number;
  /** The highest RSS seen by the 50 ms sampler, MB. */
  sampledPeak: number;
  serverCpu: number;
  clientCpu: number;
}

/** Asks the server process to do something and waits for its answer of `reply` type. */
function command(server: ChildProcess, message: ServerCommand, reply: string): Promise<void> {
  return new Promise((resolve) => {
    const listen = (answer: { type?: string }) => {
      if (answer.type !== reply) return;
      server.off('message', listen);
      resolve();
    };
    server.on('message', listen);
    server.send(message);
  });
}

/**
 * Runs `phase` while watching the server's memory and both processes' CPU time; with
 * BENCH_CPU_PROF=<dir>, the server's CPU profile of the phase goes to `<dir>/<name>.cpuprofile`.
 */
async function watched<T>(
  server: ChildProcess,
  name: string,
  phase: () => Promise<T>,
): Promise<{ result: T; usage: ServerUsage }> {
  const pid = server.pid as number;
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir) await command(server, { type: 'profile-start' }, 'profiling');
  writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  const startRss = statusKb(pid, 'VmRSS');
  let sampledPeak = startRss;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, statusKb(pid, 'VmRSS'))), SAMPLE_MS);
  const serverStart = cpuSeconds([pid]);
  const clientStart = process.cpuUsage();
  try {
    const result = await phase();
    const client = process.cpuUsage(clientStart);
    const profile = profileDir ? path.resolve(profileDir, `${name}.cpuprofile`) : undefined;
    if (profile) await command(server, { type: 'profile-stop', file: profile }, 'profiled');
    return {
      result,
      usage: {
        startRss: (startRss * 1024) / MB,
        peakRss: (statusKb(pid, 'VmHWM') * 1024) / MB,
        sampledPeak: (sampledPeak * 1024) / MB,
        serverCpu: cpuSeconds([pid]) - serverStart,
        clientCpu: (client.user + client.system) / 1e6,
      },
    };
  } finally {
    clearInterval(sampler);
  }
}

function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  return fn().then(() => performance.now() - start);
}

function catToDevNull(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'cat "$1" > /dev/null', 'sh', file], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cat exited with ${code}`))));
  });
}

// ---- followers ---------------------------------------------------------------------------------

interface FollowResult {
  /** Log text bytes received (UTF-8 text + 1 newline per line), every stream. */
  bytes: number;
  /** The same, program output only. */
  programBytes: number;
  lines: number;
  batches: number;
  /** Subscribe sent → `end: true` received, ms. */
  ms: number;
  /** Subscribe sent → first batch with lines, ms. */
  firstMs: number;
}

interface Follower {
  follow(): Promise<FollowResult>;
  close(): void;
}

/** A plain `ws` connection, open and greeted, that can follow one job's log once. */
function connectFollower(info: ServerInfo, jobId: string): Promise<Follower> {
  const topic = `job-logs/${jobId}`;
  const url = info.baseUrl.replace(/^http/, 'ws') + WS_PATH;
  const socket = new WebSocket(url, [WS_PROTOCOL, tokenProtocol(TOKEN)]);
  let onEvent: ((batch: JobLogBatch) => void) | undefined;
  let fail: (error: Error) => void = () => undefined;
  return new Promise((resolveOpen, rejectOpen) => {
    fail = rejectOpen;
    socket.on('error', (error) => fail(error));
    socket.on('close', (code, reason) => fail(new Error(`socket closed: ${code} ${reason.toString()}`)));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      if (message.type === 'hello') {
        resolveOpen({
          follow: () =>
            new Promise((resolve, reject) => {
              fail = reject;
              const start = performance.now();
              const result: FollowResult = { bytes: 0, programBytes: 0, lines: 0, batches: 0, ms: 0, firstMs: 0 };
              let nextSeq: number | undefined;
              onEvent = (batch) => {
                result.batches++;
                for (const line of batch.lines) {
                  const size = Buffer.byteLength(line.text) + 1;
                  result.bytes += size;
                  if (line.stream !== 'platform') result.programBytes += size;
                  if (nextSeq !== undefined && line.seq !== nextSeq) {
                    reject(new Error(`${topic}: line ${nextSeq} expected, got ${line.seq}`));
                  }
                  nextSeq = line.seq + 1;
                }
                result.lines += batch.lines.length;
                if (batch.lines.length > 0 && result.firstMs === 0) result.firstMs = performance.now() - start;
                if (batch.end) {
                  result.ms = performance.now() - start;
                  resolve(result);
                }
              };
              socket.send(JSON.stringify({ type: 'subscribe', topic }));
            }),
          close: () => {
            fail = () => undefined;
            socket.close(1000, 'done');
          },
        });
      } else if (message.type === 'event') {
        const event = message as EventMessage;
        if (event.kind === 'job-logs' && event.topic === topic) onEvent?.(event.data);
      } else if (message.type === 'error') {
        fail(new Error(`server error: ${message.code} ${message.message}`));
      }
    });
  });
}

async function followers(
  info: ServerInfo,
  jobId: string,
  count: number,
): Promise<{ results: FollowResult[]; ms: number }> {
  const connected = await Promise.all(Array.from({ length: count }, () => connectFollower(info, jobId)));
  try {
    const start = performance.now();
    const results = await Promise.all(connected.map((f) => f.follow()));
    return { results, ms: performance.now() - start };
  } finally {
    for (const f of connected) f.close();
  }
}

// ---- the benchmark -----------------------------------------------------------------------------

async function runJob(
  client: ApiClient,
  info: ServerInfo,
  name: string,
  mb: number,
): Promise<{ id: string; file: string; ms: number }> {
  const lines = Math.round((mb * MB) / LINE_BYTES);
  const start = performance.now();
  const { id } = await client.createJob({
    body: {
      spec: {
        name,
        mode: 'ddp',
        nodes: 1,
        resources: { cpu: 1, memory: '256Mi' },
        workingDir: 'home/bench',
        command: `/usr/bin/python3 print_lines.py ${lines}`,
      },
    },
  });
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const job = await client.getJob({ params: { id } });
    if (job.state === 'Succeeded') break;
    if (isTerminalJobState(job.state) || Date.now() > deadline) {
      throw new Error(`job ${name} (${id}) is ${job.state}: ${JSON.stringify(job.reason)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ms = performance.now() - start;
  const logDir = path.join(info.dataDir, 'jobs', id, 'logs');
  const logs = readdirSync(logDir).filter((f) => f.endsWith('.log'));
  if (logs.length !== 1) throw new Error(`expected one instance log in ${logDir}, found ${logs.join(', ')}`);
  return { id, file: path.join(logDir, logs[0] as string), ms };
}

function startServer(base: string): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const child = fork(fileURLToPath(import.meta.url), ['serve', base], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (info: ServerInfo) => resolve({ child, info }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before it was ready`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'close' } satisfies ServerCommand);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-logs-'));
  const home = path.join(base, 'work', 'home', USER, 'bench');
  await mkdir(home, { recursive: true });
  writeFileSync(path.join(home, 'print_lines.py'), PRINTER);
  const { child, info } = await startServer(base);
  try {
    const client = createClient({ baseUrl: info.baseUrl, token: TOKEN });
    process.stdout.write(`printing ${LOG_MB} MB and ${FANOUT_MB} MB in two jobs ... `);
    const printing = await watched(child, 'print', () => runJob(client, info, 'log-fanout', LOG_MB));
    const big = printing.result;
    const small = await runJob(client, info, 'log-fanout-small', FANOUT_MB);
    console.log('done');
    const fileBytes = statSync(big.file).size;
    const expected = Math.round((LOG_MB * MB) / LINE_BYTES) * LINE_BYTES;
    const expectedSmall = Math.round((FANOUT_MB * MB) / LINE_BYTES) * LINE_BYTES;

    await catToDevNull(big.file); // both sides read from the page cache
    const cat: number[] = [];
    for (let i = 0; i < CAT_RUNS; i++) cat.push(await time(() => catToDevNull(big.file)));

    const one = await watched(child, 'follow-1', async () => {
      const runs: FollowResult[] = [];
      for (let i = 0; i < FOLLOW_RUNS; i++) runs.push((await followers(info, big.id, 1)).results[0] as FollowResult);
      return runs;
    });
    for (const r of one.result) {
      if (r.programBytes !== expected) {
        throw new Error(`1 follower got ${r.programBytes} bytes of program output, expected ${expected}`);
      }
    }
    const singleRuns = one.result.map((r) => r.ms);
    const single = one.result.find((r) => r.ms === median(singleRuns)) as FollowResult;
    const many = await watched(child, `follow-${FANOUT_CLIENTS}`, () => followers(info, small.id, FANOUT_CLIENTS));
    for (const [i, r] of many.result.results.entries()) {
      if (r.programBytes !== expectedSmall) {
        throw new Error(`follower ${i} of ${FANOUT_CLIENTS} got ${r.programBytes} bytes, expected ${expectedSmall}`);
      }
    }

    const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
    const singleMbps = mbps(single.bytes, single.ms);
    const catMbps = mbps(fileBytes, median(cat));
    const manyBytes = many.result.results.reduce((sum, r) => sum + r.bytes, 0);
    const perClient = many.result.results.map((r) => mbps(r.bytes, r.ms));
    const fmtMb = (v: number) => `${v.toFixed(1)} MB`;
    const fmtRate = (v: number) => `${v.toFixed(1)} MB/s`;
    const usage = (u: ServerUsage, runs = 1) =>
      `server RSS ${fmtMb(u.startRss)} -> peak ${fmtMb(u.peakRss)} (VmHWM; 50 ms samples ${fmtMb(u.sampledPeak)}), ` +
      `CPU server ${(u.serverCpu / runs).toFixed(1)} s, this process ${(u.clientCpu / runs).toFixed(1)} s` +
      (runs > 1 ? ' per run' : '');

    console.log(`\nnode ${process.version}, ${os.cpus().length} CPUs, ${os.platform()}; MB = 10^6 bytes`);
    console.log(
      `(a) job printed ${fmtMb(expected / MB)} (${(expected / LINE_BYTES).toLocaleString('en')} lines) in ` +
        `${(big.ms / 1000).toFixed(1)} s (${fmtRate(mbps(expected, big.ms))}, submit to Succeeded); ` +
        `log file ${fmtMb(fileBytes / MB)} of JSON lines`,
    );
    console.log(`    ${usage(printing.usage)} (the log shim and the program are other processes)`);
    console.log(
      `(b) 1 follower, median of ${FOLLOW_RUNS}: ${fmtMb(single.bytes / MB)} of text, ` +
        `${single.lines.toLocaleString('en')} lines in ${single.batches} batches, ${(single.ms / 1000).toFixed(2)} s ` +
        `(first batch after ${single.firstMs.toFixed(0)} ms): ${fmtRate(singleMbps)} of text ` +
        `(${fmtRate(mbps(fileBytes, single.ms))} of log file); runs ` +
        one.result.map((r) => fmtRate(mbps(r.bytes, r.ms))).join(', '),
    );
    console.log(`    ${usage(one.usage, FOLLOW_RUNS)}`);
    console.log(
      `(c) ${FANOUT_CLIENTS} followers of a ${fmtMb(expectedSmall / MB)} log: ${fmtMb(manyBytes / MB)} of text in ` +
        `${(many.result.ms / 1000).toFixed(2)} s: aggregate ${fmtRate(mbps(manyBytes, many.result.ms))}, ` +
        `per client median ${fmtRate(median(perClient))} (min ${fmtRate(Math.min(...perClient))}, ` +
        `max ${fmtRate(Math.max(...perClient))}); every client got every line`,
    );
    console.log(`    ${usage(many.usage)}`);
    console.log(
      `(d) cat <log file> > /dev/null: ${fmtMb(fileBytes / MB)} in ${median(cat).toFixed(1)} ms (median of ${CAT_RUNS}): ${fmtRate(catMbps)}`,
    );
    const ok = singleMbps >= TARGET_MBPS;
    console.log('');
    console.log(`1 follower / cat = ${(singleMbps / catMbps).toFixed(3)} (text MB/s over file MB/s)`);
    console.log(`1 follower ${fmtRate(singleMbps)} (target >= ${TARGET_MBPS} MB/s): ${ok ? 'PASS' : 'FAIL'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await stopServer(child);
    await rm(base, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as string);
else await main();
