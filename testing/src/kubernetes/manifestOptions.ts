import { JobSpecSchema, type JobMode, type JobSpec } from '@aiplat/api';
import type { ManifestOptions } from '../../../backend/src/engines/kubernetes/manifests/common.js';

/** Manifest options for tests: the user's own namespace and home claim, the shared cache and mount claims. */
export function testOptions(user: string, jobId: string): ManifestOptions {
  return {
    jobId,
    user,
    namespace: `aiplat-${user}`,
    claims: { home: `home-${user}`, cache: 'work-cache', mount: 'work-mount' },
  };
}

/** A ddp job with a queue, a priority, env, nested hyperparameters and a working dir: what the shared builders read. */
export const DDP_TEST_SPEC: JobSpec = JobSpecSchema.parse({
  name: 'mnist',
  mode: 'ddp',
  command: 'python train.py',
  queue: 'gpu-a100',
  priority: 2,
  env: { EPOCHS: '2' },
  hyperparameters: { lr: 0.01, batch: 64, nested: { a: [1, 2] } },
  workingDir: 'home/mnist',
  resources: { cpu: 1, memory: '1Gi' },
});

const MODE_RESOURCES = { cpu: 4, memory: '16Gi', accelerator: { type: 'nvidia', count: 2 } };

/**
 * One job spec per mode, each with every kind of pod the mode has (more than one where it can),
 * named `demo`; `common` adds fields to all of them (a queue, a priority).
 */
export function modeSpecs(common: Record<string, unknown> = {}): Record<JobMode, JobSpec> {
  const spec = (fields: Record<string, unknown>) =>
    JobSpecSchema.parse({ name: 'demo', command: 'python train.py', ...common, ...fields });
  const resources = MODE_RESOURCES;
  return {
    ddp: spec({ mode: 'ddp', nodes: 2, resources }),
    mpi: spec({ mode: 'mpi', image: 'mpi:1', nodes: 2, resources }),
    horovod: spec({ mode: 'horovod', image: 'hvd:1', nodes: 3, resources }),
    deepspeed: spec({ mode: 'deepspeed', image: 'ds:1', nodes: 2, resources }),
    'ps-worker': spec({
      mode: 'ps-worker',
      image: 'tf:2',
      ps: 1,
      workers: 2,
      resources,
      psResources: { cpu: 2, memory: '4Gi' },
    }),
    ray: spec({
      mode: 'ray',
      image: 'ray:2',
      head: { resources: { cpu: 2, memory: '8Gi' } },
      workerGroups: [{ name: 'gpu', replicas: 2, resources }],
    }),
  };
}
