import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceSpecSchema, ServiceVersionSpecSchema, type ServiceReplica } from '@aiplat/api';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import type { ServiceObservation } from '../../../services/engine.js';
import { allReady, withReplica } from '../../../services/serviceRecords.js';
import type { ServiceRecord } from '../../../services/serviceStore.js';
import { KubeCluster } from '../cluster.js';
import { KubernetesConfigSchema } from '../config.js';
import { KubernetesServiceEngine } from './kubernetesServiceEngine.js';
import { CRASH_LOOP_RESTARTS } from './servicePodState.js';

/*
 * Services on the Kubernetes engine against the fake API server with the real client: the objects
 * it creates (checked by the fake against the v1.35 schemas and KServe's CRD), the pods a
 * Deployment would make (written here, as the scheduler and the kubelet would leave them) read as
 * replicas, scaling and restarting by patches, failing, stopping and releasing.
 */

const NS = 'aiplat-alice';
const PIP = { extraIndexUrls: [], findLinks: [], trustedHosts: [], noIndex: false };
const VERSION_KINDS = [
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['apps/v1', 'Deployment'],
] as const;

/** What the core would hold: the replicas reported, the events, the wait and the failure. */
class Observed {
  replicas: ServiceReplica[] = [];
  readonly events: string[] = [];
  waitReason: string | null | undefined;
  failed?: { version: number; message: string };
  readonly observed = (_name: string, o: ServiceObservation) => {
    if (o.replica) this.replicas = withReplica(this.replicas, o.replica, new Date());
    if (o.event) this.events.push(o.event.type);
    if (o.waitReason !== undefined) this.waitReason = o.waitReason?.message ?? null;
    if (o.versionFailed) this.failed = o.versionFailed;
  };
  states(): string[] {
    return this.replicas.map((r) => r.state);
  }
  /** The core's rule for Deploying → Running: every replica the version asks for is Ready. */
  running(replicas: number): boolean {
    const record = { versions: [{ version: 1, spec: { replicas } }], replicas: this.replicas };
    return allReady(record as unknown as ServiceRecord, 1);
  }
}

function engineOn(fake: FakeApiServer, seen: Observed, options: { serving?: 'kserve'; dataDir?: string } = {}) {
  return new KubernetesServiceEngine({
    lifecycle: { observed: seen.observed },
    cluster: new KubeCluster(fake.kubeConfig()),
    config: KubernetesConfigSchema.parse({ enabled: true, serviceServing: options.serving ?? 'deployment' }),
    pip: PIP,
    pollMs: 20,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    log: pino({ level: 'silent' }),
    now: () => new Date('2026-09-01T10:00:00Z'),
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
  const service = { name, owner: 'alice', queue: 'default', priority: 4, versions: [{ version: 1 }] };
  return { service: service as unknown as ServiceRecord, version: 1, spec };
}

interface PodStatus {
  ready?: boolean;
  running?: boolean;
  gated?: boolean;
  unschedulable?: string;
  waiting?: { reason: string; message: string };
  restarts?: number;
  podIP?: string;
}

/** A pod of version 1 as the kubelet reports it. */
function putPod(fake: FakeApiServer, name: string, suffix: string, status: PodStatus, container = 'server') {
  const running = status.running ?? status.ready;
  fake.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `svc-${name}-v1-6c7d-${suffix}`,
      namespace: NS,
      labels: { 'aiplat.io/service': name, 'aiplat.io/service-version': '1' },
    },
    spec: {
      containers: [{ name: container, image: 'registry.example.com/serve:1' }],
      ...(status.gated ? { schedulingGates: [{ name: 'kueue.x-k8s.io/admission' }] } : {}),
    },
    status: {
      phase: running ? 'Running' : 'Pending',
      ...(status.podIP ? { podIP: status.podIP } : {}),
      conditions: [
        { type: 'Ready', status: status.ready ? 'True' : 'False' },
        status.unschedulable
          ? { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: status.unschedulable }
          : { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        {
          name: container,
          restartCount: status.restarts ?? 0,
          ...(status.waiting
            ? {
                state: { waiting: status.waiting },
                lastState: { terminated: { exitCode: 3, reason: 'Error' } },
              }
            : running
              ? { state: { running: { startedAt: '2026-09-01T10:00:00Z' } } }
              : {}),
        },
      ],
    },
  });
}

