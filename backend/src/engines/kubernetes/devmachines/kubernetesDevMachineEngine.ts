import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ApiError, DEV_MACHINE_IDE_PATHS, type DevMachineIde, type DevMachineSpec } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type {
  CloneRequest,
  DevMachineEngine,
  DevMachineLifecycle,
  DevMachineStartOptions,
  EngineIdleSample,
  IdeEndpoint,
} from '../../../devmachines/engine.js';
import { ideActivity } from '../../../devmachines/idle/ideActivity.js';
import { POD_METRICS } from '../apiDiscovery.js';
import type { PodMetricsObject } from '../podMetrics.js';
import { acceleratorPercentFrom, acceleratorQuery, podIdleProcesses } from './devMachinePodIdle.js';
import type { SnapshotTarget } from '../../../images/snapshotTarget.js';
import { clusterMessage, type KubeCluster } from '../cluster.js';
import type { PodObject } from '../clusterObjects.js';
import { manifestOptionsFor, namespaceFor, queueConfig, type KubernetesConfig } from '../config.js';
import { resourceRequirements } from '../manifests/resourceRequirements.js';
import { execInPod, execOutputInPod } from '../podExec.js';
import { devMachinePodState, type DevMachinePodState } from './devMachinePodState.js';
import { REPOSITORIES_STATUS_FILE, repositoryObservation, repositoryStatuses } from './devMachineRepositories.js';
import { hostKeySecretName, keptHostKey, readPodSsh, sshServiceName, type SshHostKey } from './devMachineSsh.js';
import {
  DEV_MACHINE_CONTAINER,
  devMachineImage,
  devMachineManifests,
  devMachineObjectName,
  devMachineServiceHost,
  IDE_PORTS,
} from './devMachineManifests.js';

export interface KubernetesDevMachineEngineDeps {
  lifecycle: DevMachineLifecycle;
  cluster: KubeCluster;
  config: KubernetesConfig;
  /** The platform's URL as pods reach it, and the owner's token: for the extensions and the CLI in the IDEs. */
  platformEnv?: (owner: string) => { server?: string; token?: string };
  /** How often a starting, running or stopping dev machine's pod is read. */
  pollMs?: number;
  stopGraceSeconds?: number;
  /** How long each lifecycle script may run (5 minutes unless given). */
  lifecycleTimeoutSeconds?: number;
  /** How long each clone of a repository may take (10 minutes unless given). */
  cloneTimeoutSeconds?: number;
  log: Logger;
}

interface Tracked {
  machine: DevMachineRecord;
  namespace: string;
  ideToken: string;
  phase: 'starting' | 'running' | 'stopping';
  /** What the dev machine was last told it waits for, so a poll says only changes. */
  waiting?: string;
  /** This start runs the on-create script: once Running, the machine is marked created. */
  createsOnStart?: boolean;
  /** The repositories the entrypoint clones at this start: their statuses are read once it runs. */
  repositories?: readonly CloneRequest[];
  /** Made for this start when SSH is enabled: its fingerprint is shown with the address. */
  sshHostKey?: SshHostKey;
  timer?: NodeJS.Timeout;
}

const POD_API = { apiVersion: 'v1', kind: 'Pod' };

/**
 * Dev machines as a one-pod StatefulSet, its Service, NetworkPolicy and Secret (devMachineManifests.ts),
 * followed by reading the pod: gated by Kueue or unschedulable is a wait with its reason, Ready is
 * Running, an image that cannot be pulled or a container that keeps crashing is Failed (and its
 * objects go). Stopping deletes the objects; Stopped once the pod is gone. The proxy reaches the
 * Service in the cluster's DNS, adding JupyterLab's token.
 */
export class KubernetesDevMachineEngine implements DevMachineEngine {
  private readonly tracked = new Map<string, Tracked>();
  private closed = false;

  constructor(private readonly deps: KubernetesDevMachineEngineDeps) {}

  validate(spec: DevMachineSpec): void {
    queueConfig(this.deps.config, spec.queue);
    const refuse = (path: string, message: string) =>
      new ApiError('validation_failed', message, { issues: [{ path, message }] });
    try {
      devMachineImage(spec, this.deps.config.devMachineImage);
    } catch (error) {
      throw refuse('body.spec.image', (error as Error).message);
    }
    try {
      resourceRequirements(spec.resources);
    } catch (error) {
      throw refuse('body.spec.resources.accelerator.count', (error as Error).message);
    }
  }

