import type { Logger } from 'pino';
import type { JobContainers } from './containers/jobContainers.js';
import type { JobMetricsResponse, JobSpec } from '@aiplat/api';
import type { JobFiles, JobLifecycle, TrainingEngine } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { InstanceMetrics } from './instanceMetrics.js';
import { InstancePreparer } from './instancePreparer.js';
import type { JobRun } from './jobRun.js';
import type { LocalMetrics } from './metrics/engineMetrics.js';
import { RunAdopter } from './runAdopter.js';
import { RunLauncher } from './runLauncher.js';
import { RunStopper } from './runStopper.js';
import { RunTracker } from './runTracker.js';
import type { SchedulerNode, SchedulerQueue } from './scheduler/index.js';
import { jobRequest } from './jobRequest.js';
import { SchedulingLoop, type HeldResources, type SchedulingClient } from './schedulingLoop.js';
import { settleRun } from './settleRun.js';
import type { Supervisor } from './supervisor/index.js';
import { validateSpec } from './validateSpec.js';

export interface LocalEngineOptions {
  lifecycle: JobLifecycle;
  files: JobFiles;
  supervisor: Supervisor;
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  /** The absolute folder a job runs in; throws an ApiError when it is not usable. */
  resolveWorkingDir: (user: string, workingDir: string) => Promise<string>;
  /** The absolute folder of a job's summaries (`jobSummaryDir`), made if missing; throws an ApiError when not writable. */
  resolveSummaryDir: (user: string, summaryDir: string) => Promise<string>;
  /** PATH, HOME, LANG... under the platform's variables. */
  baseEnv: Readonly<Record<string, string>>;
  /** Runs the instances of jobs that name an image in containers (containers.jobs). */
  containers?: JobContainers;
  /** SIGTERM first, SIGKILL this long after. */
  stopGraceMs: number;
  log: Logger;
  /** Optional per-instance metrics. */
  metrics?: LocalMetrics;
  /** The address instances reach each other at. */
  host?: string;
  /** The queues shared with the dev machines of this machine; the engine makes its own without. */
  scheduling?: SchedulingLoop;
}

const HOST = '127.0.0.1';

/**
 * The local engine: jobs as supervised process groups on this machine, placed by the scheduler on
 * the machine's capacity and any virtual nodes. Every change goes through the job lifecycle.
 *
 * It wires its parts: the scheduling loop decides what starts and what is preempted, the launcher
 * starts runs, the tracker watches their instances until each run is over, the stopper ends runs
 * early, and the adopter takes runs back after a backend restart.
 */
export class LocalEngine implements TrainingEngine {
  readonly kind = 'local' as const;
  private readonly runs: RunTracker;
  private readonly launcher: RunLauncher;
  private readonly adopter: RunAdopter;
  private readonly stopper: RunStopper;
  private readonly instanceMetrics: InstanceMetrics;
  private readonly scheduling: SchedulingLoop;
  private readonly client: SchedulingClient;

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
      resolveSummaryDir: options.resolveSummaryDir,
      baseEnv: options.baseEnv,
      stopGraceMs: options.stopGraceMs,
      onStartFailed: () => this.scheduling.requestPass(),
      ...(options.containers ? { containers: options.containers } : {}),
      log: options.log,
    });
    this.adopter = new RunAdopter({
      lifecycle: options.lifecycle,
      supervisor: options.supervisor,
      runs: this.runs,
      stopGraceMs: options.stopGraceMs,
    });
    this.stopper = new RunStopper({ lifecycle: options.lifecycle, runs: this.runs, stopGraceMs: options.stopGraceMs });
    this.scheduling = options.scheduling ?? new SchedulingLoop({ nodes: options.nodes, queues: options.queues });
    this.client = {
      holding: () => this.holding(),
      waiting: (id, position, reason) =>
        this.lifecycle.update(id, { queuePosition: position, waitReason: { message: reason } }),
      start: (placement) => this.launcher.start(placement),
      preempt: (jobId, by) => this.preempt(jobId, by),
    };
    this.scheduling.register(this.client);
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
    this.enqueue(queued);
  }

  async stop(job: JobRecord, options: { force: boolean }): Promise<void> {
    const run = this.runs.get(job.id);
    if (!run) {
      this.scheduling.dequeue(job.id);
      this.lifecycle.transition(job.id, 'Stopped', { type: 'stopped', message: 'stopped before it started' });
      this.scheduling.requestPass();
      return;
    }
    this.stopper.stopByUser(run, options.force);
  }

  metrics(job: JobRecord, query: { instance?: number; since?: string; maxPoints: number }): JobMetricsResponse {
    return this.instanceMetrics.query(job, query);
  }

  async remove(job: JobRecord): Promise<void> {
    this.instanceMetrics.forget(job);
    return Promise.resolve();
  }

  async recover(jobs: readonly JobRecord[]): Promise<void> {
    for (const job of jobs) {
      switch (job.state) {
        case 'Submitting':
          this.submit(job);
          break;
        case 'Queued':
          this.enqueue(job);
          break;
        case 'Starting':
        case 'Running':
        case 'Stopping':
          await this.adopter.adopt(job);
          break;
        default:
          break;
      }
    }
    this.scheduling.requestPass();
  }

  async close(): Promise<void> {
    this.scheduling.close();
    await this.instanceMetrics.stop();
    this.runs.close();
  }

  /** The scheduler wants a running job's resources for a higher-priority one. */
  private preempt(jobId: string, by: string): void {
    const run = this.runs.get(jobId);
    if (run) this.stopper.preempt(run, by);
  }

  /** A run is over: record how, put the job back in its queue if it goes there, and free its place. */
  private runOver(run: JobRun, job: JobRecord): void {
    const back = settleRun(this.lifecycle, run, job);
    if (back) this.enqueue(back);
    this.scheduling.requestPass();
  }

  private enqueue(job: JobRecord): void {
    this.scheduling.enqueue(jobRequest(job.id, job.spec, Date.parse(job.createdAt)), this.client);
  }

  private *holding(): Iterable<HeldResources> {
    for (const { job, placement } of this.runs.all()) {
      yield {
        id: job.id,
        queue: job.spec.queue,
        priority: job.spec.priority,
        submittedAt: Date.parse(job.createdAt),
        placement,
      };
    }
  }
}
