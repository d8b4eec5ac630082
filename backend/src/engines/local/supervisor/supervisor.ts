import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInstanceHandle, type HandleOptions, type InstanceHandle } from './instanceHandle.js';
import {
  instancePaths,
  isSameProcessAlive,
  readInstanceState,
  type ExitStatus,
  type InstanceState,
  type ShimSpec,
} from './instanceState.js';

export interface LaunchRequest {
  jobId: string;
  /** File-name safe: letters, digits, `_`, `-`, `.`; names the log and state files in `logDir`. */
  instance: string;
  /** The user's multi-line shell script, run as `shell -c command`. */
  command: string;
  cwd: string;
  env: Record<string, string>;
  logDir: string;
  shell?: string;
}

export type AdoptResult =
  { kind: 'running'; handle: InstanceHandle } | { kind: 'exited'; exit: ExitStatus } | { kind: 'lost'; reason: string };

export interface Supervisor {
  /** Starts one instance under its own log shim; resolves once the shell is running. */
  launchInstance(request: LaunchRequest): Promise<InstanceHandle>;
  /** After a backend restart: takes over an instance from its state file alone. */
  adoptInstance(stateFile: string): Promise<AdoptResult>;
}

export interface SupervisorOptions {
  /** The compiled log shim; defaults to `logShim.js` beside this module. */
  shimPath?: string;
  /** How long a launch may take until the shell runs. */
  startTimeoutMs?: number;
  /** Poll interval while waiting for the state file (launch, adoption). */
  statePollMs?: number;
  handle?: Partial<HandleOptions>;
}

export const DEFAULT_SHIM_PATH = fileURLToPath(new URL('./logShim.js', import.meta.url));
const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function createSupervisor(options: SupervisorOptions = {}): Supervisor {
  const shimPath = options.shimPath ?? DEFAULT_SHIM_PATH;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const statePollMs = options.statePollMs ?? 10;
  const handleOptions: HandleOptions = {
    pollIntervalMs: options.handle?.pollIntervalMs ?? 500,
    shimFallbackMs: options.handle?.shimFallbackMs ?? 2_000,
  };

  async function launchInstance(request: LaunchRequest): Promise<InstanceHandle> {
    if (!INSTANCE_NAME.test(request.instance)) throw new Error(`invalid instance name: ${request.instance}`);
    mkdirSync(request.logDir, { recursive: true });
    const paths = instancePaths(request.logDir, request.instance);
    const previous = tryReadState(paths.stateFile);
    if (previous && !previous.exit && isSameProcessAlive(previous.shim)) {
      throw new Error(`instance ${request.instance} is already running (log shim ${previous.shim.pid})`);
    }
    rmSync(paths.stateFile, { force: true });
    rmSync(paths.stopFile, { force: true });

    const spec: ShimSpec = {
      jobId: request.jobId,
      instance: request.instance,
      command: request.command,
      cwd: request.cwd,
      env: request.env,
      shell: request.shell ?? '/bin/bash',
      ...paths,
    };
    const errFile = join(request.logDir, `${request.instance}.shim.err`);
    const errFd = openSync(errFile, 'a', 0o600);
    let shimExit: string | undefined;
    try {
      // Its own session, no pipe to us: the shim must not notice when the backend dies.
      const shim = spawn(process.execPath, [shimPath], {
        detached: true,
        stdio: ['pipe', 'ignore', errFd],
        cwd: request.logDir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      });
      shim.once('error', (error) => (shimExit ??= `could not start the log shim: ${error.message}`));
      shim.once('exit', (code, signal) => (shimExit ??= `log shim exited early (${signal ?? code})`));
      shim.stdin?.on('error', () => undefined);
      shim.stdin?.end(JSON.stringify(spec));
      shim.unref();
    } finally {
      closeSync(errFd);
    }

    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const state = tryReadState(paths.stateFile);
      if (state?.error) throw new Error(`instance ${request.instance} failed to start: ${state.error}`);
      if (state?.child) return createInstanceHandle(paths.stateFile, state, handleOptions);
      if (shimExit !== undefined) {
        // The shim may have written its state just before exiting.
        const last = tryReadState(paths.stateFile);
        if (last?.child) return createInstanceHandle(paths.stateFile, last, handleOptions);
        throw new Error(`instance ${request.instance}: ${shimExit}: ${tail(errFile)}`);
      }
      if (Date.now() > deadline)
        throw new Error(`instance ${request.instance}: not started within ${startTimeoutMs} ms`);
      await delay(statePollMs);
    }
  }

  async function adoptInstance(stateFile: string): Promise<AdoptResult> {
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      let state: InstanceState;
      try {
        state = readInstanceState(stateFile);
      } catch (error) {
        return { kind: 'lost', reason: `unreadable state file: ${(error as Error).message}` };
      }
      if (state.exit) return { kind: 'exited', exit: exitOf(state.exit) };
      const shimAlive = isSameProcessAlive(state.shim);
      if (state.child && (isSameProcessAlive(state.child) || shimAlive)) {
        return { kind: 'running', handle: createInstanceHandle(stateFile, state, handleOptions) };
      }
      if (!shimAlive) {
        const last = tryReadState(stateFile);
        if (last?.exit) return { kind: 'exited', exit: exitOf(last.exit) };
        const who = state.child ? `process ${state.child.pid}` : `log shim ${state.shim.pid}`;
        return { kind: 'lost', reason: `${who} is gone (or its pid was reused) and no exit status was recorded` };
      }
      // The shim is alive but has not spawned the shell yet: wait for it.
      if (Date.now() > deadline) return { kind: 'lost', reason: 'log shim alive but the shell never started' };
      await delay(statePollMs);
    }
  }

  return { launchInstance, adoptInstance };
}

function exitOf(exit: ExitStatus): ExitStatus {
  const { code, signal, lost } = exit;
  return lost === undefined ? { code, signal } : { code, signal, lost };
}

function tryReadState(file: string): InstanceState | undefined {
  try {
    return readInstanceState(file);
  } catch {
    return undefined;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2_000).trim();
  } catch {
    return '';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
