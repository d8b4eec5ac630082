import { dryRunJob } from '../../engines/kubernetes/dryRun.js';
import { jobSpecFromBody } from '../../jobs/jobSpecFromBody.js';
import { UsageError, type CliContext } from '../context.js';
import { cliUser, readKubernetesConfig } from '../kubernetesConfig.js';
import { messages } from '../messages.js';

/**
 * `submit --dry-run`: the job.yaml's Kubernetes manifests on stdout as a multi-document YAML
 * stream, from the same checks and builders the server uses, with no server or cluster.
 */
export async function printDryRun(
  ctx: CliContext,
  jobYaml: string,
  options: { config?: string; user?: string },
): Promise<void> {
  const spec = jobSpecFromBody({ yaml: jobYaml });
  if (spec.engine !== 'kubernetes') throw new UsageError(messages.submit.dryRunNeedsKubernetes);
  const config = readKubernetesConfig(ctx, options.config);
  const result = await dryRunJob(cliUser(ctx, options.user), spec, config);
  ctx.out(result.yaml);
}
