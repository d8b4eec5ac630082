import type { ServiceProbe, ServiceVersionSpec } from '@aiplat/api';
import type { ManifestOptions, ObjectMeta, Quantity, Volume, VolumeMount } from '../manifests/common.js';
import { backendOnlyPolicy, type BackendOnlyPolicy } from '../manifests/backendOnlyPolicy.js';
import { deviceEnv } from '../manifests/containerEnv.js';
import { LABEL_PREFIX, labelValue, LABELS, MANAGED_BY, priorityClassName, specHash } from '../manifests/jobMetadata.js';
import { podPlacement } from '../manifests/podTemplate.js';
import { resourceRequirements } from '../manifests/resourceRequirements.js';
import { VOLUME_NAMES, workFolder, workVolumeMounts, workVolumes } from '../manifests/workVolumes.js';

/*
 * A service version on Kubernetes: a ConfigMap with its start script and requirements, and either
 * a Deployment with a ClusterIP Service in front (admitted by Kueue through the pod template's
 * queue and priority labels) or a KServe InferenceService with a custom predictor. The model folder
 * is mounted read-only at /data/model; only the backend's pods (the gateway) may reach the replicas.
 * Pure functions.
 */

export const SERVICE_LABEL = `${LABEL_PREFIX}/service`;
export const SERVICE_VERSION_LABEL = `${LABEL_PREFIX}/service-version`;
export const MODEL_MOUNT = '/data/model';
const SCRIPT_DIR = '/etc/aiplat';

export type ServingKind = 'deployment' | 'kserve';

export interface PipEnvironment {
  indexUrl?: string;
  extraIndexUrls: readonly string[];
  findLinks: readonly string[];
  trustedHosts: readonly string[];
  noIndex: boolean;
}

export interface ServiceManifestOptions {
  /** `manifestOptionsFor` with the version's object name as the job id. */
  base: ManifestOptions;
  serving: ServingKind;
  pip: PipEnvironment;
  backendNamespace?: string;
  stopGraceSeconds?: number;
}

type Probe =
  { httpGet: { path: string; port: number } } | { tcpSocket: { port: number } } | { exec: { command: string[] } };
type KubeProbe = Probe & {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
};

interface ServiceContainer {
  name: string;
  image: string;
  command: string[];
  workingDir: string;
  env: { name: string; value: string }[];
  ports: { name: string; containerPort: number; protocol: 'TCP' }[];
  readinessProbe: KubeProbe;
  startupProbe?: KubeProbe;
  livenessProbe?: KubeProbe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: VolumeMount[];
}

interface PodSpec {
  enableServiceLinks: false;
  terminationGracePeriodSeconds: number;
  volumes: Volume[];
  containers: ServiceContainer[];
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
}

export interface ServiceConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}
export interface ServiceDeployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec };
  };
}
export interface ServiceClusterService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP';
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string; protocol: 'TCP' }[];
  };
}
export interface InferenceService {
  apiVersion: 'serving.kserve.io/v1beta1';
  kind: 'InferenceService';
  metadata: ObjectMeta;
  spec: { predictor: { minReplicas: number; maxReplicas: number } & PodSpec };
}
export type ServiceObject =
  ServiceConfigMap | ServiceDeployment | ServiceClusterService | BackendOnlyPolicy | InferenceService;

/** The objects of one version: `svc-<name>-v<N>`. */
export function serviceObjectName(name: string, version: number): string {
  return `svc-${name}-v${version}`;
}

/** Where the gateway reaches a version's replicas on the Deployment path: its Service, in the cluster's DNS. */
export function serviceVersionHost(name: string, version: number, namespace: string): string {
  return `${serviceObjectName(name, version)}.${namespace}.svc`;
}

function probeOf(probe: ServiceProbe, port: number): KubeProbe {
  const target = probe.port ?? port;
  const how: Probe =
    probe.type === 'http'
      ? { httpGet: { path: probe.path ?? '/', port: target } }
      : probe.type === 'tcp'
        ? { tcpSocket: { port: target } }
        : { exec: { command: ['/bin/sh', '-c', probe.command ?? 'true'] } };
  return {
    ...how,
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
  };
}

/** pip's own environment variables for the operator's index (never a host of ours). */
export function pipEnv(pip: PipEnvironment): { name: string; value: string }[] {
  return [
    ...(pip.indexUrl ? [{ name: 'PIP_INDEX_URL', value: pip.indexUrl }] : []),
    ...(pip.extraIndexUrls.length ? [{ name: 'PIP_EXTRA_INDEX_URL', value: pip.extraIndexUrls.join(' ') }] : []),
    ...(pip.findLinks.length ? [{ name: 'PIP_FIND_LINKS', value: pip.findLinks.join(' ') }] : []),
    ...(pip.trustedHosts.length ? [{ name: 'PIP_TRUSTED_HOST', value: pip.trustedHosts.join(' ') }] : []),
    ...(pip.noIndex ? [{ name: 'PIP_NO_INDEX', value: '1' }] : []),
  ];
}

/** The start script: the requirements into a venv of the image's Python, then the user's command. */
const START_SCRIPT = `set -e
if [ -s ${SCRIPT_DIR}/requirements.txt ]; then
  python3 -m venv --system-site-packages /tmp/aiplat-venv
  . /tmp/aiplat-venv/bin/activate
  pip install --no-input -r ${SCRIPT_DIR}/requirements.txt
fi
exec /bin/sh ${SCRIPT_DIR}/command.sh
`;

