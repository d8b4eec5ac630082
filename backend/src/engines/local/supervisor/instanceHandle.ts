import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  isSameProcessAlive,
  readInstanceState,
  signalQuietly,
  stopFileFor,
  writeJsonAtomic,
  type ExitStatus,
  type InstanceState,
  type StopRequest,
} from './instanceState.js';

/** A running (or finished) instance: one process group supervised by its log shim. */
export interface InstanceHandle {
  readonly jobId: string;
  readonly instance: string;
  /** The user's shell; also the id of its process group. */
  readonly pid: number;
  readonly pgid: number;
  readonly logFile: string;
  readonly stateFile: string;
  /** Resolves once the instance ended and its last log line is on disk. */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once known. */
  readonly exitStatus: ExitStatus | undefined;
  /** Calls `cb` once on exit; the returned function unsubscribes. */
  onExit(cb: (exit: ExitStatus) => void): () => void;
  /** SIGTERM to the process group, SIGKILL after `graceMs`. Idempotent: later calls share the first. */
  stop(graceMs: number): Promise<ExitStatus>;
  /** Stops watching the state file (the processes are left alone). Safe to call twice. */
  dispose(): void;
}

export interface HandleOptions {
  /** Fallback poll of the state file, for when fs.watch misses an event. */
  pollIntervalMs: number;
  /** When the shim is alive, the backend escalates itself only this long after the grace period. */
  shimFallbackMs: number;
}

/** Builds a handle from a state file whose child has been spawned. */
export function createInstanceHandle(stateFile: string, state: InstanceState, options: HandleOptions): InstanceHandle {
  return new StateFileInstanceHandle(stateFile, state, options);
}

class StateFileInstanceHandle implements InstanceHandle {
  readonly jobId: string;
  readonly instance: string;
  readonly pid: number;
  readonly pgid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private resolveExit!: (exit: ExitStatus) => void;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private stopping: Promise<ExitStatus> | undefined;
  private disposed = false;

  constructor(
    readonly stateFile: string,
    private state: InstanceState,
    private readonly options: HandleOptions,
  ) {
    const child = state.child;
    if (!child) throw new Error(`${stateFile}: the instance has no process yet`);
    this.jobId = state.jobId;
    this.instance = state.instance;
    this.pid = child.pid;
    this.pgid = child.pgid;
    this.logFile = state.logFile;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    if (state.exit) {
      this.settle(state.exit);
      return;
    }
    const name = basename(stateFile);
    try {
      // Watch the directory: the state file is replaced by rename, which a file watch would lose.
      this.watcher = watch(dirname(stateFile), (_event, file) => {
        if (file === name) this.check();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
    this.poll = setInterval(() => this.check(), options.pollIntervalMs);
    this.poll.unref();
    this.check();
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  onExit(cb: (exit: ExitStatus) => void): () => void {
    let active = true;
    void this.exited.then((exit) => {
      if (active) cb(exit);
    });
    return () => {
      active = false;
    };
  }

  stop(graceMs: number): Promise<ExitStatus> {
    this.stopping ??= this.runStop(graceMs);
    return this.stopping;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unwatch();
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private async runStop(graceMs: number): Promise<ExitStatus> {
    this.check();
    if (this.status) return this.status;
    const child = this.state.child;
    if (!child) return this.exited;
    if (isSameProcessAlive(this.state.shim)) {
      // The shim escalates on its own (and survives us); we only step in if it does not.
      const request: StopRequest = { graceMs, at: new Date().toISOString() };
      writeJsonAtomic(stopFileFor(this.stateFile), request);
      signalQuietly(this.state.shim.pid, 'SIGUSR2');
      if (await this.exitedWithin(graceMs + this.options.shimFallbackMs)) return this.exited;
      if (isSameProcessAlive(child)) signalQuietly(-child.pgid, 'SIGKILL');
      return this.exited;
    }
    // No shim: signal the group ourselves, but only while its leader is provably the same process.
    if (isSameProcessAlive(child)) signalQuietly(-child.pgid, 'SIGTERM');
    if (!(await this.exitedWithin(graceMs)) && isSameProcessAlive(child)) signalQuietly(-child.pgid, 'SIGKILL');
    return this.exited;
  }

  private async exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const done = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  private check(): void {
    if (this.status) return;
    const fresh = this.read();
    if (fresh?.exit) return this.settle(fresh.exit);
    if (isSameProcessAlive(this.state.shim)) return;
    // The shim is gone: it may have written the exit just before exiting, so read once more.
    const last = this.read();
    if (last?.exit) return this.settle(last.exit);
    this.settle({
      code: null,
      signal: null,
      lost: `log shim ${this.state.shim.pid} died without recording an exit status`,
    });
  }

  private read(): InstanceState | undefined {
    try {
      this.state = readInstanceState(this.stateFile);
      return this.state;
    } catch {
      return undefined;
    }
  }

  private settle(exit: ExitStatus): void {
    if (this.status) return;
    const { code, signal } = exit;
    this.status = exit.lost === undefined ? { code, signal } : { code, signal, lost: exit.lost };
    this.unwatch();
    this.resolveExit(this.status);
  }
}
