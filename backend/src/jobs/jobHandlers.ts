import { KubernetesConfigSchema, type KubernetesConfig } from '../engines/kubernetes/config.js';
import { dryRunJobBody, type ServerDryRun } from '../engines/kubernetes/dryRun.js';
import type { Handlers } from '../server/handlers.js';
import type { JobService } from './jobService.js';

type JobRoute =
  | 'createJob'
  | 'dryRunJob'
  | 'listJobs'
  | 'getJob'
  | 'stopJob'
  | 'startJobAgain'
  | 'copyJob'
  | 'deleteJob'
  | 'jobEvents'
  | 'jobLogs'
  | 'jobMetrics'
  | 'jobEnv';

/** What the dry-run route needs; it works without a cluster, and without any of it. */
export interface JobDryRunDeps {
  /** The `kubernetes` config section; its defaults when not given. */
  kubernetes?: KubernetesConfig;
  /** The cluster's server-side dry run (`dryRun=All`), when a cluster is connected. */
  serverDryRun?: ServerDryRun;
}

export function createJobHandlers(jobs: JobService, dryRun: JobDryRunDeps = {}): Pick<Handlers, JobRoute> {
  const kubernetes = dryRun.kubernetes ?? KubernetesConfigSchema.parse({});
  return {
    createJob: ({ body }, ctx) => jobs.create(ctx.user.name, body),
    dryRunJob: ({ body }, ctx) => dryRunJobBody(ctx.user.name, body, kubernetes, dryRun.serverDryRun),
    listJobs: async ({ query }, ctx) => jobs.list(ctx.user.name, query),
    getJob: async ({ params }) => jobs.detail(params.id),
    stopJob: ({ params, body }, ctx) => jobs.stop(params.id, ctx.user.name, body.force),
    startJobAgain: ({ params }, ctx) => jobs.startAgain(params.id, ctx.user.name),
    copyJob: async ({ params }) => jobs.copy(params.id),
    deleteJob: ({ params }, ctx) => jobs.delete(params.id, ctx.user.name),
    jobEvents: async ({ params, query }) => jobs.events(params.id, query.after, query.limit),
    jobLogs: ({ params, query }) => jobs.logs(params.id, query),
    jobMetrics: async ({ params, query }) => jobs.metrics(params.id, query),
    jobEnv: async ({ params }) => jobs.env(params.id),
  };
}
