import type { Logger } from 'pino';
import type { ReplicaState, ServiceEvent, ServiceProbe, ServiceVersionSpec } from '@aiplat/api';
import type { ServiceObservation } from '../../../services/engine.js';
import { instancePaths, type ExitStatus, type InstanceHandle, type Supervisor } from '../supervisor/index.js';
import type { ReplicaContainer } from '../containers/serviceContainers.js';
import { processTail } from './processTail.js';
import { DEFAULT_READINESS, runProbe } from './probes.js';
import { afterExit, FRESH_HEALTH, judgeProbe, type Backoff, type Health, type ProbeKind } from './replicaRules.js';

export interface ReplicaContext {
  service: string;
  version: number;
  index: number;
  spec: ServiceVersionSpec;
  supervisor: Supervisor;
  /** The folder of the replica's log and state files. */
  logDir: string;
  /** Names its log and state files: `replica-<index>` (a rolling restart's new process takes the other slot). */
  instance: string;
  cwd: string;
  /** Everything but PORT. */
  env: Record<string, string>;
  /** The replica runs in a container: its process runs the container, exec probes run inside it. */
  container?: ReplicaContainer;
  readyTimeoutMs: number;
  stopGraceMs: number;
  backoff: Backoff;
  /**
   * A rolling restart's new process: when it gives up it only ends as Failed (the old process keeps
   * serving and the restart stops) instead of failing the version.
   */
  surge?: boolean;
  report(observation: ServiceObservation): void;
  log: Logger;
}

type ReplicaEventType = Extract<
  ServiceEvent['type'],
  'replica-started' | 'replica-ready' | 'replica-not-ready' | 'liveness-failed' | 'replica-restarted' | 'replica-exited'
>;

/**
 * One replica: a process group under the supervisor listening on PORT, ready only while its
 * readiness probe passes (once its startup probe passed), restarted when its liveness probe fails
 * or it exits (with backoff), with an event each time. The probes' counting is `replicaRules`.
 */
