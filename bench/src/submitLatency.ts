/**
 * Submit latency benchmark (`npm run bench:submit`): a real platform in this process (HTTP on a
 * loopback port, SQLite, the local engine with its log shim), one client and one WebSocket.
 *   (a) submit to first program log line: the clock starts before `createJob` is sent and stops when
 *       the job's first stdout line (`echo ready`) arrives on `job-logs/<id>`, subscribed right
 *       after the create response from the start of the log (no cursor), as a client would
 *   (b) reference: `spawn('/bin/bash', ['-c', 'echo ready'])` until its first stdout byte
 * Runs alternate (a) and (b) after a warm-up; `node -e ''` start-to-exit is printed for information
 * (every instance starts under a Node log shim). The phases of (a) are timed from the create response,
 * the job's events and the log line's own timestamp (written by the log shim when it read the line).
 * Target: median (a) - median (b) < 300 ms.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  createClient,
  createEventSocket,
  type ApiClient,
  type EventSocket,
  type JobSpecInput,
  type WebSocketLike,
} from '@aiplat/api';
// The benchmark starts the whole backend in-process, as the HTTP-level tests do.
import { BENCH_TOKEN as TOKEN, BENCH_USER as USER, createBenchPlatform } from './benchPlatform.js';
import { median, percentile } from './stats.js';

const RUNS = Number(process.env.BENCH_SUBMIT_RUNS ?? 20);
const WARMUP_RUNS = 3;
const TARGET_ADDED_MS = 300;
const TIMEOUT_MS = 30_000;
const COMMAND = 'echo ready';
/** The log shim as built by `tsc -b`. */

interface JobRun {
  /** Request sent → first stdout line received over the WebSocket. */
  total: number;
  /** Request sent → create response received. */
  created: number;
  /** Request sent → the engine placed the job (its `scheduled` event). */
  scheduled: number;
  /** Request sent → the instance's shell was running (`instance-started` event). */
  started: number;
  /** Request sent → the log shim read the line (the line's own time). */
  lineRead: number;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `bash -c 'echo ready'` until its first stdout byte, in ms. */
function bareSpawn(): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('/bin/bash', ['-c', COMMAND], { stdio: ['ignore', 'pipe', 'inherit'] });
    let first: number | undefined;
    child.stdout.on('data', () => (first ??= performance.now() - start));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 && first !== undefined ? resolve(first) : reject(new Error(`bash exited with ${code}`)),
    );
  });
}

/** `node -e ''` until it exits, in ms: the log shim is a Node process started for every instance. */
function nodeStartup(): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - start) : reject(new Error(`node exited with ${code}`)),
    );
  });
}