const objectOf = (fake: FakeApiServer, apiVersion: string, kind: string, name: string) =>
  fake.get(apiVersion, kind, NS, name) as unknown as
    { spec: Record<string, unknown>; metadata: { labels: Record<string, string> } } | undefined;

describe('services on the Kubernetes engine', () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  });
  afterAll(() => fake?.close());

  it('creates the version in the owner namespace; Kueue, then pods Starting, Ready and Running', async () => {
    const seen = new Observed();
    const engine = engineOn(fake, seen);
    await engine.startVersion(launch('chat'));
    for (const [apiVersion, kind] of VERSION_KINDS) {
      expect(objectOf(fake, apiVersion, kind, 'svc-chat-v1'), kind).toBeDefined();
    }
    expect(objectOf(fake, 'apps/v1', 'Deployment', 'svc-chat-v1')!.metadata.labels).toMatchObject({
      'kueue.x-k8s.io/queue-name': 'default',
    });
    expect(seen.states()).toEqual(['Pending', 'Pending']);
    expect(engine.readyReplicas('chat')).toEqual([]);

    putPod(fake, 'chat', 'a', { gated: true });
    putPod(fake, 'chat', 'b', { unschedulable: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.' });
    await expect.poll(() => seen.waitReason).toBe('waiting for Kueue to admit it in queue default');
    expect(seen.events).toContain('queued');

    putPod(fake, 'chat', 'a', { ready: true });
    putPod(fake, 'chat', 'b', { running: true });
    await expect.poll(() => seen.states()).toEqual(['Ready', 'Starting']);
    expect(seen.waitReason).toBeNull();
    expect(seen.running(2)).toBe(false);
    // A ready pod without an IP yet is reached through the version's Service.
    expect(engine.readyReplicas('chat')).toEqual([
      { key: '1/0', version: 1, index: 0, target: { host: 'svc-chat-v1.aiplat-alice.svc', port: 8080 } },
    ]);

    putPod(fake, 'chat', 'b', { ready: true, restarts: 1, podIP: '10.1.2.3' });
    await expect.poll(() => seen.states()).toEqual(['Ready', 'Ready']);
    // One target per ready replica (the gateway's per-replica limits count them), at the pod's IP.
    expect(engine.readyReplicas('chat')).toEqual([
      { key: '1/0', version: 1, index: 0, target: { host: 'svc-chat-v1.aiplat-alice.svc', port: 8080 } },
      { key: '1/1', version: 1, index: 1, target: { host: '10.1.2.3', port: 8080 } },
    ]);
    expect(seen.running(2)).toBe(true);
    expect(seen.replicas[1]).toMatchObject({ restarts: 1 });
    expect(seen.events.filter((e) => e === 'replica-restarted')).toHaveLength(1);
    expect(seen.events.filter((e) => e === 'replica-ready')).toHaveLength(1);

    putPod(fake, 'chat', 'a', { running: true });
    await expect.poll(() => seen.states()).toEqual(['NotReady', 'Ready']);
    expect(seen.events).toContain('replica-not-ready');
    expect(engine.readyReplicas('chat').map((r) => r.key)).toEqual(['1/1']);

    await engine.stopVersion('chat', 1, false);
    for (const [apiVersion, kind] of VERSION_KINDS) {
      expect(objectOf(fake, apiVersion, kind, 'svc-chat-v1'), kind).toBeUndefined();
    }
    expect(seen.replicas).toEqual([]);
    expect(engine.readyReplicas('chat')).toEqual([]);
    await engine.close();
  });

  it('scales and restarts by patching the Deployment, a replacement pod keeping its replica number', async () => {
    const seen = new Observed();
    const engine = engineOn(fake, seen);
    const version = launch('scaled', 1);
    await engine.startVersion(version);
    putPod(fake, 'scaled', 'a', { ready: true });
    await expect.poll(() => seen.states()).toEqual(['Ready']);

    await engine.scale(version, 3);
    const deployment = () =>
      objectOf(fake, 'apps/v1', 'Deployment', 'svc-scaled-v1')!.spec as never as {
        replicas: number;
        template: { metadata: { annotations: Record<string, string> }; spec: { containers: unknown[] } };
      };
    expect(deployment().replicas).toBe(3);
    expect(fake.requests.some((r) => r.method === 'PATCH' && r.contentType === 'application/merge-patch+json')).toBe(
      true,
    );
    expect(deployment().template.spec.containers).toHaveLength(1);
    await expect.poll(() => seen.states()).toEqual(['Ready', 'Pending', 'Pending']);

    await engine.restart(version);
    expect(deployment().template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(
      '2026-09-01T10:00:00.000Z',
    );
    // The rolling restart replaces pod a: its successor is replica 0 again.
    fake.delete('v1', 'Pod', NS, 'svc-scaled-v1-6c7d-a');
    putPod(fake, 'scaled', 'c', { running: true });
    await expect.poll(() => seen.states()).toEqual(['Starting', 'Pending', 'Pending']);

    await engine.scale(version, 1);
    expect(deployment().replicas).toBe(1);
    expect(seen.states()).toEqual(['Starting']);
    await engine.stopVersion('scaled', 1, true);
    await engine.close();
  });

  it("fails the version in the cluster's words past a few crash-loop restarts; the objects wait for stopVersion", async () => {
    const seen = new Observed();
    const engine = engineOn(fake, seen);
    await engine.startVersion(launch('broken', 1));
    const crash = { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' };
    putPod(fake, 'broken', 'a', { waiting: crash, restarts: 1 });
    await expect.poll(() => seen.states()).toEqual(['Restarting']);
    expect(seen.failed).toBeUndefined();

    putPod(fake, 'broken', 'a', { waiting: { ...crash, message: 'back-off 40s' }, restarts: CRASH_LOOP_RESTARTS });
    await expect
      .poll(() => seen.failed)
      .toEqual({
        version: 1,
        message: 'CrashLoopBackOff: back-off 40s; it last exited with code 3 (Error)',
      });
    // Kept until the core stops the failed version (it does so at once, forced), then gone.
    expect(objectOf(fake, 'apps/v1', 'Deployment', 'svc-broken-v1')).toBeDefined();
    expect(engine.readyReplicas('broken')).toEqual([]);
    await engine.stopVersion('broken', 1, true);
    expect(objectOf(fake, 'apps/v1', 'Deployment', 'svc-broken-v1')).toBeUndefined();
    await engine.close();
  });

  it('fails the version at once on an image that cannot be pulled', async () => {
    const seen = new Observed();
    const engine = engineOn(fake, seen);
    await engine.startVersion(launch('nopull', 1));
    putPod(fake, 'nopull', 'a', {
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/serve:1"' },
    });
    await expect.poll(() => seen.failed?.message).toMatch(/^ImagePullBackOff: Back-off pulling image/);
    await engine.stopVersion('nopull', 1, true);
    await engine.close();
  });

  it('replaces what a previous backend left under the same names, and release deletes every kind', async () => {
    const seen = new Observed();
    const engine = engineOn(fake, seen);
    fake.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'svc-left-v1', namespace: NS },
      data: { 'command.sh': 'old' },
    });
    await engine.startVersion(launch('left', 1));
    expect(
      (fake.get('v1', 'ConfigMap', NS, 'svc-left-v1') as unknown as { data: Record<string, string> }).data,
    ).toMatchObject({ 'command.sh': 'exec python3 serve.py' });
    await engine.close();

    // A new backend: nothing tracked; release deletes the version's objects by name.
    const next = engineOn(fake, new Observed());
    await next.release(launch('left').service);
    for (const [apiVersion, kind] of VERSION_KINDS) {
      expect(objectOf(fake, apiVersion, kind, 'svc-left-v1'), kind).toBeUndefined();
    }
    await next.close();
  });

  it('deletes what it made when the cluster refuses an object', async () => {
    const seen = new Observed();
    const engine = engineOn(fake, seen);
    fake.failNext('POST', /\/deployments$/, 403, 'deployments.apps is forbidden: exceeded quota');
    await expect(engine.startVersion(launch('refused', 1))).rejects.toThrow(
      /the cluster refused the Deployment svc-refused-v1: .*exceeded quota/,
    );
    for (const [apiVersion, kind] of VERSION_KINDS) {
      expect(objectOf(fake, apiVersion, kind, 'svc-refused-v1'), kind).toBeUndefined();
    }
    await engine.close();
  });

  it('refuses a version without an image, in a queue the config lacks, or with an Ascend share', async () => {
    const engine = engineOn(fake, new Observed());
    const { spec } = launch('checked');
    const service = ServiceSpecSchema.parse({ name: 'checked', version: spec });
    expect(() => engine.validate(service, spec)).not.toThrow();
    const issueAt = (path: string) =>
      expect.objectContaining({ status: 400, issues: [expect.objectContaining({ path })] });
    expect(() => engine.validate(service, { ...spec, image: undefined })).toThrow(issueAt('body.spec.version.image'));
    expect(() => engine.validate({ ...service, queue: 'nowhere' }, spec)).toThrow(issueAt('body.spec.queue'));
    const ascendShare = { ...spec.resources, accelerator: { type: 'ascend' as const, count: 0.5 } };
    expect(() => engine.validate(service, { ...spec, resources: ascendShare })).toThrow(
      issueAt('body.spec.version.resources'),
    );
    await engine.close();
  });

  it("follows each replica's pod log into its log file", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-svc-logs-'));
    const seen = new Observed();
    const engine = engineOn(fake, seen, { dataDir });
    try {
      await engine.startVersion(launch('logged', 1));
      putPod(fake, 'logged', 'a', { ready: true });
      fake.appendLog(NS, 'svc-logged-v1-6c7d-a', 'model loaded\nlistening on 8080\n');
      const file = engine.logFile('logged', 1, 0)!;
      expect(file).toBe(path.join(dataDir, 'services', 'logged', 'v1', 'pods', '0.log'));
      await expect.poll(() => readFile(file, 'utf8').catch(() => '')).toContain('listening on 8080');
      await engine.stopVersion('logged', 1, true);
    } finally {
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('services through KServe', () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  });
  afterAll(() => fake?.close());

  it('creates an InferenceService the CRD accepts, reaches its predictor Service and scales it', async () => {
    const seen = new Observed();
    const engine = engineOn(fake, seen, { serving: 'kserve' });
    const version = launch('llm', 1);
    await engine.startVersion(version);
    const inference = () =>
      objectOf(fake, 'serving.kserve.io/v1beta1', 'InferenceService', 'svc-llm-v1')!.spec.predictor as {
        minReplicas: number;
        maxReplicas: number;
        annotations: Record<string, string>;
      };
    expect(inference()).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
    expect(objectOf(fake, 'apps/v1', 'Deployment', 'svc-llm-v1')).toBeUndefined();

    putPod(fake, 'llm', 'a', { ready: true }, 'kserve-container');
    await expect.poll(() => seen.states()).toEqual(['Ready']);
    expect(engine.readyReplicas('llm')).toEqual([
      { key: '1/0', version: 1, index: 0, target: { host: 'svc-llm-v1-predictor.aiplat-alice.svc', port: 80 } },
    ]);
    putPod(fake, 'llm', 'a', { ready: true, podIP: '10.1.9.9' }, 'kserve-container');
    await expect
      .poll(() => engine.readyReplicas('llm').map((r) => r.target))
      .toEqual([{ host: '10.1.9.9', port: 8080 }]);
    await engine.scale(version, 2);
    expect(inference()).toMatchObject({ minReplicas: 2, maxReplicas: 2 });
    await engine.restart(version);
    expect(inference().annotations['kubectl.kubernetes.io/restartedAt']).toBe('2026-09-01T10:00:00.000Z');

    await engine.stopVersion('llm', 1, false);
    expect(objectOf(fake, 'serving.kserve.io/v1beta1', 'InferenceService', 'svc-llm-v1')).toBeUndefined();
    await engine.close();
  }, 60_000);

  it('releases on a cluster without KServe', async () => {
    const plain = await FakeApiServer.start({ namespaces: ['default', NS], leaveOut: ['serving.kserve.io'] });
    try {
      const engine = engineOn(plain, new Observed(), { serving: 'kserve' });
      await engine.release(launch('gone').service);
      expect(plain.requests.some((r) => r.path.includes('inferenceservices'))).toBe(false);
      await engine.close();
    } finally {
      await plain.close();
    }
  });
});
