import { ApiError, type JobDryRunResponse, type JobSpec, type ServerDryRunResult } from '@aiplat/api';
import type { JobDryRunner } from '../../jobs/engine.js';
import { manifestOptionsFor, type KubernetesConfig } from './config.js';
import type { KubeObject } from './manifests/common.js';
import { buildManifests, manifestsYaml } from './manifests/index.js';
import { validateKubernetesSpec } from './validateSpec.js';

/*
 * A job's exact Kubernetes objects without creating anything: for `POST /api/jobs/dry-run` and
 * `aiplat submit --engine kubernetes --dry-run`. Pure but for the optional server-side dry run,
 * which the Kubernetes engine supplies when a cluster is connected.
 */

/** Asks the cluster to create `objects` with `dryRun=All`; never throws for a refusal. */
export type ServerDryRun = (objects: readonly KubeObject[]) => Promise<ServerDryRunResult>;

/** The job id the objects are named after: the real job gets its own id when it is submitted. */
export const DRY_RUN_JOB_ID = 'job-dry-run';

export async function dryRunJob(
  user: string,
  spec: JobSpec,
  config: KubernetesConfig,
  serverDryRun?: ServerDryRun,
  jobId: string = DRY_RUN_JOB_ID,
): Promise<JobDryRunResponse> {
  validateKubernetesSpec(spec, config);
  const options = manifestOptionsFor(config, { user, jobId, queue: spec.queue });
  let objects: KubeObject[];
  try {
    objects = buildManifests(spec, options);
  } catch (error) {
    // The checks above cover what the builders refuse; this names anything they missed.
    throw new ApiError(
      'validation_failed',
      `this job cannot run on the Kubernetes engine: ${(error as Error).message}`,
    );
  }
  const response: JobDryRunResponse = {
    engine: 'kubernetes',
    namespace: options.namespace,
    manifests: objects,
    yaml: manifestsYaml(objects),
  };
  if (serverDryRun) {
    try {
      response.serverDryRun = await serverDryRun(objects);
    } catch (error) {
      response.serverDryRun = { ok: false, message: `the cluster could not be asked: ${(error as Error).message}` };
    }
  }
  return response;
}

/** The dry run of the Kubernetes engine, whether or not a cluster is connected. */
export class KubernetesDryRun implements JobDryRunner {
  constructor(
    private readonly config: KubernetesConfig,
    private readonly serverDryRun?: ServerDryRun,
  ) {}

  dryRun(user: string, spec: JobSpec): Promise<JobDryRunResponse> {
    return dryRunJob(user, spec, this.config, this.serverDryRun);
  }
}
