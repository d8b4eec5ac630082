import { DEV_MACHINE_IDE_PATHS, type DevMachineIde, type DevMachineSpec } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { ManifestOptions, ObjectMeta, Quantity, Volume, VolumeMount } from '../manifests/common.js';
import type { LifecycleScripts } from '../../../devmachines/lifecycle/lifecycleConfigService.js';
import type { CloneRequest } from '../../../devmachines/engine.js';
import { repositoriesInPod } from './devMachineRepositories.js';
import { DEV_MACHINE_LABEL, devMachineObjectName } from './devMachineNames.js';
import {
  SSH_INGRESS_RULE,
  sshPodParts,
  sshSecretData,
  sshService,
  type DevMachineSshService,
  type PodSshSecrets,
  type SshServiceType,
} from './devMachineSsh.js';
import { backendOnlyPolicy, type BackendOnlyPolicy } from '../manifests/backendOnlyPolicy.js';
import { clusterIpService, type ClusterIpService } from '../manifests/clusterIpService.js';
import { deviceEnv } from '../manifests/containerEnv.js';
import { labelValue, LABELS, MANAGED_BY, priorityClassName, specHash } from '../manifests/jobMetadata.js';
import { podPlacement, type PodPlacement } from '../manifests/podTemplate.js';
import { resourceRequirements } from '../manifests/resourceRequirements.js';
import { containerWorkingDir, VOLUME_NAMES, workVolumeMounts, workVolumes } from '../manifests/workVolumes.js';

/*
 * A dev machine on Kubernetes: a StatefulSet of one pod (stable name, restarted if it dies) running
 * the dev machine image's entrypoint, a Service in front of its IDE ports, and a Secret with what
 * the IDEs need (their own token, and the owner's platform URL and token for the AI Platform
 * extensions and the CLI). Kueue admits the StatefulSet like a job (queue and priority labels).
 * The platform's proxy reaches the Service; nothing else is exposed. Pure functions.
 */

export { DEV_MACHINE_LABEL, devMachineObjectName };

/** The dev machine image's entrypoint (images/devmachine/entrypoint.sh). */
export const DEV_MACHINE_ENTRYPOINT = '/usr/local/bin/aiplat-devmachine';
/** The pod's one container, where the IDEs run (and the snapshot agent, through exec). */
export const DEV_MACHINE_CONTAINER = 'ide';

/** The port each IDE listens on in the pod, and its name on the Service. */
export const IDE_PORTS: Readonly<Record<DevMachineIde, { name: string; port: number }>> = {
  jupyterlab: { name: 'lab', port: 8888 },
  'code-server': { name: 'code', port: 8080 },
};

/** Keys of the dev machine's Secret. */
export const SECRET_KEYS = { ideToken: 'ide-token', server: 'aiplat-server', token: 'aiplat-token' } as const;

export interface DevMachineSecrets {
  /** The IDEs' own token: JupyterLab's, which the proxy adds and browsers never see. */
  ideToken: string;
  /** The platform as the pod reaches it, and the owner's token, for the extensions and the CLI. */
  platformServer?: string;
  platformToken?: string;
  /** This start's lifecycle scripts (decoded), mounted from the Secret and run by the entrypoint before the IDEs. */
  lifecycle?: LifecycleScripts;
  /** The repositories this start clones (their credentials opened), mounted from the Secret for the entrypoint. */
  repositories?: readonly CloneRequest[];
  /** Set when the spec enables SSH: the keys sshd lets in and its host key, mounted from the Secret. */
  ssh?: PodSshSecrets;
}

/** Where the entrypoint finds the lifecycle scripts in the pod. */
export const LIFECYCLE_MOUNT = '/etc/aiplat/lifecycle';
const LIFECYCLE_FILES = { onCreate: 'on-create.sh', onStart: 'on-start.sh' } as const;

interface HttpProbe {
  httpGet: { path: string; port: string };
  periodSeconds: number;
  failureThreshold: number;
}

type SecretEnv = { name: string; valueFrom: { secretKeyRef: { name: string; key: string; optional?: boolean } } };
type Env = { name: string; value: string } | SecretEnv;

export interface DevMachineContainer {
  name: string;
  image: string;
  command: string[];
  workingDir: string;
  env: Env[];
  ports: { name: string; containerPort: number; protocol: 'TCP' }[];
  readinessProbe: HttpProbe;
  startupProbe?: HttpProbe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: VolumeMount[];
}

export interface DevMachineSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: 'Opaque';
  stringData: Record<string, string>;
}

/** The dev machine's Service in front of its pod: one port per IDE. */
export type DevMachineService = ClusterIpService;

export interface DevMachineStatefulSet {
  apiVersion: 'apps/v1';
  kind: 'StatefulSet';
  metadata: ObjectMeta;
  spec: {
    replicas: 1;
    serviceName: string;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: PodPlacement & {
        enableServiceLinks: false;
        terminationGracePeriodSeconds: number;
        volumes: Volume[];
        containers: DevMachineContainer[];
      };
    };
  };
}

