import { describe, expect, it } from 'vitest';
import { resourceRequirements } from './resourceRequirements.js';

describe('container', () => {
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
