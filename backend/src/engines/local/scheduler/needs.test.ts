import { describe, expect, it } from 'vitest';
import { toNeeds } from './needs.js';
import { schedule } from './schedule.js';
import type { InstanceRequest } from './types.js';

const GIB = 1024 ** 3;

function instance(cpu: number, memoryBytes = GIB, count = 0): InstanceRequest {
  return { cpu, memoryBytes, accelerator: { type: count > 0 ? 'nvidia' : 'none', count } };
}

describe('toNeeds never turns a request into zero', () => {
  it.each([5e-324, 1e-10, 0.0004])('refuses cpu %s, which is below one millicore', (cpu) => {
    const result = toNeeds([instance(cpu)]);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/1 millicore/) as unknown as string });
  });

  it('refuses a memory request that is not a whole number of bytes', () => {
    expect(toNeeds([instance(1, 0.5)])).toMatchObject({ ok: false, reason: expect.stringMatching(/whole number/) });
  });

  it('refuses a share of a device that is not in tenths', () => {
    expect(toNeeds([instance(1, GIB, 0.25)])).toMatchObject({ ok: false });
  });

  it('keeps every request it accepts above zero for each resource asked for', () => {
    const result = toNeeds([instance(0.001, 1), instance(1, GIB, 0.1)]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const need of result.needs) {
      expect(need.cpuMilli).toBeGreaterThanOrEqual(1);
      expect(need.memoryBytes).toBeGreaterThanOrEqual(1);
    }
    expect(result.needs[1]?.shareMilli).toBe(100);
  });

  it('does not start a near-zero CPU job on a node whose CPUs are all taken', () => {
    const result = schedule({
      nodes: [{ name: 'n', cpu: 1, memoryBytes: 8 * GIB, accelerator: { type: 'none', count: 0 } }],
      queues: [{ name: 'q', policy: 2, nodes: ['n'], preemption: false }],
      running: [
        {
          id: 'full',
          queue: 'q',
          priority: 5,
          submittedAt: 0,
          instances: [{ index: 0, node: 'n', cpu: 1, memoryBytes: GIB, devices: [], deviceShare: 0 }],
        },
      ],
      pending: [{ id: 'tiny', queue: 'q', priority: 5, submittedAt: 1, instances: [instance(1e-10)] }],
    });
    expect(result.start).toEqual([]);
    expect(result.waiting.map((w) => w.jobId)).toEqual(['tiny']);
  });
});
