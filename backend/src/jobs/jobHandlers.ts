import type { Handlers } from '../server/handlers.js';
import type { JobDryRunner } from './engine.js';
import type { JobService } from './jobService.js';
import { inJobYaml, jobSpecFromBody } from './jobSpecFromBody.js';

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

export function createJobHandlers(jobs: JobService, dryRun: JobDryRunner): Pick<Handlers, JobRoute> {
  return {
    createJob: ({ body }, ctx) => jobs.create(ctx.user.name, body),
    dryRunJob: async ({ body }, ctx) => {
      const spec = jobSpecFromBody(body);
      try {
        return await dryRun.dryRun(ctx.user.name, spec);
      } catch (error) {
        throw inJobYaml(error, body);
      }
    },
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
