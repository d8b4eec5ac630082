import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DevMachineSpecSchema } from '@aiplat/api';
import { acceleratorPercentFrom, acceleratorQuery } from './devMachinePodIdle.js';

/* The accelerator use of a Kubernetes dev machine: which tool runs in its pod, and what its output says. */

const spec = (accelerator?: { type: 'nvidia' | 'ascend'; count: number }) =>
  DevMachineSpecSchema.parse({
    name: 'box',
    resources: { cpu: 1, memory: '1Gi', ...(accelerator ? { accelerator } : {}) },
  });
const npuSmi = readFileSync(
  new URL('../../local/capacity/fixtures/npu-smi-info_910B_x8_v24.1.0.txt', import.meta.url),
  'utf8',
);

describe('accelerator use in a dev machine pod', () => {
  it('asks the vendor’s tool only of a machine with accelerators', () => {
    expect(acceleratorQuery(spec())).toBeUndefined();
    expect(acceleratorQuery(spec({ type: 'nvidia', count: 1 }))?.[0]).toBe('nvidia-smi');
    expect(acceleratorQuery(spec({ type: 'ascend', count: 8 }))).toEqual(['npu-smi', 'info']);
  });

  it('is the mean of what the devices read, and nothing when none reads', () => {
    const gpus = '0, A100, GPU-1, 40960, 10, 1\n1, A100, GPU-2, 40960, [N/A], 1\n2, A100, GPU-3, 40960, 25, 1\n';
    expect(acceleratorPercentFrom(spec({ type: 'nvidia', count: 3 }), gpus)).toBe(17.5);
    expect(acceleratorPercentFrom(spec({ type: 'nvidia', count: 1 }), '')).toBeUndefined();
    // A real 8-chip card's npu-smi info, taken while idle.
    expect(acceleratorPercentFrom(spec({ type: 'ascend', count: 8 }), npuSmi)).toBe(0);
  });
});
