import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instancePaths, liveGroupMembers, processStartTime, type InstanceState } from './instanceState.js';
import { readLog } from '../../../logs/logReader.js';
import type { LogLine } from '../../../logs/logFormat.js';
import { createSupervisor, type Supervisor } from './supervisor.js';

const here = fileURLToPath(new URL('.', import.meta.url));
let dir: string;
let shimPath: string;
let supervisor: Supervisor;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiplat-supervisor-'));
  // Under vitest the sources are TypeScript: bundle the shim as `tsc` would emit it into dist.
  shimPath = join(dir, 'logShim.mjs');
  buildSync({
    entryPoints: [join(here, 'logShim.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: shimPath,
  });
  supervisor = createSupervisor({ shimPath, handle: { pollIntervalMs: 50 } });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function allLines(file: string): Promise<LogLine[]> {
  return (await readLog(file, { limit: 100_000 })).lines;
}

/** The group is gone once init has reaped the last zombie too: kill(-pgid, 0) then fails with ESRCH. */
async function expectGroupGone(pgid: number): Promise<void> {
  expect(liveGroupMembers(pgid)).toEqual([]);
  await waitFor(() => {
    try {
      process.kill(-pgid, 0);
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }, `ESRCH for process group ${pgid}`);
}

let counter = 0;
function request(command: string) {
  const instance = `i${++counter}`;
  return {
    jobId: 'job-1',
    instance,
    command,
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    logDir: dir,
  };
}

describe('launchInstance', () => {
  it('captures stdout and stderr line by line, a partial last line, long lines split, and the exit code', async () => {
    const handle = await supervisor.launchInstance(
      request(
        [
          'for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; done',
          "head -c 40000 /dev/zero | tr '\\0' a; echo",
          'printf "no newline"',
          'exit 3',
        ].join('\n'),
      ),
    );
    expect(handle.pgid).toBe(handle.pid);
    expect(await handle.exited).toEqual({ code: 3, signal: null });

    const lines = await allLines(handle.logFile);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    const of = (s: string) => lines.filter((l) => l.s === s).map((l) => l.m);
    expect(of('err')).toEqual(['err 1', 'err 2', 'err 3']);
    const out = of('out');
    expect(out.slice(0, 3)).toEqual(['out 1', 'out 2', 'out 3']);
    expect(out.slice(3, 6).map((m) => m.length)).toEqual([16384, 16384, 40000 - 2 * 16384]);
    expect(out.slice(3, 6).join('')).toBe('a'.repeat(40000));
    expect(lines.find((l) => l.m === 'no newline')).toMatchObject({ s: 'out', c: true });
    const platform = of('platform');
    expect(platform[0]).toMatch(/^started: pid \d+/);
    expect(platform.at(-1)).toBe('exited: code 3');
    expect(lines.at(-1)?.s).toBe('platform');
    for (const line of lines) expect(Number.isNaN(Date.parse(line.t))).toBe(false);
  });

  it('passes the environment and working directory, and refuses to launch a running instance twice', async () => {
    const req = { ...request('echo "$GREETING from $(pwd)"; sleep 1000'), env: { GREETING: 'hello' } };
    const handle = await supervisor.launchInstance(req);
    await expect(supervisor.launchInstance(req)).rejects.toThrow(/already running/);
    await waitFor(async () => (await allLines(handle.logFile)).some((l) => l.m === `hello from ${dir}`), 'env line');
    await handle.stop(1_000);
  });

  it('reports a shell that cannot start', async () => {
    await expect(supervisor.launchInstance({ ...request('true'), cwd: join(dir, 'missing') })).rejects.toThrow(
      /failed to start/,
    );
  });
});

describe('stop', () => {
  it('kills the whole process group, grandchildren included, and is idempotent', async () => {
    const handle = await supervisor.launchInstance(request('sleep 1000 & sleep 1000; wait'));
    await waitFor(() => liveGroupMembers(handle.pgid).length >= 3 || undefined, 'shell and two sleeps');
    const [a, b] = [handle.stop(2_000), handle.stop(10)];
    expect(a).toBe(b);
    expect(await a).toEqual({ code: null, signal: 'SIGTERM' });
    await expectGroupGone(handle.pgid);
    const platform = (await allLines(handle.logFile)).filter((l) => l.s === 'platform').map((l) => l.m);
    expect(platform).toContain(`stop requested: SIGTERM to process group ${handle.pgid}, SIGKILL after 2000 ms`);
    expect(await handle.stop(1)).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('SIGKILLs a group that ignores SIGTERM once the grace period is over', async () => {
    const handle = await supervisor.launchInstance(request("trap '' TERM; echo ready; while :; do sleep 0.05; done"));
    await waitFor(async () => (await allLines(handle.logFile)).some((l) => l.m === 'ready'), 'ready');
    const started = Date.now();
    const exit = await handle.stop(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    await expectGroupGone(handle.pgid);
    const platform = (await allLines(handle.logFile)).filter((l) => l.s === 'platform').map((l) => l.m);
    expect(platform).toContain(`grace period over: SIGKILL to process group ${handle.pgid}`);
  });

  it('cleans up the rest of the group when the main process exits', async () => {
    const handle = await supervisor.launchInstance(request('sleep 1000 &\necho leaving'));
    expect(await handle.exited).toEqual({ code: 0, signal: null });
    await expectGroupGone(handle.pgid);
  });
});

describe('re-adoption after a backend crash', () => {
  it('a SIGKILLed backend loses no log line; a fresh supervisor adopts and stops the instance', async () => {
    // A real backend process: it launches the instance, prints the state file, and is SIGKILLed.
    const backend = join(dir, 'backend.mjs');
    buildSync({
      stdin: {
        contents: `import { createSupervisor } from './supervisor.ts';
          const [shimPath, logDir] = process.argv.slice(2);
          const handle = await createSupervisor({ shimPath }).launchInstance({
            jobId: 'job-crash', instance: 'crash', logDir, cwd: logDir, env: { PATH: process.env.PATH },
            command: 'for i in $(seq 1 15); do echo "tick $i"; sleep 0.02; done; echo done; sleep 1000',
          });
          process.stdout.write(handle.stateFile + '\\n');
          setInterval(() => {}, 1000);`,
        resolveDir: here,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: backend,
    });
    const child = spawn(process.execPath, [backend, shimPath, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stateFile = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`backend exited early: ${code}`)));
    });
    const killed = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await killed;

    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as InstanceState;
    const fresh = createSupervisor({ shimPath, handle: { pollIntervalMs: 50 } });
    const adopted = await fresh.adoptInstance(stateFile);
    if (adopted.kind !== 'running') throw new Error(`not adopted: ${JSON.stringify(adopted)}`);
    expect(adopted.handle.pid).toBe(state.child?.pid);

    const logFile = instancePaths(dir, 'crash').logFile;
    await waitFor(async () => (await allLines(logFile)).some((l) => l.m === 'done'), 'done line');
    const out = (await allLines(logFile)).filter((l) => l.s === 'out').map((l) => l.m);
    expect(out).toEqual([...Array.from({ length: 15 }, (_, i) => `tick ${i + 1}`), 'done']);

    expect(await adopted.handle.stop(1_000)).toEqual({ code: null, signal: 'SIGTERM' });
    await expectGroupGone(adopted.handle.pgid);
    // Once finished, the state file alone reports the recorded exit.
    expect(await fresh.adoptInstance(stateFile)).toEqual({ kind: 'exited', exit: { code: null, signal: 'SIGTERM' } });
  });

  it('does not adopt a live pid whose start time differs (pid reuse)', async () => {
    const stateFile = join(dir, 'reused.state.json');
    const startTime = processStartTime(process.pid) ?? 0;
    const state: InstanceState = {
      version: 1,
      jobId: 'job-x',
      instance: 'reused',
      logFile: join(dir, 'reused.log'),
      shim: { pid: process.pid, startTime: startTime + 1 },
      child: { pid: process.pid, pgid: process.pid, startTime: startTime + 1 },
      startedAt: new Date().toISOString(),
    };
    writeFileSync(stateFile, JSON.stringify(state));
    const result = await supervisor.adoptInstance(stateFile);
    expect(result.kind).toBe('lost');
  });

  it('reports an unreadable state file as lost', async () => {
    expect((await supervisor.adoptInstance(join(dir, 'nope.state.json'))).kind).toBe('lost');
  });
});