export type DevMachineNetworkPolicy = BackendOnlyPolicy;

export type DevMachineObject =
  DevMachineSecret | DevMachineService | DevMachineNetworkPolicy | DevMachineStatefulSet | DevMachineSshService;

export interface DevMachineManifestOptions {
  /** The namespace, claims, queue and placement of the owner's queue (`manifestOptionsFor` with the dev machine's id). */
  base: ManifestOptions;
  /** The image of a spec that names none. */
  defaultImage?: string;
  /** Seconds between SIGTERM and SIGKILL when the pod stops. */
  stopGraceSeconds?: number;
  /** The backend's namespace: its pods are the only ones the NetworkPolicy lets reach the IDEs. */
  backendNamespace?: string;
  /** How long each lifecycle script may run. */
  lifecycleTimeoutSeconds?: number;
  /** How long each clone of a repository may take. */
  cloneTimeoutSeconds?: number;
  /** The type of the Service in front of sshd (NodePort unless given). */
  sshServiceType?: SshServiceType;
}

export function devMachineImage(spec: DevMachineSpec, defaultImage: string | undefined): string {
  const image = spec.image ?? defaultImage;
  if (image === undefined) {
    throw new Error(
      'image is required for dev machines on the Kubernetes engine: name one in the spec, or set kubernetes.devMachineImage',
    );
  }
  return image;
}

/** The path each IDE answers its readiness on, in the pod (JupyterLab keeps the prefix, code-server does not). */
export function readinessPath(id: string, ide: DevMachineIde): string {
  return ide === 'jupyterlab' ? `/devmachines/${id}/${DEV_MACHINE_IDE_PATHS.jupyterlab}/api` : '/healthz';
}

/**
 * A container has one readiness probe, so with two IDEs the second one gets the startup probe:
 * readiness is not checked until the startup probe has passed, so the pod is Ready (and the
 * dev machine Running) only once both IDEs have answered. After that the entrypoint ends the pod
 * when either IDE exits.
 */
function ideProbes(
  id: string,
  ides: readonly DevMachineIde[],
): Pick<DevMachineContainer, 'readinessProbe' | 'startupProbe'> {
  const probe = (ide: DevMachineIde, failureThreshold: number): HttpProbe => ({
    httpGet: { path: readinessPath(id, ide), port: IDE_PORTS[ide].name },
    periodSeconds: 2,
    failureThreshold,
  });
  const [first = 'jupyterlab', second] = ides;
  // Five minutes for the second IDE's first answer before the kubelet restarts the container.
  return { readinessProbe: probe(first, 3), ...(second ? { startupProbe: probe(second, 150) } : {}) };
}

/**
 * The Secret, the Service, the NetworkPolicy and the StatefulSet of a dev machine, in the order
 * they are created. The IDEs trust whoever reaches them (code-server runs without a password), so
 * the NetworkPolicy lets only the platform's proxy (the backend's pods) in.
 */
