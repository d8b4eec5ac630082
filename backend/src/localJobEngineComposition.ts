import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { EnsureImageOptions } from './engines/local/containers/containerRuntime.js';
import { JobContainers } from './engines/local/containers/jobContainers.js';
import type { LocalContainers } from './engines/local/containers/localContainers.js';
import { instanceBaseEnv } from './engines/local/environment/baseEnv.js';
import { LocalEngine } from './engines/local/localEngine.js';
import { createLocalMetrics } from './engines/local/metrics/engineMetrics.js';
import type { SchedulerNode, SchedulerQueue } from './engines/local/scheduler/index.js';
import type { SchedulingLoop } from './engines/local/schedulingLoop.js';
import type { Supervisor } from './engines/local/supervisor/index.js';
import type { JobFiles } from './jobs/engine.js';
import type { JobService } from './jobs/jobService.js';
import type { JobMetricsFeed } from './metrics/jobMetricsFeed.js';

export interface LocalJobEngineDeps {
  config: Config;
  jobs: JobService;
  /** Jobs and dev machines wait for and hold this machine's capacity in the same queues. */
  scheduling: SchedulingLoop;
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  files: JobFiles;
  supervisor: Supervisor;
  resolveWorkingDir(user: string, workingDir: string): Promise<string>;
  resolveSummaryDir(user: string, summaryDir: string): Promise<string>;
  /** The container runtime, for jobs that name an image. */
  containers: LocalContainers;
  /** How an image is pulled (the platform registry's login). */
  pullOptions(image: string): EnsureImageOptions;
  metricsFeed: JobMetricsFeed;
  log: Logger;
}

/** The local engine for jobs: supervised processes (or containers) on this machine, with their metrics. */
export function createLocalJobEngine(deps: LocalJobEngineDeps): LocalEngine {
  const { config, files, containers, metricsFeed, log } = deps;
  return new LocalEngine({
    lifecycle: deps.jobs,
    scheduling: deps.scheduling,
    files,
    supervisor: deps.supervisor,
    nodes: deps.nodes,
    queues: deps.queues,
    resolveWorkingDir: deps.resolveWorkingDir,
    resolveSummaryDir: deps.resolveSummaryDir,
    baseEnv: instanceBaseEnv(process.env),
    stopGraceMs: config.jobs.stopGraceMs,
    containers: new JobContainers({
      enabled: config.containers.jobs,
      socket: async () => {
        const detected = await containers.detected();
        return detected.runtime && detected.socketPath
          ? { socketPath: detected.socketPath }
          : { reason: detected.reason ?? 'this machine has no container runtime' };
      },
      pullOptions: deps.pullOptions,
      workRoot: config.workRoot,
      files,
      stopGraceMs: config.jobs.stopGraceMs,
    }),
    metrics: createLocalMetrics({
      intervalMs: config.jobs.metricsIntervalMs,
      fileFor: (key) => {
        const [jobId = '', index = '0'] = key.split('/');
        return files.metricsFile(jobId, Number(index));
      },
      onPoint: (key, point) => metricsFeed.keyedPoint(key, point),
      log: log.child({ component: 'metrics' }),
    }),
    log: log.child({ component: 'local-engine' }),
  });
}
