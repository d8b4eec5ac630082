/**
 * The log shim: a tiny Node process, one per instance, that outlives the backend.
 *
 * The backend starts it detached (its own session, stdio not connected to the backend) and writes
 * a `ShimSpec` to its stdin. The shim then starts the user's shell in a new session / process
 * group, reads the shell's stdout and stderr through pipes it alone owns, appends every line to the
 * instance's log file with a timestamp, stream and sequence number, and keeps the state file
 * (pids, /proc start times, exit status) up to date. A SIGKILLed backend therefore loses nothing:
 * the pipes' reader is this process, and a restarted backend only reads the files and sends signals.
 *
 * Stop protocol: the backend writes `<instance>.stop.json` ({ graceMs }) and sends SIGUSR2; the shim
 * sends SIGTERM to the process group and SIGKILL after the grace period, so the escalation happens
 * even if the backend dies in between. SIGTERM to the shim itself is a stop with a default grace.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { encodeLogLine, LineSplitter, LOG_TAIL_BYTES, nextSeqFromTail } from '../../../logs/logFormat.js';
import type { LogStream } from '../../../logs/logFormat.js';
import {
  liveGroupMembers,
  processStartTime,
  signalQuietly,
  writeJsonAtomic,
  type InstanceState,
  type ShimSpec,
  type StopRequest,
} from './instanceState.js';

const DEFAULT_STOP_GRACE_MS = 10_000;
/** After the main process exits, the rest of its group gets this long after SIGTERM. */
const LEFTOVER_GRACE_MS = 2_000;
/** How long to wait for the pipes to close once the group is gone (an escaped process may hold them). */
const DRAIN_TIMEOUT_MS = 1_000;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens the log for appending and finds the next sequence number from its tail. */
function openLog(file: string): { fd: number; nextSeq: number } {
  const fd = openSync(file, 'a+', 0o600);
  const size = fstatSync(fd).size;
  let nextSeq = 1;
  if (size > 0) {
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    nextSeq = nextSeqFromTail(buf.toString('utf8'));
    // A previous writer killed mid-line: start on a fresh line so the torn one stays isolated.
    if (buf[length - 1] !== 0x0a) writeSync(fd, '\n');
  }
  return { fd, nextSeq };
}

async function main(): Promise<void> {
  const spec = JSON.parse(await readStdin()) as ShimSpec;
  process.title = `aiplat-log-shim ${spec.jobId}/${spec.instance}`;
  const log = openLog(spec.logFile);
  let seq = log.nextSeq;

  const write = (s: LogStream, pieces: { text: string; cut: boolean }[]): void => {
    if (pieces.length === 0) return;
    const t = new Date().toISOString();
    let out = '';
    for (const piece of pieces) {
      out += encodeLogLine(
        piece.cut ? { t, s, seq: seq++, m: piece.text, c: true } : { t, s, seq: seq++, m: piece.text },
      );
    }
    writeSync(log.fd, out);
  };
  const platform = (text: string): void => write('platform', [{ text, cut: false }]);

  const state: InstanceState = {
    version: 1,
    jobId: spec.jobId,
    instance: spec.instance,
    logFile: spec.logFile,
    shim: { pid: process.pid, startTime: processStartTime(process.pid) ?? 0 },
    startedAt: new Date().toISOString(),
  };
  const saveState = (): void => writeJsonAtomic(spec.stateFile, state);
  saveState();

  const child = spawn(spec.shell, ['-c', spec.command], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true, // setsid(): a new session and process group led by the shell
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let finished = false;
  const finish = (exit: NonNullable<InstanceState['exit']>): void => {
    if (finished) return;
    finished = true;
    state.exit = exit;
    saveState();
    closeSync(log.fd);
    process.exit(0);
  };

  child.once('error', (error) => {
    // spawn failed (bad cwd, missing shell): there is no child and no group.
    if (state.child) return;
    platform(`failed to start: ${error.message}`);
    state.error = error.message;
    finish({ code: 127, signal: null, at: new Date().toISOString() });
  });

  child.once('spawn', () => {
    const pid = child.pid;
    if (pid === undefined) return;
    state.child = { pid, pgid: pid, startTime: processStartTime(pid) ?? 0 };
    saveState();
    platform(`started: pid ${pid}, process group ${pid}, ${spec.shell} in ${spec.cwd}`);
  });

  const splitters = { out: new LineSplitter(), err: new LineSplitter() };
  let openPipes = 2;
  let mainExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const timers: NodeJS.Timeout[] = [];

  const maybeFinish = (): void => {
    if (!mainExit || openPipes > 0) return;
    for (const timer of timers) clearTimeout(timer);
    const { code, signal } = mainExit;
    platform(signal ? `exited: killed by signal ${signal}` : `exited: code ${code ?? 'unknown'}`);
    finish({ code, signal, at: new Date().toISOString() });
  };

  for (const [name, stream] of [
    ['out', child.stdout],
    ['err', child.stderr],
  ] as const) {
    stream.on('data', (chunk: Buffer) => write(name, splitters[name].push(chunk)));
    stream.once('close', () => {
      write(name, splitters[name].end());
      openPipes--;
      maybeFinish();
    });
  }

  // Zombies (reaped late by init) do not count: they hold nothing and run nothing.
  const groupAlive = (): boolean => state.child !== undefined && liveGroupMembers(state.child.pgid).length > 0;

  child.once('exit', (code, signal) => {
    mainExit = { code, signal };
    const pgid = state.child?.pgid;
    if (pgid !== undefined && groupAlive()) {
      // The shell is gone but members of its group live on (and may hold the pipes): clean them up.
      platform(`main process exited; stopping the rest of process group ${pgid}`);
      signalQuietly(-pgid, 'SIGTERM');
      timers.push(setTimeout(() => signalQuietly(-pgid, 'SIGKILL'), LEFTOVER_GRACE_MS));
    }
    // Anything that left the group but kept our pipes open must not keep the instance alive.
    timers.push(
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, LEFTOVER_GRACE_MS + DRAIN_TIMEOUT_MS),
    );
    maybeFinish();
  });

  let stopping = false;
  const stop = (graceMs: number, reason: string): void => {
    const pgid = state.child?.pgid;
    if (stopping || mainExit || pgid === undefined) return;
    stopping = true;
    platform(`${reason}: SIGTERM to process group ${pgid}, SIGKILL after ${graceMs} ms`);
    signalQuietly(-pgid, 'SIGTERM');
    timers.push(
      setTimeout(() => {
        if (!groupAlive()) return;
        platform(`grace period over: SIGKILL to process group ${pgid}`);
        signalQuietly(-pgid, 'SIGKILL');
      }, graceMs),
    );
  };

  process.on('SIGUSR2', () => {
    let request: StopRequest | undefined;
    try {
      request = JSON.parse(readFileSync(spec.stopFile, 'utf8')) as StopRequest;
    } catch {
      request = undefined;
    }
    const graceMs = typeof request?.graceMs === 'number' ? request.graceMs : DEFAULT_STOP_GRACE_MS;
    stop(graceMs, 'stop requested');
  });
  process.on('SIGTERM', () => stop(DEFAULT_STOP_GRACE_MS, 'log shim received SIGTERM'));
  process.on('SIGHUP', () => undefined);
  process.on('SIGINT', () => undefined);
}

main().catch((error: unknown) => {
  process.stderr.write(`log shim failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
