import { JobSpecSchema } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { coreValidator } from '../schemas/crdValidator.js';
import {
  MAX_OBJECT_NAME,
  containerEnv,
  containerWorkingDir,
  deviceEnv,
  hyperparametersConfigMap,
  jobDevices,
  jobMetadata,
  labelValue,
  objectName,
  priorityClassName,
  resourceRequirements,
  specHash,
} from './common.js';
import { testOptions } from './testOptions.js';

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

const DNS_1123_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('objectName', () => {
  it('keeps an id that is already a DNS-1123 label', () => {
    expect(objectName('job-20261123-0001')).toBe('job-20261123-0001');
  });

  it.each(['Job_20261123.0001', '0042', '_x_', 'a'.repeat(64), 'ÄÖÜ', 'job-1.', 'JOB'])(
    'makes a DNS-1123 label of %j',
    (id) => {
      const name = objectName(id);
      expect(name).toMatch(DNS_1123_LABEL);
      expect(name.length).toBeLessThanOrEqual(MAX_OBJECT_NAME);
    },
  );

  it('gives ids that differ only in case or punctuation different names', () => {
    expect(objectName('Job-1')).not.toBe(objectName('job-1'));
    expect(objectName('job_1')).not.toBe(objectName('job.1'));
  });
});

describe('labels and annotations', () => {
  it('carry job id, user, spec hash and the Kueue queue and priority class', () => {
    const meta = jobMetadata(spec, options);
    expect(meta.name).toBe('job-20261123-0003');
    expect(meta.namespace).toBe('aiplat-carol');
    expect(meta.labels).toEqual({
      'app.kubernetes.io/managed-by': 'aiplat',
      'aiplat.io/job-id': 'job-20261123-0003',
      'aiplat.io/user': 'carol',
      'aiplat.io/spec-hash': specHash(spec),
      'kueue.x-k8s.io/queue-name': 'gpu-a100',
      'kueue.x-k8s.io/priority-class': 'p2',
    });
    expect(meta.annotations).toEqual({
      'aiplat.io/job-id': 'job-20261123-0003',
      'aiplat.io/user': 'carol',
      'aiplat.io/spec-hash': specHash(spec),
    });
  });

  it('keep the exact user in the annotation when the label had to change', () => {
    const meta = jobMetadata(spec, { ...options, user: 'zhang.san@example.com' });
    expect(meta.labels['aiplat.io/user']).toMatch(LABEL_VALUE);
    expect(meta.annotations['aiplat.io/user']).toBe('zhang.san@example.com');
  });

  it.each(['a'.repeat(64), 'zhang san', '-x-', '用户', ''])('labelValue(%j) is a valid label value', (text) => {
    const value = labelValue(text);
    expect(value).toMatch(LABEL_VALUE);
    expect(value.length).toBeLessThanOrEqual(63);
  });

  it('priority classes p0..p9', () => {
    expect([0, 5, 9].map(priorityClassName)).toEqual(['p0', 'p5', 'p9']);
  });

  it('the spec hash ignores key order and changes with the spec', () => {
    const reordered = JobSpecSchema.parse({ ...spec, hyperparameters: { nested: { a: [1, 2] }, batch: 64, lr: 0.01 } });
    expect(specHash(reordered)).toBe(specHash(spec));
    expect(specHash({ ...spec, command: 'python other.py' })).not.toBe(specHash(spec));
    expect(specHash(spec)).toMatch(/^[0-9a-f]{16}$/);
  });
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
  it('env: the user variables, then what the entry wrapper reads', () => {
    expect(containerEnv(spec, options)).toEqual([
      { name: 'EPOCHS', value: '2' },
      { name: 'HYPERPARAMETERS_PATH', value: '/opt/ml/input/config/hyperparameters.json' },
      { name: 'PYTHONUNBUFFERED', value: '1' },
      { name: 'AIPLAT_JOB_ID', value: 'job-20261123-0003' },
      { name: 'AIPLAT_MODE', value: 'ddp' },
      { name: 'AIPLAT_WORKING_DIR', value: '/work/home/carol/mnist' },
      { name: 'AIPLAT_DEVICES_TOTAL', value: String(jobDevices(spec)) },
    ]);
  });

  it('devices: whole devices per container and of the whole job, a GPU share as the local engine gives it', () => {
    const cpu = { cpu: 1, memory: '1Gi', accelerator: { type: 'none' as const, count: 0 } };
    const gpus = { ...cpu, accelerator: { type: 'nvidia' as const, count: 4 } };
    const share = { ...cpu, accelerator: { type: 'nvidia' as const, count: 0.25 } };
    expect(deviceEnv(cpu)).toEqual([{ name: 'AIPLAT_DEVICES_PER_NODE', value: '0' }]);
    expect(deviceEnv(gpus)).toEqual([{ name: 'AIPLAT_DEVICES_PER_NODE', value: '4' }]);
    expect(deviceEnv(share)).toEqual([
      { name: 'AIPLAT_DEVICES_PER_NODE', value: '1' },
      { name: 'AIPLAT_GPU_SHARE', value: '0.25' },
    ]);
    const psWorker = JobSpecSchema.parse({
      name: 'tf',
      mode: 'ps-worker',
      command: 'python t.py',
      ps: 2,
      workers: 3,
      resources: gpus,
      psResources: share,
    });
    expect(jobDevices(psWorker)).toBe(2 * 1 + 3 * 4);
  });

  it('working dir: home is the user home, cache and mount are shared', () => {
    expect(containerWorkingDir({ ...spec, workingDir: 'cache/data' }, options)).toBe('/work/cache/data');
    expect(containerWorkingDir({ ...spec, workingDir: 'home' }, options)).toBe('/work/home/carol');
  });

  it('resources: requests equal limits, operator-configured device names', () => {
    const r = resourceRequirements(
      { cpu: 2.5, memory: 3_000_000_000, accelerator: { type: 'ascend', count: 2 } },
      { ascendNpu: 'huawei.com/Ascend310P' },
    );
    expect(r.limits).toEqual({ cpu: '2500m', memory: 3_000_000_000, 'huawei.com/Ascend310P': 2 });
    expect(r.requests).toEqual(r.limits);
  });

  it('resources: a share of an Ascend NPU is refused with a clear message', () => {
    expect(() => resourceRequirements({ cpu: 1, memory: '1Gi', accelerator: { type: 'ascend', count: 0.5 } })).toThrow(
      /Ascend NPUs as whole devices/,
    );
  });
});
