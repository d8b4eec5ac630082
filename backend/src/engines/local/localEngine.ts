import type { Logger } from 'pino';
import type { JobMetricsResponse, JobSpec } from '@aiplat/api';
import type { JobFiles, JobLifecycle, TrainingEngine } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { InstanceMetrics } from './instanceMetrics.js';
import { InstancePreparer } from './instancePreparer.js';
import { killRunningInstances, newJobRun, stopRunningInstances, type JobRun, type LocalRuntime } from './jobRun.js';
import type { LocalMetrics } from './metrics/engineMetrics.js';
import { RunLauncher } from './runLauncher.js';
import { RunTracker } from './runTracker.js';
import type { SchedulerNode, SchedulerQueue } from './scheduler/index.js';
import { SchedulingLoop } from './schedulingLoop.js';
import { settleRun } from './settleRun.js';
import type { ExitStatus, Supervisor } from './supervisor/index.js';
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

const HOST = '127.0.0.1';

/**
 * The local engine: jobs as supervised process groups on this machine, placed by the scheduler on
 * the machine's capacity and any virtual nodes. Every change goes through the job lifecycle.
 */
export class LocalEngine implements TrainingEngine {
  readonly kind = 'local' as const;
  private readonly runs: RunTracker;
  private readonly launcher: RunLauncher;
  private readonly instanceMetrics: InstanceMetrics;
  private readonly scheduling: SchedulingLoop;

  constructor(private readonly options: LocalEngineOptions) {
    this.instanceMetrics = new InstanceMetrics(options.nodes, options.metrics);
    this.runs = new RunTracker({
      lifecycle: options.lifecycle,
      metrics: this.instanceMetrics,
      stopGraceMs: options.stopGraceMs,
      onRunOver: (run, job) => this.runOver(run, job),
    });
    this.launcher = new RunLauncher({
      lifecycle: options.lifecycle,
      files: options.files,
      supervisor: options.supervisor,
      preparer: new InstancePreparer({ nodes: options.nodes, files: options.files, host: options.host ?? HOST }),
      runs: this.runs,
      resolveWorkingDir: options.resolveWorkingDir,
      baseEnv: options.baseEnv,
      stopGraceMs: options.stopGraceMs,
      onStartFailed: () => this.scheduling.requestPass(),
      log: options.log,
    });
    this.scheduling = new SchedulingLoop({
      nodes: options.nodes,
      queues: options.queues,
      lifecycle: options.lifecycle,
      holding: () => this.runs.all(),
      preempt: (jobId, by) => this.preempt(jobId, by),
      start: (placement) => this.launcher.start(placement),
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
        killRunningInstances(run);
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
    stopRunningInstances(run, graceMs);
    this.runs.settleIfDone(run);
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
    stopRunningInstances(run, this.options.stopGraceMs);
    this.runs.settleIfDone(run);
  }

  async remove(job: JobRecord): Promise<void> {
    this.instanceMetrics.forget(job);
    return Promise.resolve();
  }

  private runOver(run: JobRun, job: JobRecord): void {
    const back = settleRun(this.lifecycle, run, job);
    if (back) this.scheduling.enqueue(back);
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
    const placement = runtime?.placement ?? { jobId: job.id, queue: job.spec.queue, instances: [] };
    const run = newJobRun(job, placement, records.length, false);
    this.runs.add(run);
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
      if (handle) this.runs.watch(run, index, handle);
    }
    if (job.state === 'Starting' && !run.stopping) {
      const running = this.lifecycle.transition(job.id, 'Running', {
        type: 'started',
        message: 'instances re-adopted',
      });
      if (running) run.job = running;
    }
    for (const [index, exit] of exited) this.runs.recordExit(run, index, exit);
    if (run.stopping) stopRunningInstances(run, run.stopping.graceMs);
    this.runs.settleIfDone(run);
  }

  async close(): Promise<void> {
    this.scheduling.close();
    await this.instanceMetrics.stop();
    this.runs.close();
  }
}
