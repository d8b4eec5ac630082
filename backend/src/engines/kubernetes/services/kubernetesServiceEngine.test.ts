import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceVersionSpecSchema } from '@aiplat/api';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import type { ServiceObservation } from '../../../services/engine.js';
import type { ServiceRecord } from '../../../services/serviceStore.js';
import { KubeCluster } from '../cluster.js';
import { KubernetesConfigSchema } from '../config.js';
import { KubernetesServiceEngine } from './kubernetesServiceEngine.js';

/*
 * Services on the Kubernetes engine against the fake API server with the real client: the objects
 * it creates (checked by the fake against the v1.35 schemas), the pods the Deployment would make
 * (scripted here, as the kubelet would leave them) read as replicas, scaling and deleting.
 */

const NS = 'aiplat-alice';
const config = KubernetesConfigSchema.parse({ enabled: true });
const PIP = { extraIndexUrls: [], findLinks: [], trustedHosts: [], noIndex: false };

function engineOn(fake: FakeApiServer, seen: ServiceObservation[]) {
  return new KubernetesServiceEngine({
    lifecycle: { observed: (_name, observation) => seen.push(observation) },
    cluster: new KubeCluster(fake.kubeConfig()),
    config,
    pip: PIP,
    pollMs: 20,
    log: pino({ level: 'silent' }),
  });
}

function launch(name: string, replicas = 2) {
  const spec = ServiceVersionSpecSchema.parse({
    model: 'mount/models/tiny-gpt2',
    image: 'registry.example.com/serve:1',
    command: 'exec python3 serve.py',
    resources: { cpu: 1, memory: '2Gi' },
    replicas,
  });
  const service = { name, owner: 'alice', queue: 'default', priority: 4, versions: [] } as unknown as ServiceRecord;
  return { service, version: 1, spec };
}

function putPod(
  fake: FakeApiServer,
  name: string,
  suffix: string,
  status: { ready?: boolean; waiting?: { reason: string; message: string }; restarts?: number },
) {
  fake.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `svc-${name}-v1-6c7d-${suffix}`,
      namespace: NS,
      labels: { 'aiplat.io/service': name, 'aiplat.io/service-version': '1' },
    },
    spec: { containers: [{ name: 'server', image: 'registry.example.com/serve:1' }] },
    status: {
      phase: status.ready ? 'Running' : 'Pending',
      conditions: [{ type: 'Ready', status: status.ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'server',
          restartCount: status.restarts ?? 0,
          ...(status.waiting ? { state: { waiting: status.waiting } } : {}),
        },
      ],
    },
  });
}

const replicaStates = (seen: ServiceObservation[]) => {
  const last = new Map<number, string>();
  for (const o of seen) if (o.replica) last.set(o.replica.index, o.replica.state);
  return [...last.entries()].sort(([a], [b]) => a - b).map(([, state]) => state);
};

describe('services on the Kubernetes engine', () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  });
  afterAll(() => fake?.close());

  it('creates the version, reports its pods as replicas, is reached at its Service, scales and deletes', async () => {
    const seen: ServiceObservation[] = [];
    const engine = engineOn(fake, seen);
    await engine.startVersion(launch('chat'));
    for (const [apiVersion, kind] of [
      ['apps/v1', 'Deployment'],
      ['v1', 'Service'],
      ['v1', 'ConfigMap'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
    ]) {
      expect(fake.get(apiVersion!, kind!, NS, 'svc-chat-v1'), kind).toBeDefined();
    }
    expect(replicaStates(seen)).toEqual(['Pending', 'Pending']);
    expect(engine.readyReplicas('chat')).toEqual([]);

    putPod(fake, 'chat', 'a', { ready: true });
    putPod(fake, 'chat', 'b', { ready: false });
    await expect.poll(() => replicaStates(seen)).toEqual(['Ready', 'Starting']);
    expect(engine.readyReplicas('chat')).toEqual([
      { key: '1/svc', version: 1, index: 0, target: { host: 'svc-chat-v1.aiplat-alice.svc', port: 8080 } },
    ]);
    putPod(fake, 'chat', 'b', { ready: true, restarts: 1 });
    await expect.poll(() => replicaStates(seen)).toEqual(['Ready', 'Ready']);
    expect(seen.some((o) => o.event?.type === 'replica-restarted')).toBe(true);

    await engine.scale(launch('chat'), 3);
    expect((fake.get('apps/v1', 'Deployment', NS, 'svc-chat-v1') as unknown as { spec: { replicas: number } }).spec.replicas).toBe(
      3,
    );

    await engine.stopVersion('chat', 1, false);
    expect(fake.get('apps/v1', 'Deployment', NS, 'svc-chat-v1')).toBeUndefined();
    expect(fake.get('v1', 'Service', NS, 'svc-chat-v1')).toBeUndefined();
    expect(engine.readyReplicas('chat')).toEqual([]);
    await engine.close();
  });

  it("fails the version in the cluster's words when its pod crash-loops", async () => {
    const seen: ServiceObservation[] = [];
    const engine = engineOn(fake, seen);
    await engine.startVersion(launch('broken', 1));
    putPod(fake, 'broken', 'a', {
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' },
    });
    await expect
      .poll(() => seen.find((o) => o.versionFailed)?.versionFailed)
      .toEqual({
        version: 1,
        message: 'CrashLoopBackOff: back-off 40s restarting failed container',
      });
    await engine.stopVersion('broken', 1, true);
    await engine.close();
  });
});