  async start(machine: DevMachineRecord, options: DevMachineStartOptions = { scripts: {} }): Promise<void> {
    const base = manifestOptionsFor(this.deps.config, {
      user: machine.owner,
      jobId: machine.id,
      queue: machine.spec.queue,
    });
    const platform = this.deps.platformEnv?.(machine.owner) ?? {};
    const ideToken = randomBytes(24).toString('base64url');
    const hostKey = options.ssh ? await keptHostKey(this.deps.cluster, machine, base.namespace) : undefined;
    const objects = devMachineManifests(
      machine,
      {
        ideToken,
        ...(platform.server ? { platformServer: platform.server } : {}),
        ...(platform.token ? { platformToken: platform.token } : {}),
        lifecycle: options.scripts,
        ...(options.repositories?.length ? { repositories: options.repositories } : {}),
        ...(options.ssh && hostKey ? { ssh: { authorizedKeys: options.ssh.authorizedKeys, hostKey } } : {}),
      },
      {
        base,
        sshServiceType: this.deps.config.devMachineSsh.serviceType,
        ...(this.deps.lifecycleTimeoutSeconds ? { lifecycleTimeoutSeconds: this.deps.lifecycleTimeoutSeconds } : {}),
        ...(this.deps.cloneTimeoutSeconds ? { cloneTimeoutSeconds: this.deps.cloneTimeoutSeconds } : {}),
        ...(this.deps.config.devMachineImage ? { defaultImage: this.deps.config.devMachineImage } : {}),
        ...(this.deps.stopGraceSeconds !== undefined ? { stopGraceSeconds: this.deps.stopGraceSeconds } : {}),
        backendNamespace: this.deps.config.backendNamespace,
      },
    );
    // What a previous run left (a backend that died mid-stop) would refuse the new objects.
    await this.deleteObjects(machine, base.namespace, true);
    for (const object of objects) {
      try {
        await this.deps.cluster.create(object as KubernetesObject);
      } catch (error) {
        await this.deleteObjects(machine, base.namespace, true);
        throw new Error(`the cluster refused the ${object.kind}: ${clusterMessage(error)}`);
      }
    }
    const tracked: Tracked = {
      machine,
      namespace: base.namespace,
      ideToken,
      phase: 'starting',
      createsOnStart: options.scripts.onCreate !== undefined,
      ...(options.repositories?.length ? { repositories: options.repositories } : {}),
      ...(hostKey ? { sshHostKey: hostKey } : {}),
    };
    this.tracked.set(machine.id, tracked);
    this.deps.lifecycle.observed(machine.id, {
      event: { type: 'starting', message: `Created its pod's StatefulSet in ${base.namespace}.` },
    });
    this.schedule(tracked);
  }

  async stop(machine: DevMachineRecord, force: boolean): Promise<void> {
    const tracked = this.tracked.get(machine.id) ?? {
      machine,
      namespace: namespaceFor(this.deps.config, machine.owner),
      ideToken: '',
      phase: 'stopping' as const,
    };
    tracked.phase = 'stopping';
    this.tracked.set(machine.id, tracked);
    await this.deleteObjects(machine, tracked.namespace, force);
    this.schedule(tracked, 0);
  }

