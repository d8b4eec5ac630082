import type { Logger } from 'pino';
import { ApiError, type FailureReason, type JobMetricsResponse, type JobSpec } from '@aiplat/api';
import type { JobFiles, JobLifecycle, TrainingEngine } from '../../jobs/engine.js';
import type { InstanceRecord, JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import { InstanceMetrics } from './instanceMetrics.js';
import { InstancePreparer } from './instancePreparer.js';
import type { LocalMetrics } from './metrics/engineMetrics.js';
import type { Placement, SchedulerNode, SchedulerQueue } from './scheduler/index.js';
import { SchedulingLoop } from './schedulingLoop.js';
import { signalQuietly } from './supervisor/instanceState.js';
import type { ExitStatus, InstanceHandle, Supervisor } from './supervisor/index.js';
import { validateSpec } from './validateSpec.js';

export interface LocalEngineOptions {
  lifecycle: JobLifecycle;
  files: JobFiles;
  supervisor: Supervisor;
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  /** The absolute folder a job runs in; throws an ApiError when it is not usable. */
  resolveWorkingDir: (user: string, workingDir: string) => Promise<string>;
  /** PATH, HOME, LANG... under the platform's variables. */
  baseEnv: Readonly<Record<string, string>>;
  /** SIGTERM first, SIGKILL this long after. */
  stopGraceMs: number;
  log: Logger;
  /** Optional per-instance metrics. */
  metrics?: LocalMetrics;
  /** The address instances reach each other at. */
  host?: string;
}

type StopCause = 'user' | 'preempt' | 'failure';

/** A job that holds resources: Starting, Running or Stopping. */
interface Run {
  job: JobRecord;
  placement: Placement;
  handles: (InstanceHandle | undefined)[];
  exits: (ExitStatus | undefined)[];
  /** Still starting instances. */
  launching: boolean;
  /** The resolved working directory. */
  cwd?: string;
  stopping?: { cause: StopCause; graceMs: number; failure?: FailureReason; by?: string };
}

/** Kept in the job record so a restarted backend can account for a running job's resources. */
interface LocalRuntime {
  placement: Placement;
}

const HOST = '127.0.0.1';

function describeExit(exit: ExitStatus): string {
  if (exit.lost) return `was lost (${exit.lost})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

function isSuccess(exit: ExitStatus): boolean {
  return exit.code === 0 && !exit.lost;
}

/**
 * The local engine: jobs as supervised process groups on this machine, placed by the scheduler on
 * the machine's capacity and any virtual nodes. Every change goes through the job lifecycle.
 */
export class LocalEngine implements TrainingEngine {
  readonly kind = 'local' as const;
  private readonly runs = new Map<string, Run>();
  private readonly preparer: InstancePreparer;
  private readonly instanceMetrics: InstanceMetrics;
  private readonly scheduling: SchedulingLoop;

  constructor(private readonly options: LocalEngineOptions) {
    this.preparer = new InstancePreparer({ nodes: options.nodes, files: options.files, host: options.host ?? HOST });
    this.instanceMetrics = new InstanceMetrics(options.nodes, options.metrics);
    this.scheduling = new SchedulingLoop({
      nodes: options.nodes,
      queues: options.queues,
      lifecycle: options.lifecycle,
      holding: () => this.runs.values(),
      preempt: (jobId, by) => this.preempt(jobId, by),
      start: (placement) => this.start(placement),
    });
  }

  private get lifecycle(): JobLifecycle {
    return this.options.lifecycle;
  }

  validate(spec: JobSpec): void {
    validateSpec(spec, this.options.nodes, this.options.queues);
  }

  submit(job: JobRecord): void {
    const queued = this.lifecycle.transition(job.id, 'Queued', {
      type: 'queued',
      message: `queued in ${job.spec.queue}`,
    });
    if (!queued) return;
    this.scheduling.enqueue(queued);
  }

  async stop(job: JobRecord, options: { force: boolean }): Promise<void> {
    const graceMs = options.force ? 0 : this.options.stopGraceMs;
    const run = this.runs.get(job.id);
    if (!run) {
      this.scheduling.dequeue(job.id);
      this.lifecycle.transition(job.id, 'Stopped', { type: 'stopped', message: 'stopped before it started' });
      this.scheduling.requestPass();
      return;
    }
    if (run.stopping?.cause === 'user') {
      // A stop is under way with its grace period; forcing it kills what is left at once.
      if (options.force) {
        run.handles.forEach((handle, i) => {
          if (handle && run.exits[i] === undefined) signalQuietly(-handle.pgid, 'SIGKILL');
        });
      }
      return;
    }
    run.stopping = { cause: 'user', graceMs };
    const next = this.lifecycle.transition(job.id, 'Stopping', {
      type: 'stop-requested',
      message: options.force
        ? 'stop requested: killing every instance'
        : `stop requested: SIGTERM, SIGKILL after ${graceMs} ms`,
    });
    if (next) run.job = next;
    this.signalAll(run, graceMs);
    this.settleIfDone(run);
  }

  metrics(job: JobRecord, query: { instance?: number; since?: string; maxPoints: number }): JobMetricsResponse {
    return this.instanceMetrics.query(job, query);
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private preempt(jobId: string, by: string): void {
    const run = this.runs.get(jobId);
    if (!run || run.stopping) return;
    run.stopping = { cause: 'preempt', graceMs: this.options.stopGraceMs, by };
    this.lifecycle.event(
      jobId,
      'preempted',
      `preempted by ${by}, which has a higher priority; it goes back to its queue`,
    );
    this.signalAll(run, this.options.stopGraceMs);
    this.settleIfDone(run);
  }

  private start(placement: Placement): void {
    const job = this.lifecycle.getJob(placement.jobId);
    if (!job) return;
    void this.launch(job, placement).catch((error: unknown) => {
      this.options.log.error({ err: error, job: job.id }, 'launch failed unexpectedly');
    });
  }

  // ---- launching -------------------------------------------------------------------------------

  private async launch(queued: JobRecord, placement: Placement): Promise<void> {
    const nodes = [...new Set(placement.instances.map((i) => i.node))].join(', ');
    const runtime: LocalRuntime = { placement };
    const job = this.lifecycle.transition(queued.id, 'Starting', {
      type: 'scheduled',
      message: `placed on ${nodes}`,
      patch: { attempt: queued.attempt + 1, runtime },
    });
    if (!job) return;
    const planned = plannedInstances(job.spec);
    const run: Run = {
      job,
      placement,
      handles: planned.map(() => undefined),
      exits: planned.map(() => undefined),
      launching: true,
    };
    this.runs.set(job.id, run);

    let records: InstanceRecord[];
    try {
      run.cwd = await this.options.resolveWorkingDir(job.user, job.spec.workingDir);
      records = await this.preparer.prepare(job, placement);
    } catch (error) {
      run.launching = false;
      this.failStart(run, error);
      return;
    }
    this.lifecycle.setInstances(job.id, records);

    for (const record of records) {
      if (run.stopping) break;
      try {
        const handle = await this.options.supervisor.launchInstance({
          jobId: job.id,
          instance: record.name,
          command: job.spec.command,
          cwd: run.cwd ?? '/',
          env: { ...this.options.baseEnv, ...record.env },
          logDir: this.options.files.logDir(job.id),
        });
        this.attach(run, record.index, handle);
      } catch (error) {
        run.stopping ??= {
          cause: 'failure',
          graceMs: this.options.stopGraceMs,
          failure: {
            kind: 'start-failed',
            instance: record.index,
            message: `instance ${record.name} could not be started: ${(error as Error).message}`,
          },
        };
        this.signalAll(run, this.options.stopGraceMs);
      }
    }
    run.launching = false;
    if (!run.stopping) {
      const running = this.lifecycle.transition(job.id, 'Running', {
        type: 'started',
        message: `${records.length} instance(s) running`,
      });
      if (running) run.job = running;
    } else {
      this.signalAll(run, run.stopping.graceMs);
    }
    this.settleIfDone(run);
  }

  private failStart(run: Run, error: unknown): void {
    const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    this.runs.delete(run.job.id);
    this.lifecycle.transition(run.job.id, 'Failed', {
      type: 'failed',
      message: `could not start: ${message}`,
      reason: { kind: 'start-failed', message },
    });
    this.scheduling.requestPass();
  }

  /** Watches one started instance. */
  private attach(run: Run, index: number, handle: InstanceHandle): void {
    run.handles[index] = handle;
    this.lifecycle.updateInstance(run.job.id, index, {
      state: 'Running',
      pid: handle.pid,
      startedAt: new Date().toISOString(),
    });
    this.lifecycle.event(run.job.id, 'instance-started', `instance ${index} started (pid ${handle.pid})`, index);
    this.trackMetrics(run, index, handle);
    handle.onExit((exit) => this.onExit(run, index, exit));
  }

  private trackMetrics(run: Run, index: number, handle: InstanceHandle): void {
    this.instanceMetrics.track(run.job.id, index, handle.pgid, run.placement.instances[index]);
  }

  async remove(job: JobRecord): Promise<void> {
    this.instanceMetrics.forget(job);
    return Promise.resolve();
  }

  private onExit(run: Run, index: number, exit: ExitStatus): void {
    if (this.runs.get(run.job.id) !== run) return;
    run.exits[index] = exit;
    run.handles[index]?.dispose();
    this.instanceMetrics.untrack(run.job.id, index);
    const state = isSuccess(exit) ? 'Succeeded' : run.stopping ? 'Stopped' : 'Failed';
    this.lifecycle.updateInstance(run.job.id, index, {
      state,
      ...(exit.code !== null ? { exitCode: exit.code } : {}),
      ...(exit.signal ? { signal: exit.signal } : {}),
      finishedAt: new Date().toISOString(),
    });
    this.lifecycle.event(run.job.id, 'instance-exited', `instance ${index} ${describeExit(exit)}`, index);
    if (!run.stopping && !isSuccess(exit)) {
      // Any instance failing fails the job: stop the others.
      run.stopping = {
        cause: 'failure',
        graceMs: this.options.stopGraceMs,
        failure: {
          kind: exit.lost ? 'lost' : 'exit-code',
          instance: index,
          ...(exit.code !== null ? { exitCode: exit.code } : {}),
          ...(exit.signal ? { signal: exit.signal } : {}),
          message: `instance ${index} ${describeExit(exit)}`,
        },
      };
      this.signalAll(run, this.options.stopGraceMs);
    }
    this.settleIfDone(run);
  }

  private signalAll(run: Run, graceMs: number): void {
    run.handles.forEach((handle, i) => {
      if (handle && run.exits[i] === undefined) void handle.stop(graceMs).catch(() => undefined);
    });
  }

  /** Once no instance is left running (and none is still being launched), the run ends. */
  private settleIfDone(run: Run): void {
    if (run.launching || this.runs.get(run.job.id) !== run) return;
    const started = run.handles.filter((h, i) => h !== undefined || run.exits[i] !== undefined).length;
    const done = run.exits.filter((e) => e !== undefined).length;
    if (done < started) return;
    if (!run.stopping && done < run.handles.length) return;
    this.runs.delete(run.job.id);
    const id = run.job.id;
    const job = this.lifecycle.getJob(id);
    if (!job) return;
    // Instances a stop or a failure kept from starting.
    run.handles.forEach((handle, index) => {
      if (!handle && run.exits[index] === undefined) this.lifecycle.updateInstance(id, index, { state: 'Stopped' });
    });
    const stopping = run.stopping;
    if (!stopping) {
      this.lifecycle.transition(id, 'Succeeded', { type: 'succeeded', message: 'every instance exited with code 0' });
    } else if (stopping.cause === 'user') {
      this.lifecycle.transition(id, 'Stopped', { type: 'stopped', message: 'stopped by the user' });
    } else if (stopping.cause === 'preempt') {
      const back = this.lifecycle.transition(id, 'Queued', {
        type: 'queued',
        message: `back in queue ${job.spec.queue} after being preempted by ${stopping.by ?? 'a higher-priority job'}`,
      });
      if (back) this.scheduling.enqueue(back);
    } else {
      const failure = stopping.failure ?? { kind: 'exit-code' as const, message: 'an instance failed' };
      const max = job.spec.autoRestart.maxRestarts;
      if (failure.kind !== 'start-failed' && job.restarts < max) {
        const back = this.lifecycle.transition(id, 'Queued', {
          type: 'restarting',
          message: `${failure.message}; restart ${job.restarts + 1} of ${max}`,
          ...(failure.instance !== undefined ? { instance: failure.instance } : {}),
          patch: { restarts: job.restarts + 1 },
        });
        if (back) this.scheduling.enqueue(back);
      } else {
        const reason: FailureReason =
          max > 0 && failure.kind !== 'start-failed'
            ? { ...failure, kind: 'restart-limit', message: `${failure.message}; gave up after ${max} restart(s)` }
            : failure;
        this.lifecycle.transition(id, 'Failed', {
          type: 'failed',
          message: reason.message,
          reason,
          ...(reason.instance !== undefined ? { instance: reason.instance } : {}),
        });
      }
    }
    this.scheduling.requestPass();
  }

  // ---- recovery --------------------------------------------------------------------------------

  async recover(jobs: readonly JobRecord[]): Promise<void> {
    for (const job of jobs) {
      switch (job.state) {
        case 'Submitting':
          this.submit(job);
          break;
        case 'Queued':
          this.scheduling.enqueue(job);
          break;
        case 'Starting':
        case 'Running':
        case 'Stopping':
          await this.readopt(job);
          break;
        default:
          break;
      }
    }
    this.scheduling.requestPass();
  }

  private async readopt(job: JobRecord): Promise<void> {
    const runtime = job.runtime as LocalRuntime | undefined;
    const records = this.lifecycle.listInstances(job.id);
    const run: Run = {
      job,
      placement: runtime?.placement ?? { jobId: job.id, queue: job.spec.queue, instances: [] },
      handles: records.map(() => undefined),
      exits: records.map(() => undefined),
      launching: false,
    };
    this.runs.set(job.id, run);
    const lost: string[] = [];
    const exited: [number, ExitStatus][] = [];
    for (const record of records) {
      if (!record.stateFile || record.state === 'Pending') {
        lost.push(`instance ${record.index} was never started`);
        continue;
      }
      const adopted = await this.options.supervisor.adoptInstance(record.stateFile);
      if (adopted.kind === 'running') {
        run.handles[record.index] = adopted.handle;
      } else if (adopted.kind === 'exited') {
        exited.push([record.index, adopted.exit]);
      } else {
        lost.push(`instance ${record.index}: ${adopted.reason}`);
      }
    }
    if (!runtime || records.length === 0) lost.push('the backend stopped before the job was placed');
    this.lifecycle.event(
      job.id,
      'engine',
      `backend restarted: ${lost.length === 0 ? 're-adopted its instances' : lost.join('; ')}`,
    );
    if (job.state === 'Stopping') run.stopping = { cause: 'user', graceMs: this.options.stopGraceMs };
    if (lost.length > 0 && !run.stopping) {
      run.stopping = {
        cause: 'failure',
        graceMs: this.options.stopGraceMs,
        failure: { kind: 'lost', message: `lost while the backend was down: ${lost.join('; ')}` },
      };
    }
    // An instance that was never started counts as ended, so the run can settle.
    for (const record of records) {
      if (!run.handles[record.index] && !exited.some(([i]) => i === record.index)) {
        run.exits[record.index] = { code: null, signal: null, lost: 'not running after the backend restarted' };
      }
    }
    for (const [index, handle] of run.handles.entries()) {
      if (!handle) continue;
      this.trackMetrics(run, index, handle);
      handle.onExit((exit) => this.onExit(run, index, exit));
    }
    if (job.state === 'Starting' && !run.stopping) {
      const running = this.lifecycle.transition(job.id, 'Running', {
        type: 'started',
        message: 'instances re-adopted',
      });
      if (running) run.job = running;
    }
    for (const [index, exit] of exited) this.onExit(run, index, exit);
    if (run.stopping) this.signalAll(run, run.stopping.graceMs);
    this.settleIfDone(run);
  }

  async close(): Promise<void> {
    this.scheduling.close();
    await this.instanceMetrics.stop();
    for (const run of this.runs.values()) for (const handle of run.handles) handle?.dispose();
    this.runs.clear();
  }
}
