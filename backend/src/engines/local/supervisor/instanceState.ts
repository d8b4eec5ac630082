import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How an instance's main process ended. `lost` is set when no one saw it end. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  lost?: string;
}

/** A process identified beyond its pid: `startTime` is field 22 of /proc/<pid>/stat (clock ticks). */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

/**
 * The state file the log shim keeps for one instance (`<logDir>/<instance>.state.json`), replaced
 * atomically on every change. It is all a restarted backend needs to re-adopt the instance.
 */
export interface InstanceState {
  version: 1;
  jobId: string;
  instance: string;
  logFile: string;
  shim: ProcessIdentity;
  /** The user's shell: its pid is also the process group id. Absent until spawned. */
  child?: ProcessIdentity & { pgid: number };
  startedAt: string;
  exit?: ExitStatus & { at: string };
  /** Why the shell could not be started. */
  error?: string;
}

/** The shim's input, sent over its stdin so the environment never touches the disk or argv. */
export interface ShimSpec {
  jobId: string;
  instance: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
  shell: string;
  logFile: string;
  stateFile: string;
  stopFile: string;
}

/** A stop request the backend leaves for the shim, which escalates on its own if the backend dies. */
export interface StopRequest {
  graceMs: number;
  at: string;
}

export function instancePaths(
  logDir: string,
  instance: string,
): { logFile: string; stateFile: string; stopFile: string } {
  return {
    logFile: join(logDir, `${instance}.log`),
    stateFile: join(logDir, `${instance}.state.json`),
    stopFile: join(logDir, `${instance}.stop.json`),
  };
}

export function stopFileFor(stateFile: string): string {
  return stateFile.replace(/\.state\.json$/, '.stop.json');
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function readInstanceState(file: string): InstanceState {
  const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (typeof value !== 'object' || value === null) throw new Error(`${file}: not a state object`);
  const v = value as Partial<InstanceState>;
  if (v.version !== 1 || typeof v.shim?.pid !== 'number' || typeof v.logFile !== 'string') {
    throw new Error(`${file}: not an instance state file`);
  }
  return v as InstanceState;
}

/** Start time of a live process in clock ticks since boot, or undefined if there is no such pid. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  if (fields[0] === 'Z') return undefined; // a zombie has already exited
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

/** True when `id.pid` is alive and is the same process that was recorded (no pid reuse). */
export function isSameProcessAlive(id: ProcessIdentity): boolean {
  return processStartTime(id.pid) === id.startTime;
}

/** Sends a signal, ignoring "no such process". */
export function signalQuietly(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Pids of the non-zombie processes in process group `pgid` (a scan of /proc). */
export function liveGroupMembers(pgid: number): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the last ')': state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}
