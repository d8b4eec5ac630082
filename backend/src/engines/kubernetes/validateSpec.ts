import { ApiError, type JobSpec, type Resources } from '@aiplat/api';
import { queueConfig, type KubernetesConfig } from './config.js';

/*
 * What a job spec needs to run on the Kubernetes engine beyond being a valid spec: a configured
 * queue, an image where the kind has no default, accelerators the cluster can give and a summary
 * folder its pods can write (the mount claim is mounted read-only). Every
 * problem at once, each at the field to fix (`body.spec.<field>`, as the local engine names them).
 */

export interface SpecIssue {
  path: string;
  message: string;
}

/** Each `resources` of the spec with its field path. */
function resourcesOf(spec: JobSpec): [string, Resources][] {
  switch (spec.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      return [['resources', spec.resources]];
    case 'ps-worker':
      return [
        ['resources', spec.resources],
        ...(spec.psResources ? ([['psResources', spec.psResources]] as [string, Resources][]) : []),
      ];
    case 'ray':
      return [
        ['head.resources', spec.head.resources],
        ...spec.workerGroups.map((group, i): [string, Resources] => [`workerGroups.${i}.resources`, group.resources]),
      ];
  }
}

export function kubernetesSpecIssues(spec: JobSpec, config: KubernetesConfig): SpecIssue[] {
  const issues: SpecIssue[] = [];
  try {
    queueConfig(config, spec.queue);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    issues.push(...(error.issues ?? []));
  }
  // A TrainJob takes the torch runtime's image; the other kinds have none of their own.
  if (spec.mode !== 'ddp' && spec.image === undefined && config.defaultImage === undefined) {
    issues.push({
      path: 'body.spec.image',
      message: `${spec.mode} jobs on the Kubernetes engine need an image: name one (the operator may set kubernetes.defaultImage)`,
    });
  }
  if (spec.summaryDir !== undefined && spec.summaryDir.split('/')[0] === 'mount') {
    issues.push({
      path: 'body.spec.summaryDir',
      message: `the job's pods mount /work/mount read-only and cannot write summaries to ${spec.summaryDir}: name a folder under home or cache, or leave summaryDir out (home/summaries/<job id>)`,
    });
  }
  for (const [field, resources] of resourcesOf(spec)) {
    const { type, count } = resources.accelerator;
    if (type === 'ascend' && !Number.isInteger(count)) {
      issues.push({
        path: `body.spec.${field}.accelerator.count`,
        message: `the Kubernetes engine gives Ascend NPUs as whole devices: ask for 1 or more, not ${count}`,
      });
    }
  }
  return issues;
}

/** Throws one `validation_failed` ApiError listing every problem, if there is any. */
export function validateKubernetesSpec(spec: JobSpec, config: KubernetesConfig): void {
  const issues = kubernetesSpecIssues(spec, config);
  if (issues.length === 0) return;
  throw new ApiError(
    'validation_failed',
    `this job cannot run on the Kubernetes engine: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { issues },
  );
}
