import type { Logger } from 'pino';
import type { ReplicaState, ServiceProbe, ServiceVersionSpec } from '@aiplat/api';
import type { ServiceObservation } from '../../../services/engine.js';
import type { InstanceHandle, Supervisor } from '../supervisor/index.js';
import { logTail } from '../supervisor/logTail.js';
import { DEFAULT_READINESS, ProbeCounter, runProbe } from './probes.js';

export interface ReplicaContext {
  service: string;
  version: number;
  index: number;
  spec: ServiceVersionSpec;
  supervisor: Supervisor;
  /** The replica's log and state files. */
  logDir: string;
  cwd: string;
  /** Everything but PORT. */
  env: Record<string, string>;
  readyTimeoutMs: number;
  stopGraceMs: number;
  report(observation: ServiceObservation): void;
  log: Logger;
}

/** Exits in a row before a replica was ever ready that make its version fail. */
const QUICK_FAILURES = 5;
const MAX_BACKOFF_MS = 30_000;

/**
 * One replica: a process group under the supervisor, listening on PORT; ready only while its
 * readiness probe passes (after its startup probe passed once), restarted when its liveness probe
 * fails or it exits, with an event each time.
 */
export class Replica {
  state: ReplicaState = 'Pending';
  restarts = 0;
  readonly port: number;
  private handle: InstanceHandle | undefined;
  private generation = 0;
  private stopping = false;
  private everReady = false;
  private quickFailures = 0;
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ctx: ReplicaContext,
    port: number,
  ) {
    this.port = port;
  }

  get ready(): boolean {
    return this.state === 'Ready';
  }

  async start(): Promise<void> {
    const generation = ++this.generation;
    const { ctx } = this;
    this.set('Starting');
    this.handle = await ctx.supervisor.launchInstance({
      jobId: `${ctx.service}-v${ctx.version}`,
      instance: `replica-${ctx.index}`,
      command: ctx.spec.command,
      cwd: ctx.cwd,
      env: { ...ctx.env, PORT: String(this.port) },
      logDir: ctx.logDir,
    });
    ctx.report({
      event: {
        type: 'replica-started',
        message: `Replica ${ctx.index} of version ${ctx.version} started on port ${this.port}.`,
        version: ctx.version,
        replica: ctx.index,
      },
    });
    const handle = this.handle;
    handle.onExit(
      (exit) =>
        void this.exited(
          generation,
          handle,
          exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`,
        ),
    );
    void this.probeUntilStarted(generation);
  }

  get logFile(): string | undefined {
    return this.handle?.logFile;
  }

  async stop(force: boolean): Promise<void> {
    this.stopping = true;
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const handle = this.handle;
    if (handle && !handle.exitStatus) await handle.stop(force ? 0 : this.ctx.stopGraceMs);
    handle?.dispose();
    this.set('Stopped');
  }

  private async probeUntilStarted(generation: number): Promise<void> {
    const { spec, readyTimeoutMs } = this.ctx;
    const startup = spec.probes.startup;
    if (startup) {
      const deadline = Date.now() + readyTimeoutMs;
      await this.sleep(startup.initialDelaySeconds * 1000);
      const counter = new ProbeCounter(startup.failureThreshold);
      for (;;) {
        if (generation !== this.generation) return;
        const result = await this.probe(startup);
        if (result === true) break;
        if (counter.add(result) === 'failed' || Date.now() > deadline) {
          this.restart(generation, `its startup probe failed: ${result}`, 'liveness-failed');
          return;
        }
        await this.sleep(startup.periodSeconds * 1000);
      }
    }
    void this.watchReadiness(generation);
    if (spec.probes.liveness) void this.watchLiveness(generation, spec.probes.liveness);
  }

  private async watchReadiness(generation: number): Promise<void> {
    const probe = this.ctx.spec.probes.readiness ?? DEFAULT_READINESS;
    const counter = new ProbeCounter(probe.failureThreshold);
    const deadline = Date.now() + this.ctx.readyTimeoutMs;
    await this.sleep(probe.initialDelaySeconds * 1000);
    while (generation === this.generation) {
      const result = await this.probe(probe);
      if (generation !== this.generation) return;
      const verdict = counter.add(result);
      if (verdict === 'pass' && this.state !== 'Ready') {
        this.everReady = true;
        this.quickFailures = 0;
        this.set('Ready', undefined, 'replica-ready', `Replica ${this.ctx.index} is ready.`);
      } else if (verdict === 'failed' && this.state === 'Ready') {
        this.set('NotReady', String(result), 'replica-not-ready', `Replica ${this.ctx.index} is not ready: ${result}`);
      } else if (!this.everReady && Date.now() > deadline) {
        this.restart(
          generation,
          `it was not ready within ${Math.round(this.ctx.readyTimeoutMs / 1000)} s: ${result}`,
          'replica-not-ready',
        );
        return;
      }
      await this.sleep(probe.periodSeconds * 1000);
    }
  }

  private async watchLiveness(generation: number, probe: ServiceProbe): Promise<void> {
    const counter = new ProbeCounter(probe.failureThreshold);
    await this.sleep(probe.initialDelaySeconds * 1000);
    while (generation === this.generation) {
      const result = await this.probe(probe);
      if (generation !== this.generation) return;
      if (counter.add(result) === 'failed') {
        this.restart(
          generation,
          `its liveness probe failed ${probe.failureThreshold} time(s): ${result}`,
          'liveness-failed',
        );
        return;
      }
      await this.sleep(probe.periodSeconds * 1000);
    }
  }

  /** Kills the process group and starts it again (the exit handler sees a newer generation and stays out). */
  private restart(generation: number, why: string, type: 'liveness-failed' | 'replica-not-ready'): void {
    if (generation !== this.generation || this.stopping) return;
    this.generation++;
    this.ctx.report({
      event: {
        type,
        message: `Replica ${this.ctx.index} restarts: ${why}.`,
        version: this.ctx.version,
        replica: this.ctx.index,
      },
    });
    const handle = this.handle;
    void (async () => {
      await handle?.stop(0);
      handle?.dispose();
      await this.relaunch(why);
    })();
  }

  private async exited(generation: number, handle: InstanceHandle, how: string): Promise<void> {
    if (generation !== this.generation || this.stopping) return;
    this.generation++;
    handle.dispose();
    const tail = await logTail(handle.logFile);
    const why = `it ${how}${tail ? `: ${tail}` : ''}`;
    this.ctx.report({
      event: {
        type: 'replica-exited',
        message: `Replica ${this.ctx.index} ${how}.`,
        version: this.ctx.version,
        replica: this.ctx.index,
      },
    });
    if (!this.everReady && ++this.quickFailures >= QUICK_FAILURES) {
      this.set('Failed', why);
      this.ctx.report({ versionFailed: { version: this.ctx.version, message: `replica ${this.ctx.index} ${why}` } });
      return;
    }
    await this.sleep(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, this.quickFailures - 1)));
    if (!this.stopping) await this.relaunch(why);
  }

  private async relaunch(why: string): Promise<void> {
    if (this.stopping) return;
    this.restarts += 1;
    this.set('Restarting', why, 'replica-restarted', `Replica ${this.ctx.index} restarted (${this.restarts}).`);
    try {
      await this.start();
    } catch (error) {
      this.set('Failed', (error as Error).message);
      this.ctx.report({
        versionFailed: {
          version: this.ctx.version,
          message: `replica ${this.ctx.index} could not start: ${(error as Error).message}`,
        },
      });
    }
  }

  private probe(probe: ServiceProbe): Promise<true | string> {
    return runProbe(probe, this.port, { cwd: this.ctx.cwd, env: { ...this.ctx.env, PORT: String(this.port) } });
  }

  private set(
    state: ReplicaState,
    message?: string,
    type?: 'replica-ready' | 'replica-not-ready' | 'replica-restarted',
    text?: string,
  ): void {
    this.state = state;
    const { version, index } = this.ctx;
    this.ctx.report({
      replica: { version, index, state, restarts: this.restarts, ...(message ? { message } : {}) },
      ...(type && text ? { event: { type, message: text, version, replica: index } } : {}),
    });
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