/** One job: create, follow its log from the start, stop the clock at the first stdout line. */
async function submitOnce(client: ApiClient, events: EventSocket, spec: JobSpecInput): Promise<JobRun> {
  const wallStart = Date.now();
  const start = performance.now();
  const { id } = await client.createJob({ body: { spec } });
  const created = performance.now() - start;
  let total: number | undefined;
  let first: { time: string; text: string } | undefined;
  // Resolves at the end of the log (the job finished), so runs do not overlap.
  let ended!: () => void;
  const end = new Promise<void>((resolve) => (ended = resolve));
  const unsubscribe = events.subscribe(`job-logs/${id}`, (event) => {
    if (event.kind !== 'job-logs') return;
    if (total === undefined) {
      const line = event.data.lines.find((l) => l.stream === 'stdout');
      if (line) {
        total = performance.now() - start;
        first = line;
      }
    }
    if (event.data.end) ended();
  });
  try {
    await withTimeout(end, `job ${id}`);
  } finally {
    unsubscribe();
  }
  const job = await client.getJob({ params: { id } });
  if (job.state !== 'Succeeded') throw new Error(`job ${id} ended ${job.state}`);
  if (total === undefined || first === undefined) throw new Error(`job ${id}: no stdout line before the end`);
  if (first.text !== 'ready') throw new Error(`job ${id}: unexpected first line ${JSON.stringify(first.text)}`);
  const { events: jobEvents } = await client.jobEvents({ params: { id }, query: {} });
  const at = (type: string) => {
    const event = jobEvents.find((e) => e.type === type);
    if (!event) throw new Error(`job ${id} has no ${type} event`);
    return Date.parse(event.time) - wallStart;
  };
  return {
    total,
    created,
    scheduled: at('scheduled'),
    started: at('instance-started'),
    lineRead: Date.parse(first.time) - wallStart,
  };
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-submit-'));
  const platform = await createBenchPlatform(base);
  const sockets: EventSocket[] = [];
  try {
    const address = await platform.server.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    await mkdir(path.join(platform.config.workRoot, 'home', USER, 'bench'), { recursive: true });
    const client = createClient({ baseUrl, token: TOKEN });
    const events = createEventSocket({
      baseUrl,
      token: TOKEN,
      createWebSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
    });
    sockets.push(events);
    await withTimeout(events.ready(), 'websocket hello');
    const spec: JobSpecInput = {
      name: 'submit-latency',
      mode: 'ddp',
      nodes: 1,
      resources: { cpu: 0.1, memory: '64Mi' },
      workingDir: 'home/bench',
      command: COMMAND,
    };

    for (let i = 0; i < WARMUP_RUNS; i++) {
      await submitOnce(client, events, spec);
      await bareSpawn();
    }
    const jobs: JobRun[] = [];
    const spawns: number[] = [];
    const nodes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      jobs.push(await submitOnce(client, events, spec));
      spawns.push(await bareSpawn());
      nodes.push(await nodeStartup());
    }

    console.log(
      `${RUNS} runs after ${WARMUP_RUNS} warm-up, \`${COMMAND}\` on 1 node; node ${process.version}, ` +
        `${os.cpus().length} CPUs, ${os.platform()}`,
    );
    console.log(
      `${'measure'.padEnd(52)} ${'median'.padStart(9)} ${'p90'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`,
    );
    const fmt = (v: number) => `${v.toFixed(1)} ms`.padStart(9);
    const row = (label: string, xs: number[]) =>
      console.log(
        `${label.padEnd(52)} ${fmt(median(xs))} ${fmt(percentile(xs, 0.9))} ${fmt(Math.min(...xs))} ${fmt(Math.max(...xs))}`,
      );
    const total = jobs.map((j) => j.total);
    row('(a) createJob sent -> first stdout line on WebSocket', total);
    row(
      '    phase: create response received',
      jobs.map((j) => j.created),
    );
    row(
      '    phase: job placed (scheduled event, ms clock)',
      jobs.map((j) => j.scheduled),
    );
    row(
      '    phase: line read by the log shim (line time)',
      jobs.map((j) => j.lineRead),
    );
    row(
      '    phase: engine saw the shell (instance-started)',
      jobs.map((j) => j.started),
    );
    row(
      '    phase: line read -> delivered (a) - line time',
      jobs.map((j) => j.total - j.lineRead),
    );
    row('(b) spawn bash -c "echo ready" -> first stdout byte', spawns);
    row('    for information: spawn node -e "" -> exit', nodes);
    const added = median(total) - median(spawns);
    const ok = added < TARGET_ADDED_MS;
    console.log('');
    console.log('(event and line times are wall-clock milliseconds from the log and the store: +-1 ms)');
    console.log(`job / bare spawn = ${(median(total) / median(spawns)).toFixed(1)}`);
    console.log(
      `added latency median(a) - median(b) = ${added.toFixed(1)} ms (target < ${TARGET_ADDED_MS} ms): ${ok ? 'PASS' : 'FAIL'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    for (const socket of sockets) socket.close();
    await platform.close();
    await rm(base, { recursive: true, force: true });
  }
}

await main();
