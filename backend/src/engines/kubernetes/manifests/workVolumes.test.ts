import { JobSpecSchema } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { coreValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { testOptions } from './testOptions.js';
import { containerWorkingDir, hyperparametersConfigMap } from './workVolumes.js';

const configMapSchema = coreValidator('ConfigMap');

const options = testOptions('carol', 'job-20261123-0003');

const spec = JobSpecSchema.parse({
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

describe('hyperparameters ConfigMap', () => {
  it('holds hyperparameters.json and validates against the Kubernetes OpenAPI ConfigMap', () => {
    const configMap = hyperparametersConfigMap(spec, options);
    expect(configMap.metadata.name).toBe('job-20261123-0003-hp');
    expect(JSON.parse(configMap.data['hyperparameters.json'] ?? '')).toEqual(spec.hyperparameters);
    expect(configMapSchema.validate(configMap)).toEqual({ valid: true, errors: [] });
  });

  it('the ConfigMap check catches a broken object', () => {
    const configMap = hyperparametersConfigMap(spec, options);
    expect(configMapSchema.validate({ ...configMap, data: { 'hyperparameters.json': 1 } }).valid).toBe(false);
    expect(configMapSchema.validate({ ...configMap, kind: 'Secret' }).valid).toBe(false);
  });
});

describe('container', () => {
  it('working dir: home is the user home, cache and mount are shared', () => {
    expect(containerWorkingDir({ ...spec, workingDir: 'cache/data' }, options)).toBe('/work/cache/data');
    expect(containerWorkingDir({ ...spec, workingDir: 'home' }, options)).toBe('/work/home/carol');
  });
});
