import { JobSpecSchema } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { containerEnv, deviceEnv, jobDevices } from './containerEnv.js';
import { summaryFolder } from './workVolumes.js';
import { DDP_TEST_SPEC, testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';

const options = testOptions('carol', 'job-20261123-0003');

const spec = DDP_TEST_SPEC;

describe('container', () => {
  it('env: the user variables, then what the entry wrapper reads', () => {
    expect(containerEnv(spec, options)).toEqual([
      { name: 'EPOCHS', value: '2' },
      { name: 'HYPERPARAMETERS_PATH', value: '/opt/ml/input/config/hyperparameters.json' },
      { name: 'PYTHONUNBUFFERED', value: '1' },
      { name: 'AIPLAT_JOB_ID', value: 'job-20261123-0003' },
      { name: 'AIPLAT_MODE', value: 'ddp' },
      { name: 'AIPLAT_WORKING_DIR', value: '/work/home/carol/mnist' },
      { name: 'AIPLAT_SUMMARY_DIR', value: '/work/home/carol/summaries/job-20261123-0003' },
      { name: 'AIPLAT_DEVICES_TOTAL', value: String(jobDevices(spec)) },
    ]);
  });

  it('summaries: the job’s own folder by default, or its summaryDir, in the container and as a claim path', () => {
    const inCache = { ...spec, summaryDir: 'cache/runs/mnist' };
    expect(containerEnv(inCache, options).find((e) => e.name === 'AIPLAT_SUMMARY_DIR')?.value).toBe(
      '/work/cache/runs/mnist',
    );
    expect(summaryFolder(inCache, options)).toEqual({
      volume: 'aiplat-cache',
      claim: options.claims.cache,
      subPath: 'runs/mnist',
      containerPath: '/work/cache/runs/mnist',
    });
    expect(summaryFolder(spec, options)).toMatchObject({
      volume: 'aiplat-home',
      subPath: 'summaries/job-20261123-0003',
    });
  });

  it('devices: whole devices per container and of the whole job, a GPU share as the local engine gives it', () => {
    const cpu = { cpu: 1, memory: '1Gi', accelerator: { type: 'none' as const, count: 0 } };
    const gpus = { ...cpu, accelerator: { type: 'nvidia' as const, count: 4 } };
    const share = { ...cpu, accelerator: { type: 'nvidia' as const, count: 0.3 } };
    expect(deviceEnv(cpu)).toEqual([{ name: 'AIPLAT_DEVICES_PER_NODE', value: '0' }]);
    expect(deviceEnv(gpus)).toEqual([{ name: 'AIPLAT_DEVICES_PER_NODE', value: '4' }]);
    expect(deviceEnv(share)).toEqual([
      { name: 'AIPLAT_DEVICES_PER_NODE', value: '1' },
      { name: 'AIPLAT_GPU_SHARE', value: '0.3' },
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
});