  /** The machine is deleted: its SSH host key, kept between starts, goes. */
  async discard(machine: DevMachineRecord): Promise<void> {
    const name = hostKeySecretName(devMachineObjectName(machine.id));
    const namespace = namespaceFor(this.deps.config, machine.owner);
    await this.deps.cluster.delete({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } });
  }

  async release(machine: DevMachineRecord): Promise<void> {
    await this.deleteObjects(machine, namespaceFor(this.deps.config, machine.owner), true);
  }

  endpoint(id: string, ide: DevMachineIde): IdeEndpoint | undefined {
    const tracked = this.tracked.get(id);
    if (!tracked || tracked.phase !== 'running' || !tracked.machine.spec.ides.includes(ide)) return undefined;
    return {
      target: { host: devMachineServiceHost(id, tracked.namespace), port: IDE_PORTS[ide].port },
      prefix: `/devmachines/${id}/${DEV_MACHINE_IDE_PATHS[ide]}/`,
      // JupyterLab serves under its base_url; code-server at its root.
      keepsPrefix: ide === 'jupyterlab',
      headers: ide === 'jupyterlab' ? { authorization: `token ${tracked.ideToken}` } : {},
    };
  }

  /**
   * A look for the idle policy: the pod's CPU and memory from metrics.k8s.io (none when the cluster
   * serves no metrics), and the IDEs' activity asked at their Service, as the proxy reaches them.
   */
  async sampleIdle(id: string): Promise<EngineIdleSample | undefined> {
    const tracked = this.tracked.get(id);
    if (!tracked || tracked.phase !== 'running') return undefined;
    const name = `${devMachineObjectName(id)}-0`;
    const metrics = await this.deps.cluster
      .read<PodMetricsObject & KubernetesObject>({ ...POD_METRICS, metadata: { name, namespace: tracked.namespace } })
      .catch((error: unknown) => {
        this.deps.log.debug({ id, reason: clusterMessage(error) }, 'no pod metrics for the idle policy');
        return undefined;
      });
    const accelerator = await this.acceleratorPercent(tracked);
    return {
      processes: podIdleProcesses(metrics, tracked.machine.spec),
      ...(accelerator !== undefined ? { acceleratorPercent: accelerator } : {}),
      ...(await ideActivity(this.endpoint(id, 'jupyterlab'), this.endpoint(id, 'code-server'))),
    };
  }

  /** The vendor's tool run in the pod (through exec, as save as image runs its agent): its devices' mean use. */
  private async acceleratorPercent(tracked: Tracked): Promise<number | undefined> {
    const { machine, namespace } = tracked;
    const query = acceleratorQuery(machine.spec);
    if (!query) return undefined;
    const target = { namespace, pod: `${devMachineObjectName(machine.id)}-0`, container: DEV_MACHINE_CONTAINER };
    try {
      const { code, stdout } = await execOutputInPod(this.deps.cluster.kc, target, query);
      return code === 0 ? acceleratorPercentFrom(machine.spec, stdout) : undefined;
    } catch (error) {
      this.deps.log.debug({ id: machine.id, reason: clusterMessage(error) }, 'no accelerator use for the idle policy');
      return undefined;
    }
  }

  /**
   * A running dev machine's container for "save as image": its image as the base, and the snapshot
   * agent run in it through the pod exec API (no docker.sock, nothing privileged on the node). The
   * command runs as the container's user, root in the platform's image.
   */
  snapshotTarget(id: string): SnapshotTarget | string {
    const tracked = this.tracked.get(id);
    if (!tracked || tracked.phase !== 'running')
      return 'the dev machine is not running: start it to save it as an image';
    const { namespace, machine } = tracked;
    const pod = `${devMachineObjectName(id)}-0`;
    return {
      baseRef: devMachineImage(machine.spec, this.deps.config.devMachineImage),
      exec: (argv, io) =>
        execInPod(this.deps.cluster.kc, { namespace, pod, container: DEV_MACHINE_CONTAINER }, argv, {
          ...io,
          subject: `the dev machine's pod ${namespace}/${pod}`,
        }),
    };
  }

  /** Stops following (the backend is shutting down); the pods run on, and `release` ends them after a restart. */
  close(): void {
    this.closed = true;
    for (const tracked of this.tracked.values()) clearTimeout(tracked.timer);
    this.tracked.clear();
  }

  private schedule(tracked: Tracked, delayMs = this.deps.pollMs ?? 2_000): void {
    if (this.closed) return;
    clearTimeout(tracked.timer);
    tracked.timer = setTimeout(() => void this.poll(tracked), delayMs);
    tracked.timer.unref();
  }

  private async poll(tracked: Tracked): Promise<void> {
    if (this.closed || this.tracked.get(tracked.machine.id) !== tracked) return;
    let pod: PodObject | undefined;
    try {
      pod = await this.deps.cluster.read<PodObject & KubernetesObject>({
        ...POD_API,
        metadata: { name: `${devMachineObjectName(tracked.machine.id)}-0`, namespace: tracked.namespace },
      });
    } catch (error) {
      this.deps.log.warn({ id: tracked.machine.id, err: error }, 'reading a dev machine pod failed');
      this.schedule(tracked);
      return;
    }
    if (this.tracked.get(tracked.machine.id) !== tracked) return;
    await this.apply(tracked, devMachinePodState(pod, tracked.machine.spec.queue));
  }

  private async apply(tracked: Tracked, state: DevMachinePodState): Promise<void> {
    const { id } = tracked.machine;
    const observe = this.deps.lifecycle.observed.bind(this.deps.lifecycle, id);
    if (tracked.phase === 'stopping') {
      if (state.kind === 'gone') {
        this.tracked.delete(id);
        observe({ state: 'Stopped', event: { type: 'stopped', message: 'Stopped: its pod is gone.' } });
      } else this.schedule(tracked);
      return;
    }
    switch (state.kind) {
      case 'failed':
        this.tracked.delete(id);
        observe({ state: 'Failed', failure: { message: state.message } });
        await this.deleteObjects(tracked.machine, tracked.namespace, true);
        return;
      case 'ready':
        if (tracked.phase !== 'running') {
          tracked.phase = 'running';
          // Its IDEs answer, so its lifecycle scripts (run before them) succeeded.
          observe({
            state: 'Running',
            event: { type: 'running', message: `${tracked.machine.spec.name} is running.` },
            ...(tracked.createsOnStart ? { created: true as const } : {}),
          });
          if (tracked.repositories) void this.reportClones(tracked, tracked.repositories);
          if (tracked.sshHostKey) void this.reportSsh(tracked, tracked.sshHostKey);
        }
        break;
      case 'waiting':
        if (tracked.phase === 'starting' && tracked.waiting !== state.message) {
          const first = tracked.waiting === undefined;
          tracked.waiting = state.message;
          observe({
            waitReason: { message: state.message },
            ...(first ? { event: { type: 'queued', message: `Waiting: ${state.message}.` } } : {}),
          });
        }
        break;
      default:
        break;
    }
    this.schedule(tracked);
  }

  /** The entrypoint cloned the repositories before the IDEs answered: its line per repository, read from the pod, becomes a status. */
  private async reportClones(tracked: Tracked, repositories: readonly CloneRequest[]): Promise<void> {
    const { machine, namespace } = tracked;
    const pod = `${devMachineObjectName(machine.id)}-0`;
    let text: string;
    try {
      const target = { namespace, pod, container: DEV_MACHINE_CONTAINER };
      text = (await execOutputInPod(this.deps.cluster.kc, target, ['cat', REPOSITORIES_STATUS_FILE])).stdout;
    } catch (error) {
      this.deps.log.warn({ id: machine.id, err: error }, 'could not read how the clones of a dev machine went');
      return;
    }
    for (const status of repositoryStatuses(text, repositories, machine.spec.workingDir)) {
      this.deps.lifecycle.observed(machine.id, repositoryObservation(status));
    }
  }

  /** Where users reach its sshd, once the cluster has given the SSH Service an address. */
  private async reportSsh(tracked: Tracked, hostKey: SshHostKey): Promise<void> {
    const { machine, namespace } = tracked;
    const { host } = this.deps.config.devMachineSsh;
    const ssh = await readPodSsh(
      this.deps.cluster,
      { namespace, objectName: devMachineObjectName(machine.id) },
      hostKey,
      {
        ...(host ? { host } : {}),
        attempts: 60,
        everyMs: this.deps.pollMs ?? 2_000,
        still: () => this.tracked.get(machine.id) === tracked && tracked.phase === 'running',
      },
    ).catch((error: unknown) => {
      this.deps.log.warn({ id: machine.id, err: error }, 'could not read the SSH Service of a dev machine');
      return undefined;
    });
    if (!ssh || this.tracked.get(machine.id) !== tracked || tracked.phase !== 'running') return;
    const message = `SSH: ${ssh.command} (host key ${ssh.hostKeyFingerprint}).`;
    this.deps.lifecycle.observed(machine.id, { ssh, event: { type: 'ssh-started', message } });
  }

  /** Deletes the StatefulSet (its pod with it), the Service, the NetworkPolicy and the Secret; what is gone already is fine. */
  private async deleteObjects(machine: DevMachineRecord, namespace: string, force: boolean): Promise<void> {
    const name = devMachineObjectName(machine.id);
    const objects: KubernetesObject[] = [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: sshServiceName(name), namespace } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-ide`, namespace } },
    ];
    for (const object of objects) {
      try {
        await this.deps.cluster.delete(object, { force });
      } catch (error) {
        throw new Error(`could not delete the ${object.kind} ${name}: ${clusterMessage(error)}`);
      }
    }
    // The StatefulSet's pod goes with it in the background; a forced stop takes the pod at once too.
    if (force) await this.deps.cluster.delete({ ...POD_API, metadata: { name: `${name}-0`, namespace } }, { force });
  }
}
