import type { Logger } from 'pino';
import { ApiError, jobSummaryDir, runsCommand } from '@aiplat/api';
import type { JobFiles, JobLifecycle } from '../../jobs/engine.js';
import type { InstanceRecord, JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import type { InstancePreparer } from './instancePreparer.js';
import { instanceCommand } from './launcherOnly.js';
import { newJobRun, stopRunningInstances, type JobRun, type LocalRuntime } from './jobRun.js';
import type { RunTracker } from './runTracker.js';
import type { Placement } from './scheduler/index.js';
import type { Supervisor } from './supervisor/index.js';
import type { JobContainers } from './containers/jobContainers.js';

export interface RunLauncherOptions {
  lifecycle: JobLifecycle;
  files: JobFiles;
  supervisor: Supervisor;
  preparer: InstancePreparer;
  runs: RunTracker;
  /** The absolute folder a job runs in; throws an ApiError when it is not usable. */
  resolveWorkingDir: (user: string, workingDir: string) => Promise<string>;
  /** The absolute folder of a job's summaries, made if missing. */
  resolveSummaryDir: (user: string, summaryDir: string) => Promise<string>;
  /** PATH, HOME, LANG... under the platform's variables. */
  baseEnv: Readonly<Record<string, string>>;
  /** SIGTERM first, SIGKILL this long after, when an instance cannot be started. */
  stopGraceMs: number;
  /** A job failed before it held any instance: its resources are free again. */
  onStartFailed: () => void;
  /** Runs the instances of jobs that name an image in containers, where configured. */
  containers?: JobContainers;
  log: Logger;
}

/**
 * Starts a placed job: Starting, its working folder and instances prepared, each instance
 * launched in turn (unless a stop or a failure came first), then Running.
 */
export class RunLauncher {
  constructor(private readonly options: RunLauncherOptions) {}

  start(placement: Placement): void {
    const job = this.options.lifecycle.getJob(placement.jobId);
    if (!job) return;
    void this.launch(job, placement).catch((error: unknown) => {
      this.options.log.error({ err: error, job: job.id }, 'launch failed unexpectedly');
    });
  }

  private async launch(queued: JobRecord, placement: Placement): Promise<void> {
    const { lifecycle, runs, stopGraceMs } = this.options;
    const nodes = [...new Set(placement.instances.map((i) => i.node))].join(', ');
    const runtime: LocalRuntime = { placement };
    const job = lifecycle.transition(queued.id, 'Starting', {
      type: 'scheduled',
      message: `placed on ${nodes}`,
      patch: { attempt: queued.attempt + 1, runtime },
    });
    if (!job) return;
    const run = newJobRun(job, placement, plannedInstances(job.spec).length, true);
    runs.add(run);

    let records: InstanceRecord[];
    try {
      run.cwd = await this.options.resolveWorkingDir(job.user, job.spec.workingDir);
      const summaryDir = await this.options.resolveSummaryDir(job.user, jobSummaryDir(job));
      const inputEnv: Record<string, string> = {};
      for (const input of job.inputs ?? []) {
        inputEnv[input.env] = await this.options.resolveWorkingDir(job.user, input.path);
      }
      records = await this.options.preparer.prepare(job, placement, summaryDir, inputEnv);
    } catch (error) {
      run.launching = false;
      this.failStart(run, error);
      return;
    }
    lifecycle.setInstances(job.id, records);

    for (const record of records) {
      if (run.stopping) break;
      try {
        const command = instanceCommand(job.spec, record.index);
        const inContainer = await this.options.containers?.command(
          job,
          record,
          command,
          run.cwd ?? '/',
          record.env ?? {},
        );
        const handle = await this.options.supervisor.launchInstance({
          jobId: job.id,
          instance: record.name,
          command: inContainer ?? command,
          cwd: run.cwd ?? '/',
          env: { ...this.options.baseEnv, ...record.env },
          logDir: this.options.files.logDir(job.id),
        });
        runs.attach(run, record.index, handle);
        if (!runsCommand(job.spec.mode, record.index)) {
          lifecycle.event(
            job.id,
            'engine',
            `instance ${record.index} waits for the launcher (instance 0): in ${job.spec.mode} mode only the launcher runs the command`,
            record.index,
          );
        }
      } catch (error) {
        run.stopping ??= {
          cause: 'failure',
          graceMs: stopGraceMs,
          failure: {
            kind: 'start-failed',
            instance: record.index,
            message: `instance ${record.name} could not be started: ${(error as Error).message}`,
          },
        };
        stopRunningInstances(run, stopGraceMs);
      }
    }
    run.launching = false;
    // A launcher that finished before every instance was started still ran: Running, then its result.
    if (!run.stopping || run.stopping.cause === 'completed') {
      const running = lifecycle.transition(job.id, 'Running', {
        type: 'started',
        message: `${records.length} instance(s) running`,
      });
      if (running) run.job = running;
    }
    if (run.stopping) stopRunningInstances(run, run.stopping.graceMs);
    runs.settleIfDone(run);
  }

  private failStart(run: JobRun, error: unknown): void {
    const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    this.options.runs.drop(run);
    this.options.lifecycle.transition(run.job.id, 'Failed', {
      type: 'failed',
      message: `could not start: ${message}`,
      reason: { kind: 'start-failed', message },
    });
    this.options.onStartFailed();
  }
}
