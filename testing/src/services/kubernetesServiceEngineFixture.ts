import type { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { ServiceVersionSpecSchema, type ServiceReplica } from '@aiplat/api';
import { KubeCluster } from '../../../backend/src/engines/kubernetes/cluster.js';
import { KubernetesConfigSchema } from '../../../backend/src/engines/kubernetes/config.js';
import { KubernetesServiceEngine } from '../../../backend/src/engines/kubernetes/services/kubernetesServiceEngine.js';
import type { ServiceObservation } from '../../../backend/src/services/engine.js';
import { allReady, withReplica } from '../../../backend/src/services/serviceRecords.js';
import type { ServiceRecord } from '../../../backend/src/services/serviceStore.js';
import type { EnvtestAssets } from '../kubernetes/envtest/assets.js';
import { startEnvtest, type Envtest } from '../kubernetes/envtest/envtest.js';
import { createNamespace } from '../kubernetes/envtest/namespaces.js';
import { EnvtestPods, type PodWrite } from '../kubernetes/envtest/podStatus.js';
import { recordingProxy, type RecordingProxy } from '../kubernetes/envtest/recordingProxy.js';

/*
 * For the Kubernetes service engine's tests (backend/src/engines/kubernetes/services/): what the
 * core would hold of a service, the engine as they run it, a version of alice's and the pods its
 * Deployment would make, as the scheduler and the kubelet would leave them.
 */

/** The owner's namespace (the engine's default `aiplat-{user}`). */
export const SERVICE_NS = 'aiplat-alice';

const PIP = { extraIndexUrls: [], findLinks: [], trustedHosts: [], noIndex: false };

/** What the core would hold: the replicas reported, the events, the wait and the failure. */
export class Observed {
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

export interface ServiceEngineOptions {
  serving?: 'kserve';
  /** The config's namespace template (default `aiplat-{user}`). */
  namespace?: string;
  dataDir?: string;
  log?: Logger;
}

/** The engine on `kubeConfig`'s cluster, reading pods every 20 ms, its clock at 2026-09-01T10:00Z. */
export function serviceEngine(kubeConfig: KubeConfig, seen: Observed, options: ServiceEngineOptions = {}) {
  return new KubernetesServiceEngine({
    lifecycle: { observed: seen.observed },
    cluster: new KubeCluster(kubeConfig),
    config: KubernetesConfigSchema.parse({
      enabled: true,
      serviceServing: options.serving ?? 'deployment',
      ...(options.namespace ? { namespace: options.namespace } : {}),
    }),
    pip: PIP,
    pollMs: 20,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    log: options.log ?? pino({ level: 'silent' }),
    now: () => new Date('2026-09-01T10:00:00Z'),
  });
}

/** Version 1 of alice's service `name` in queue default. */
export function versionLaunch(name: string, replicas = 2) {
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

export interface ServicePodStatus {
  ready?: boolean;
  running?: boolean;
  /** Held by Kueue's admission gate. */
  gated?: boolean;
  /** The scheduler's words when no node fits. */
  unschedulable?: string;
  waiting?: { reason: string; message: string };
  restarts?: number;
  podIP?: string;
}

/** Pod `svc-<name>-v1-6c7d-<suffix>` of version 1 in SERVICE_NS, as the scheduler and the kubelet report it. */
export function servicePod(name: string, suffix: string, status: ServicePodStatus, container = 'server'): PodWrite {
  const running = status.running ?? status.ready;
  const image = 'registry.example.com/serve:1';
  return {
    metadata: {
      name: `svc-${name}-v1-6c7d-${suffix}`,
      namespace: SERVICE_NS,
      labels: { 'aiplat.io/service': name, 'aiplat.io/service-version': '1' },
    },
    spec: {
      containers: [{ name: container, image }],
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
          image,
          imageID: '',
          ready: status.ready ?? false,
          restartCount: status.restarts ?? 0,
          ...(status.waiting
            ? { state: { waiting: status.waiting }, lastState: { terminated: { exitCode: 3, reason: 'Error' } } }
            : running
              ? { state: { running: { startedAt: '2026-09-01T10:00:00Z' } } }
              : {}),
        },
      ],
    },
  };
}

/**
 * One real API server (envtest) for a file of service engine tests: the owner's namespace, the
 * admin's client, pods written as the scheduler and the kubelet would, and the engine talking
 * through a recording proxy (its requests are known).
 */
export class ServiceEnvtest {
  private constructor(
    readonly envtest: Envtest,
    readonly admin: KubeCluster,
    readonly pods: EnvtestPods,
    readonly proxy: RecordingProxy,
  ) {}

  static async start(assets: EnvtestAssets): Promise<ServiceEnvtest> {
    const envtest = await startEnvtest({ assets });
    try {
      await createNamespace(envtest.kubeConfig, SERVICE_NS);
      const proxy = await recordingProxy(envtest, 'admin');
      return new ServiceEnvtest(
        envtest,
        new KubeCluster(envtest.kubeConfig),
        new EnvtestPods(envtest.kubeConfig),
        proxy,
      );
    } catch (error) {
      await envtest.stop();
      throw error;
    }
  }

  /** The engine, through the recording proxy. */
  engineOn(seen: Observed, options: ServiceEngineOptions = {}): KubernetesServiceEngine {
    return serviceEngine(this.proxy.kubeConfig, seen, options);
  }

  /** A pod of version 1 as the scheduler and the kubelet report it (created first if there is none). */
  putPod(name: string, suffix: string, status: ServicePodStatus, container?: string) {
    return this.pods.put(servicePod(name, suffix, status, container));
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.envtest.stop();
  }
}