export function devMachineManifests(
  machine: Pick<DevMachineRecord, 'id' | 'owner' | 'spec'>,
  secrets: DevMachineSecrets,
  options: DevMachineManifestOptions,
): [DevMachineSecret, DevMachineService, DevMachineNetworkPolicy, DevMachineStatefulSet, ...DevMachineSshService[]] {
  const { id, owner, spec } = machine;
  const { base } = options;
  const name = devMachineObjectName(id);
  const identity = {
    [LABELS.managedBy]: MANAGED_BY,
    [DEV_MACHINE_LABEL]: labelValue(id),
    [LABELS.user]: labelValue(owner),
  };
  const annotations = { [DEV_MACHINE_LABEL]: id, [LABELS.user]: owner, [LABELS.specHash]: specHash(spec) };
  const meta = (labels: Record<string, string> = identity): ObjectMeta => ({
    name,
    namespace: base.namespace,
    labels,
    annotations,
  });
  const secretName = `${name}-ide`;
  const secretRef = (envName: string, key: string): SecretEnv => ({
    name: envName,
    valueFrom: { secretKeyRef: { name: secretName, key } },
  });
  const ports = spec.ides.map((ide) => IDE_PORTS[ide]);
  const kueueLabels = {
    [LABELS.queueName]: base.localQueue ?? spec.queue,
    [LABELS.priorityClass]: priorityClassName(spec.priority),
  };
  // /work as for jobs, without the hyperparameters a job reads.
  const volumes = workVolumes(base).filter((volume) => volume.name !== VOLUME_NAMES.hyperparameters);
  const volumeMounts = workVolumeMounts(base).filter((mount) => mount.name !== VOLUME_NAMES.hyperparameters);
  const scripts = Object.entries(LIFECYCLE_FILES).flatMap(([field, file]) => {
    const text = secrets.lifecycle?.[field as keyof LifecycleScripts];
    return text === undefined ? [] : [[file, text] as const];
  });
  const repositories = repositoriesInPod(secrets.repositories, secretName, options.cloneTimeoutSeconds);
  if (repositories) {
    volumes.push(repositories.volume);
    volumeMounts.push(repositories.volumeMount);
  }
  if (scripts.length > 0) {
    volumes.push({
      name: 'lifecycle',
      secret: { secretName, items: scripts.map(([file]) => ({ key: file, path: file })), defaultMode: 0o500 },
    });
    volumeMounts.push({ name: 'lifecycle', mountPath: LIFECYCLE_MOUNT, readOnly: true });
  }
  const ssh = secrets.ssh ? sshPodParts(secretName) : undefined;
  if (ssh) {
    volumes.push(ssh.volume);
    volumeMounts.push(ssh.mount);
  }

  const secret: DevMachineSecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...meta(), name: secretName },
    type: 'Opaque',
    stringData: {
      [SECRET_KEYS.ideToken]: secrets.ideToken,
      ...(secrets.platformServer ? { [SECRET_KEYS.server]: secrets.platformServer } : {}),
      ...(secrets.platformToken ? { [SECRET_KEYS.token]: secrets.platformToken } : {}),
      ...Object.fromEntries(scripts),
      ...repositories?.secretData,
      ...(secrets.ssh ? sshSecretData(secrets.ssh) : {}),
    },
  };
  const service = clusterIpService(
    meta(),
    identity,
    ports.map(({ name: portName, port }) => ({ name: portName, port, targetPort: portName })),
  );
  const networkPolicy = backendOnlyPolicy(
    meta(),
    identity,
    ports.map(({ name: portName }) => portName),
    options.backendNamespace,
  );
  if (ssh) networkPolicy.spec.ingress.push(SSH_INGRESS_RULE);
  const statefulSet: DevMachineStatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    // Kueue's StatefulSet integration reads the queue and priority here and copies them to the pod
    // template; the template has them too, for clusters where Kueue manages plain pods only.
    metadata: meta({ ...identity, ...kueueLabels }),
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: identity },
      template: {
        metadata: { labels: { ...identity, ...kueueLabels }, annotations },
        spec: {
          ...podPlacement(base),
          // The IDEs' terminals should not see every Service of the namespace as variables.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: options.stopGraceSeconds ?? 10,
          volumes,
          containers: [
            {
              name: DEV_MACHINE_CONTAINER,
              image: devMachineImage(spec, options.defaultImage),
              command: [DEV_MACHINE_ENTRYPOINT],
              workingDir: containerWorkingDir(spec, base),
              env: [
                ...Object.entries(spec.env).map(([envName, value]) => ({ name: envName, value })),
                ...deviceEnv(spec.resources),
                { name: 'AIPLAT_DEVMACHINE_ID', value: id },
                { name: 'AIPLAT_IDES', value: spec.ides.join(',') },
                { name: 'AIPLAT_BASE_PATH', value: `/devmachines/${id}/` },
                secretRef('AIPLAT_IDE_TOKEN', SECRET_KEYS.ideToken),
                ...(secrets.platformServer ? [secretRef('AIPLAT_SERVER', SECRET_KEYS.server)] : []),
                ...(secrets.platformToken ? [secretRef('AIPLAT_TOKEN', SECRET_KEYS.token)] : []),
                ...(scripts.length > 0
                  ? [
                      { name: 'AIPLAT_LIFECYCLE_DIR', value: LIFECYCLE_MOUNT },
                      { name: 'AIPLAT_LIFECYCLE_TIMEOUT', value: String(options.lifecycleTimeoutSeconds ?? 300) },
                    ]
                  : []),
                ...(repositories?.env ?? []),
                ...(ssh ? [ssh.env] : []),
              ],
              ports: [
                ...ports.map(({ name: portName, port }) => ({
                  name: portName,
                  containerPort: port,
                  protocol: 'TCP' as const,
                })),
                ...(ssh ? [ssh.port] : []),
              ],
              ...ideProbes(id, spec.ides),
              resources: asStrings(resourceRequirements(spec.resources, base.resourceNames)),
              volumeMounts,
            },
          ],
        },
      },
    },
  };
  if (!ssh) return [secret, service, networkPolicy, statefulSet];
  return [
    secret,
    service,
    networkPolicy,
    statefulSet,
    sshService(meta(), identity, options.sshServiceType ?? 'NodePort'),
  ];
}

/**
 * Quantities as strings: core/v1's OpenAPI types a Quantity as a string (the CRDs of the job kinds
 * take int-or-string), so a strict client or admission check refuses a bare number.
 */
function asStrings(requirements: { requests: Record<string, Quantity>; limits: Record<string, Quantity> }) {
  const strings = (values: Record<string, Quantity>) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
  return { requests: strings(requirements.requests), limits: strings(requirements.limits) };
}

/** Where the proxy reaches each IDE of the dev machine: its Service, in the cluster's DNS. */
export function devMachineServiceHost(id: string, namespace: string): string {
  return `${devMachineObjectName(id)}.${namespace}.svc`;
}
