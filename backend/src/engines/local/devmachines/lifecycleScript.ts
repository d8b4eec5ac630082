import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { ContainerRuntime } from '../containers/containerRuntime.js';

/** The PATH lifecycle scripts run with, whatever the backend's own. */
export const LIFECYCLE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const LIFECYCLE_TIMEOUT_MS = 5 * 60_000;

/** How many of the script's last lines a failure carries. */
const TAIL_LINES = 10;
/** A line longer than this is passed on in pieces of this size. */
const MAX_LINE_CHARS = 16_384;

export type LifecycleKind = 'on-create' | 'on-start';

/** How a script's process ended. */
export interface ScriptExit {
  code: number | null;
  signal?: string | null;
  /** It could not be run at all. */
  error?: Error;
}

/**
 * Runs a script's text somewhere (a process group here, a command in a container) with its output
 * to `stdout`/`stderr`; aborting `signal` ends it, its children included.
 */
export type ScriptLauncher = (
  script: string,
  io: { kind: LifecycleKind; stdout: Writable; stderr: Writable; signal: AbortSignal },
) => Promise<ScriptExit>;

export interface LifecycleScriptRun {
  kind: LifecycleKind;
  /** The script's text (decoded from the config's base64). */
  script: string;
  /** For the process launcher: where it runs, and the dev machine's variables (PATH is replaced by LIFECYCLE_PATH). */
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** Where it runs: a process group on this machine unless given. */
  launcher?: ScriptLauncher;
  timeoutMs?: number;
  /** Each line of its output as it comes, stdout and stderr apart. */
  onLine(stream: 'stdout' | 'stderr', text: string): void;
  signal?: AbortSignal;
}

export type LifecycleOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Runs one lifecycle script before the IDEs start, its output streamed line by line; ends it at the
 * timeout. A failure says why (the exit code or the timeout) with the script's last lines, for the
 * start's failure message.
 */
export async function runLifecycleScript(run: LifecycleScriptRun): Promise<LifecycleOutcome> {
  const timeoutMs = run.timeoutMs ?? LIFECYCLE_TIMEOUT_MS;
  const tail: string[] = [];
  const ending = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ending.abort(new Error('timed out'));
  }, timeoutMs);
  const onAbort = () => ending.abort(run.signal?.reason);
  run.signal?.addEventListener('abort', onAbort, { once: true });
  const lines = (stream: 'stdout' | 'stderr') =>
    new LineSplitter((text) => {
      run.onLine(stream, text);
      tail.push(text);
      if (tail.length > TAIL_LINES) tail.shift();
    });
  const stdout = lines('stdout');
  const stderr = lines('stderr');
  const launcher = run.launcher ?? processLauncher(run.cwd ?? process.cwd(), run.env ?? {});
  let exit: ScriptExit;
  try {
    exit = await launcher(run.script, { kind: run.kind, stdout, stderr, signal: ending.signal });
  } catch (error) {
    exit = { code: null, error: error instanceof Error ? error : new Error(String(error)) };
  } finally {
    clearTimeout(timer);
    run.signal?.removeEventListener('abort', onAbort);
  }
  stdout.flush();
  stderr.flush();
  if (exit.code === 0 && !timedOut) return { ok: true };
  const last = tail.length ? `; its last lines: ${tail.join(' / ')}` : '';
  if (timedOut) {
    return { ok: false, reason: `the ${run.kind} script did not finish within ${formatDuration(timeoutMs)}${last}` };
  }
  if (run.signal?.aborted) return { ok: false, reason: `the ${run.kind} script was stopped` };
  if (exit.error) return { ok: false, reason: `the ${run.kind} script could not run: ${exit.error.message}` };
  const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
  return { ok: false, reason: `the ${run.kind} script ${how}${last}` };
}

/** A script as a process group on this machine, as the backend's user, with the fixed PATH. */
export function processLauncher(cwd: string, env: Readonly<Record<string, string>>): ScriptLauncher {
  return async (script, io) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-lifecycle-'));
    try {
      const file = path.join(dir, `${io.kind}.sh`);
      await writeFile(file, script, { mode: 0o700 });
      const child = spawn('/bin/bash', [file], {
        cwd,
        env: { ...env, PATH: LIFECYCLE_PATH },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      io.signal.addEventListener('abort', kill, { once: true });
      child.stdout.pipe(io.stdout, { end: false });
      child.stderr.pipe(io.stderr, { end: false });
      const exit = await new Promise<ScriptExit>((resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
        child.once('close', (code, signal) => resolve({ code, signal }));
      });
      io.signal.removeEventListener('abort', kill);
      return exit;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/**
 * A script as root inside a container, through the runtime's exec: written to a folder the
 * container mounts (`hostDir` here, `containerDir` there), run with the fixed PATH, removed after.
 */
export function containerScriptLauncher(
  runtime: Pick<ContainerRuntime, 'exec'>,
  containerId: string,
  where: { hostDir: string; containerDir: string; env: Readonly<Record<string, string>>; workingDir: string },
): ScriptLauncher {
  return async (script, io) => {
    const file = path.join(where.hostDir, `${io.kind}.sh`);
    await writeFile(file, script, { mode: 0o700 });
    try {
      const code = await runtime.exec(containerId, ['/bin/bash', `${where.containerDir}/${io.kind}.sh`], {
        user: '0',
        env: { ...where.env, PATH: LIFECYCLE_PATH },
        workingDir: where.workingDir,
        stdout: io.stdout,
        stderr: io.stderr,
        signal: io.signal,
      });
      return { code };
    } finally {
      await rm(file, { force: true });
    }
  };
}

/** Cuts what it is given into lines (a line longer than 16 KiB into pieces), for `onLine`. */
class LineSplitter extends Writable {
  private pending = '';

  constructor(private readonly onLine: (text: string) => void) {
    super({ decodeStrings: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.pending += chunk.toString('utf8');
    for (;;) {
      const newline = this.pending.indexOf('\n');
      if (newline >= 0 && newline <= MAX_LINE_CHARS) {
        this.onLine(this.pending.slice(0, newline));
        this.pending = this.pending.slice(newline + 1);
      } else if (this.pending.length >= MAX_LINE_CHARS) {
        // A line this long goes on in pieces (a script printing a blob must not fill the memory).
        this.onLine(this.pending.slice(0, MAX_LINE_CHARS));
        this.pending = this.pending.slice(MAX_LINE_CHARS);
      } else break;
    }
    done();
  }

  /** The last line, when the output did not end with a newline. */
  flush(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}
