import { JobSpecSchema, type JobSpec } from '@aiplat/api';
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
