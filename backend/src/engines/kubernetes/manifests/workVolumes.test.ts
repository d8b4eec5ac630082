import { describe, expect, it } from 'vitest';
import { coreValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { DDP_TEST_SPEC, testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';
import { containerWorkingDir, hyperparametersConfigMap } from './workVolumes.js';

const configMapSchema = coreValidator('ConfigMap');

const options = testOptions('carol', 'job-20261123-0003');

const spec = DDP_TEST_SPEC;

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
