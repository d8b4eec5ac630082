import { describe, expect, it } from 'vitest';
import type { ServiceObservation } from '../../../services/engine.js';
import type { ServicePod } from './servicePodState.js';
import { VersionWatch } from './versionWatch.js';

/* How a version's pods take replica slots. */

const pod = (name: string, creationTimestamp: Date | string): ServicePod => ({
  metadata: { name, creationTimestamp },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

describe('VersionWatch', () => {
  it('gives pods seen together the slots in the order they were created, as the client reads them (Dates)', () => {
    const seen: ServiceObservation[] = [];
    const watch = new VersionWatch({ name: 'chat', version: 1, queue: 'default', replicas: 2 }, (o) => seen.push(o));
    watch.begin();
    // Wednesday's pod is older than Thursday's, though "Thu …" sorts before "Wed …" as text.
    watch.observe([pod('a', new Date('2026-09-03T00:00:01Z')), pod('b', new Date('2026-09-02T23:59:59Z'))]);
    expect(watch.slottedPods().map(({ index, pod }) => [index, pod.metadata?.name])).toEqual([
      [0, 'b'],
      [1, 'a'],
    ]);
  });

  it('orders pods created in the same second by name', () => {
    const watch = new VersionWatch({ name: 'chat', version: 1, queue: 'default', replicas: 2 }, () => undefined);
    watch.begin();
    watch.observe([pod('y', '2026-09-01T10:00:00Z'), pod('x', '2026-09-01T10:00:00Z')]);
    expect(watch.slottedPods().map(({ pod }) => pod.metadata?.name)).toEqual(['x', 'y']);
  });
});