export class Replica {
  state: ReplicaState = 'Pending';
  /** When its current process started (ISO 8601), told with each state it reports. */
  startedAt: string | undefined;
  private handle: InstanceHandle | undefined;
  /** Bumped for each process and at stop: loops and exit handlers of an older one stay out. */
  private generation = 0;
  private stopping = false;
  private health: Health = FRESH_HEALTH;
  private everReady = false;
  /** Exits (and ready timeouts) since the replica was last ready. */
  private exitsInARow = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ctx: ReplicaContext,
    readonly port: number,
    /** Restarts so far (a rolling restart's new process carries on the count). */
    public restarts = 0,
  ) {}

  get ready(): boolean {
    return this.state === 'Ready' && !this.stopping;
  }

  get logFile(): string {
    return instancePaths(this.ctx.logDir, this.ctx.instance).logFile;
  }

  get instance(): string {
    return this.ctx.instance;
  }

  /** Launches the process (and its probes); rejects when the supervisor cannot start it. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    const { ctx } = this;
    this.health = FRESH_HEALTH;
    this.startedAt = new Date().toISOString();
    this.set('Starting');
    const env = { ...ctx.env, PORT: String(this.port) };
    const handle = await ctx.supervisor.launchInstance({
      jobId: `${ctx.service}-v${ctx.version}`,
      instance: ctx.instance,
      command: ctx.container ? await ctx.container.launch(this.port) : ctx.spec.command,
      cwd: ctx.cwd,
      env,
      logDir: ctx.logDir,
    });
    if (generation !== this.generation) {
      // Stopped while launching.
      await handle.stop(0);
      handle.dispose();
      await ctx.container?.clear();
      return;
    }
    this.handle = handle;
    this.event('replica-started', `Replica ${ctx.index} of version ${ctx.version} started on port ${this.port}.`);
    handle.onExit((exit) => void this.exited(generation, handle, exit));
    void this.watch(generation);
  }

  /** Resolves true once the replica is ready, false when it fails, stops or `timeoutMs` passes first. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ready) {
      if (this.stopping || this.state === 'Failed' || Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  /**
   * Ends the process group (SIGTERM, SIGKILL after the grace unless `force`). `quiet`: report no
   * Stopped (a rolling restart's old process, whose index lives on in the new one).
   */
  async stop(force: boolean, quiet = false): Promise<void> {
    this.stopping = true;
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const handle = this.handle;
    if (handle && !handle.exitStatus) await handle.stop(force ? 0 : this.ctx.stopGraceMs);
    handle?.dispose();
    await this.ctx.container?.clear();
    if (!quiet) this.set('Stopped');
    else this.state = 'Stopped';
  }

  /** Startup probe until it passed once, then readiness and liveness side by side. */
  private async watch(generation: number): Promise<void> {
    const { probes } = this.ctx.spec;
    const deadline = Date.now() + this.ctx.readyTimeoutMs;
    if (probes.startup) await this.probeLoop(generation, 'startup', probes.startup, deadline);
    else this.health = { ...this.health, started: true };
    if (generation !== this.generation) return;
    void this.probeLoop(generation, 'readiness', probes.readiness ?? DEFAULT_READINESS, deadline);
    if (probes.liveness) void this.probeLoop(generation, 'liveness', probes.liveness, deadline);
  }

  /** Runs one probe every period until the process changes; the startup loop ends once it passed. */
  private async probeLoop(generation: number, kind: ProbeKind, probe: ServiceProbe, deadline: number): Promise<void> {
    await this.sleep(probe.initialDelaySeconds * 1000);
    while (generation === this.generation) {
      const result = await runProbe(probe, this.port, {
        cwd: this.ctx.cwd,
        env: { ...this.ctx.env, PORT: String(this.port) },
        ...(this.ctx.container ? { exec: this.ctx.container.exec } : {}),
      });
      if (generation !== this.generation) return;
      const judged = judgeProbe(this.health, kind, result, probe.failureThreshold);
      this.health = judged.health;
      const { index } = this.ctx;
      switch (judged.verdict) {
        case 'started':
          return;
        case 'ready':
          this.everReady = true;
          this.exitsInARow = 0;
          this.set('Ready', undefined, 'replica-ready', `Replica ${index} is ready.`);
          break;
        case 'not-ready':
          this.set('NotReady', String(result), 'replica-not-ready', `Replica ${index} is not ready: ${result}`);
          break;
        case 'restart':
          this.restart(
            generation,
            `its ${kind} probe failed ${probe.failureThreshold} time(s) in a row: ${result}`,
            kind === 'liveness' ? 'liveness-failed' : 'replica-not-ready',
          );
          return;
        case 'none':
          break;
      }
      if (!this.health.ready && !this.everReady && kind !== 'liveness' && Date.now() > deadline) {
        this.neverReady(generation, `it was not ready within ${Math.round(this.ctx.readyTimeoutMs / 1000)} s`);
        return;
      }
      await this.sleep(probe.periodSeconds * 1000);
    }
  }

  /** A failed startup or liveness probe: kill the group and start it again at once. */
  private restart(generation: number, why: string, type: 'liveness-failed' | 'replica-not-ready'): void {
    if (generation !== this.generation || this.stopping) return;
    this.generation++;
    this.set('Restarting', why, type, `Replica ${this.ctx.index} restarts: ${why}.`);
    const handle = this.handle;
    void (async () => {
      await handle?.stop(this.ctx.stopGraceMs);
      handle?.dispose();
      await this.ctx.container?.clear();
      await this.relaunch(why);
    })();
  }

  /** Not ready within the ready timeout: ended and counted like an exit before it was ready. */
  private neverReady(generation: number, why: string): void {
    if (generation !== this.generation || this.stopping) return;
    this.generation++;
    this.event('replica-not-ready', `Replica ${this.ctx.index} restarts: ${why}.`);
    const handle = this.handle;
    void (async () => {
      await handle?.stop(0);
      handle?.dispose();
      await this.ctx.container?.clear();
      await this.afterFailure(why);
    })();
  }

  private async exited(generation: number, handle: InstanceHandle, exit: ExitStatus): Promise<void> {
    if (generation !== this.generation || this.stopping) return;
    this.generation++;
    this.state = 'Restarting'; // out of the gateway's list at once
    handle.dispose();
    await this.ctx.container?.clear();
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
    const tail = await processTail(handle.logFile);
    this.event('replica-exited', `Replica ${this.ctx.index} ${how}${tail ? `: ${tail}` : ''}`);
    await this.afterFailure(`it ${how}${tail ? `: ${tail}` : ''}`);
  }

  /** Restarts after a backoff, or fails the version when the replica never got ready. */
  private async afterFailure(why: string): Promise<void> {
    if (this.stopping) return;
    const next = afterExit(++this.exitsInARow, this.everReady, this.ctx.backoff);
    if ('failVersion' in next) {
      const message = `replica ${this.ctx.index} ${why.replace(/^it /, '')} (${this.exitsInARow} times in a row, never ready)`;
      this.set('Failed', why);
      if (!this.ctx.surge) this.ctx.report({ versionFailed: { version: this.ctx.version, message } });
      return;
    }
    this.set('Restarting', `${why}; restarting in ${Math.round(next.restartInMs / 100) / 10} s`);
    await this.sleep(next.restartInMs);
    await this.relaunch(why);
  }

  private async relaunch(why: string): Promise<void> {
    if (this.stopping) return;
    this.restarts += 1;
    this.event('replica-restarted', `Replica ${this.ctx.index} restarted (${this.restarts}): ${why}.`);
    try {
      await this.start();
    } catch (error) {
      const message = `replica ${this.ctx.index} could not start: ${(error as Error).message}`;
      this.set('Failed', message);
      if (!this.ctx.surge) this.ctx.report({ versionFailed: { version: this.ctx.version, message } });
    }
  }

  private set(state: ReplicaState, message?: string, type?: ReplicaEventType, text?: string): void {
    this.state = state;
    const { version, index } = this.ctx;
    const { restarts, startedAt } = this;
    this.ctx.report({
      replica: {
        version,
        index,
        state,
        restarts,
        ...(message ? { message } : {}),
        ...(startedAt ? { startedAt } : {}),
      },
      ...(type && text ? { event: { type, message: text, version, replica: index } } : {}),
    });
  }

  private event(type: ReplicaEventType, message: string): void {
    this.ctx.report({ event: { type, message, version: this.ctx.version, replica: this.ctx.index } });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