export function serviceManifests(
  service: { name: string; owner: string; queue: string; priority: number },
  version: number,
  spec: ServiceVersionSpec,
  options: ServiceManifestOptions,
): ServiceObject[] {
  const { base } = options;
  const name = serviceObjectName(service.name, version);
  const identity = {
    [LABELS.managedBy]: MANAGED_BY,
    [SERVICE_LABEL]: labelValue(service.name),
    [SERVICE_VERSION_LABEL]: String(version),
    [LABELS.user]: labelValue(service.owner),
  };
  const annotations = {
    [SERVICE_LABEL]: service.name,
    [LABELS.user]: service.owner,
    [LABELS.specHash]: specHash(spec),
  };
  const meta = (labels: Record<string, string> = identity, objectName = name): ObjectMeta => ({
    name: objectName,
    namespace: base.namespace,
    labels,
    annotations,
  });
  const kueueLabels = {
    [LABELS.queueName]: base.localQueue ?? service.queue,
    [LABELS.priorityClass]: priorityClassName(service.priority),
  };
  const model = workFolder(spec.model, base);
  const code = spec.code ? workFolder(spec.code, base) : undefined;
  const volumes: Volume[] = [
    ...workVolumes(base).filter((volume) => volume.name !== VOLUME_NAMES.hyperparameters),
    {
      name: 'aiplat-start',
      configMap: {
        name,
        items: ['start.sh', 'command.sh', 'requirements.txt'].map((key) => ({ key, path: key })),
      },
    },
  ];
  const volumeMounts: VolumeMount[] = [
    ...workVolumeMounts(base).filter((mount) => mount.name !== VOLUME_NAMES.hyperparameters),
    {
      name: model.volume,
      mountPath: MODEL_MOUNT,
      readOnly: true,
      ...(model.subPath ? { subPath: model.subPath } : {}),
    },
    { name: 'aiplat-start', mountPath: SCRIPT_DIR, readOnly: true },
  ];
  const container: ServiceContainer = {
    name: 'server',
    image: requireServiceImage(spec, base),
    command: ['/bin/sh', `${SCRIPT_DIR}/start.sh`],
    workingDir: code ? code.containerPath : MODEL_MOUNT,
    env: [
      ...Object.entries(spec.env).map(([envName, value]) => ({ name: envName, value })),
      ...(deviceEnv(spec.resources) as { name: string; value: string }[]),
      ...pipEnv(options.pip),
      { name: 'PORT', value: String(spec.port) },
      { name: 'MODEL_DIR', value: MODEL_MOUNT },
      { name: 'AIPLAT_SERVICE', value: service.name },
      { name: 'AIPLAT_SERVICE_VERSION', value: String(version) },
    ],
    ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
    readinessProbe: probeOf(
      spec.probes.readiness ?? {
        type: 'tcp',
        initialDelaySeconds: 0,
        periodSeconds: 2,
        timeoutSeconds: 1,
        failureThreshold: 1,
      },
      spec.port,
    ),
    ...(spec.probes.startup ? { startupProbe: probeOf(spec.probes.startup, spec.port) } : {}),
    ...(spec.probes.liveness ? { livenessProbe: probeOf(spec.probes.liveness, spec.port) } : {}),
    resources: asStrings(resourceRequirements(spec.resources, base.resourceNames)),
    volumeMounts,
  };
  const pod: PodSpec = {
    ...(podPlacement(base) as Pick<PodSpec, 'nodeSelector' | 'tolerations'>),
    enableServiceLinks: false,
    terminationGracePeriodSeconds: options.stopGraceSeconds ?? 10,
    volumes,
    containers: [container],
  };
  const configMap: ServiceConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(),
    data: { 'start.sh': START_SCRIPT, 'command.sh': spec.command, 'requirements.txt': spec.requirements ?? '' },
  };
  const policy = backendOnlyPolicy(meta(), identity, ['http'], options.backendNamespace);
  if (options.serving === 'kserve') {
    const inference: InferenceService = {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        ...meta({ ...identity, ...kueueLabels }),
        annotations: { ...annotations, 'serving.kserve.io/deploymentMode': 'RawDeployment' },
      },
      spec: { predictor: { minReplicas: spec.replicas, maxReplicas: spec.replicas, ...pod } },
    };
    return [configMap, policy, inference];
  }
  const deployment: ServiceDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta({ ...identity, ...kueueLabels }),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: identity },
      template: { metadata: { labels: { ...identity, ...kueueLabels }, annotations }, spec: pod },
    },
  };
  const clusterService: ServiceClusterService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(),
    spec: {
      type: 'ClusterIP',
      selector: identity,
      ports: [{ name: 'http', port: spec.port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  return [configMap, clusterService, policy, deployment];
}

function requireServiceImage(spec: ServiceVersionSpec, base: ManifestOptions): string {
  const image = spec.image ?? base.defaultImage;
  if (!image) throw new Error('version.image is required on the Kubernetes engine (or set kubernetes.defaultImage)');
  return image;
}

function asStrings(requirements: { requests: Record<string, Quantity>; limits: Record<string, Quantity> }) {
  const strings = (values: Record<string, Quantity>) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
  return { requests: strings(requirements.requests), limits: strings(requirements.limits) };
}
