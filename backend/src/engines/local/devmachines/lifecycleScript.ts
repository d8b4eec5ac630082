import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The PATH lifecycle scripts run with, whatever the backend's own. */
export const LIFECYCLE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const LIFECYCLE_TIMEOUT_MS = 5 * 60_000;

/** How many of the script's last lines a failure carries. */
const TAIL_LINES = 10;
/** A line longer than this is passed on in pieces of this size. */
const MAX_LINE_CHARS = 16_384;

export type LifecycleKind = 'on-create' | 'on-start';

export interface LifecycleScriptRun {
  kind: LifecycleKind;
  /** The script's text (decoded from the config's base64). */
  script: string;
  cwd: string;
  /** The dev machine's variables; PATH is replaced by LIFECYCLE_PATH. */
  env: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** Each line of its output as it comes, stdout and stderr apart. */
  onLine(stream: 'stdout' | 'stderr', text: string): void;
  signal?: AbortSignal;
}

export type LifecycleOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Runs one lifecycle script before the IDEs start, in its own process group with a fixed PATH,
 * its output streamed line by line; ends it (the whole group) at the timeout. A failure says why
 * (the exit code or the timeout) with the script's last lines, for the start's failure message.
 */
export async function runLifecycleScript(run: LifecycleScriptRun): Promise<LifecycleOutcome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-lifecycle-'));
  const file = path.join(dir, `${run.kind}.sh`);
  await writeFile(file, run.script, { mode: 0o700 });
  const timeoutMs = run.timeoutMs ?? LIFECYCLE_TIMEOUT_MS;
  const tail: string[] = [];
  try {
    const child = spawn('/bin/bash', [file], {
      cwd: run.cwd,
      env: { ...run.env, PATH: LIFECYCLE_PATH },
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
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => kill();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const lines = (stream: 'stdout' | 'stderr') => {
      let pending = '';
      const line = (text: string) => {
        run.onLine(stream, text);
        tail.push(text);
        if (tail.length > TAIL_LINES) tail.shift();
      };
      return {
        data: (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          for (;;) {
            const newline = pending.indexOf('\n');
            if (newline >= 0 && newline <= MAX_LINE_CHARS) {
              line(pending.slice(0, newline));
              pending = pending.slice(newline + 1);
            } else if (pending.length >= MAX_LINE_CHARS) {
              // A line this long goes on in pieces (a script printing a blob must not fill the memory).
              line(pending.slice(0, MAX_LINE_CHARS));
              pending = pending.slice(MAX_LINE_CHARS);
            } else break;
          }
        },
        end: () => {
          if (pending) line(pending);
          pending = '';
        },
      };
    };
    const out = lines('stdout');
    const err = lines('stderr');
    child.stdout.on('data', out.data).on('end', out.end);
    child.stderr.on('data', err.data).on('end', err.end);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    run.signal?.removeEventListener('abort', onAbort);
    if (exit.code === 0) return { ok: true };
    const last = tail.length ? `; its last lines: ${tail.join(' / ')}` : '';
    if (timedOut) {
      return { ok: false, reason: `the ${run.kind} script did not finish within ${formatDuration(timeoutMs)}${last}` };
    }
    if (exit.error) return { ok: false, reason: `the ${run.kind} script could not run: ${exit.error.message}` };
    const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
    return { ok: false, reason: `the ${run.kind} script ${how}${last}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}
