import type { ServiceVersionSpec } from '@aiplat/api';
import { backendOnlyPolicy, type BackendOnlyPolicy } from '../manifests/backendOnlyPolicy.js';
import { clusterIpService, type ClusterIpService } from '../manifests/clusterIpService.js';
import type { ManifestOptions, ObjectMeta, Quantity, Volume, VolumeMount } from '../manifests/common.js';
import { deviceEnv } from '../manifests/containerEnv.js';
import { LABEL_PREFIX, labelValue, LABELS, MANAGED_BY, priorityClassName, specHash } from '../manifests/jobMetadata.js';
import { podPlacement } from '../manifests/podTemplate.js';
import { resourceRequirements } from '../manifests/resourceRequirements.js';
import { VOLUME_NAMES, workFolder, workVolumeMounts, workVolumes } from '../manifests/workVolumes.js';
import {
  containerProbes,
  MODEL_MOUNT,
  pipEnv,
  serviceEnv,
  type ContainerEnv,
  type KubeProbe,
  type PipEnvironment,
  type PlainEnv,
} from './serviceContainer.js';
import { START_COMMAND, START_DIR, START_FILE_NAMES, startFiles } from '../../../services/replicaContainer.js';

/*
 * A service version on Kubernetes: a ConfigMap with its start script and requirements, and either
 * a Deployment with a ClusterIP Service in front (admitted by Kueue through the pod template's
 * queue and priority labels) or a KServe InferenceService with a custom predictor. The model folder
 * is mounted read-only at /data/model; only the backend's pods (the gateway) may reach the replicas.
 * Pure functions.
 */

export const SERVICE_LABEL = `${LABEL_PREFIX}/service`;
export const SERVICE_VERSION_LABEL = `${LABEL_PREFIX}/service-version`;
/** The annotation `kubectl rollout restart` sets on a pod template: a new value rolls the pods over. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
/** KServe finds a custom predictor's serving container by this name. */
export const KSERVE_CONTAINER = 'kserve-container';
export { MODEL_MOUNT, type PipEnvironment };

export type ServingKind = 'deployment' | 'kserve';

export interface ServiceManifestOptions {
  /** `manifestOptionsFor` with the version's object name as the job id. */
  base: ManifestOptions;
  serving: ServingKind;
  pip: PipEnvironment;
  backendNamespace?: string;
  stopGraceSeconds?: number;
}

/** A version that cannot run on Kubernetes, with the field of the version spec to fix. */
export class ServiceManifestError extends Error {
  constructor(
    readonly field: 'image' | 'resources',
    message: string,
  ) {
    super(message);
  }
}

interface ServiceContainer {
  name: string;
  image: string;
  command: string[];
  workingDir: string;
  env: ContainerEnv[];
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
/** Only when pip's settings carry a password: those variables, by name. */
export interface ServiceSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: 'Opaque';
  stringData: Record<string, string>;
}
export interface ServiceDeployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    strategy: { type: 'RollingUpdate'; rollingUpdate: { maxSurge: number; maxUnavailable: number } };
    template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec };
  };
}
/** The version's Service in front of its replicas. */
export type ServiceClusterService = ClusterIpService;
export interface InferenceService {
  apiVersion: 'serving.kserve.io/v1beta1';
  kind: 'InferenceService';
  metadata: ObjectMeta;
  spec: {
    predictor: {
      minReplicas: number;
      maxReplicas: number;
      /** Put on the predictor's pods: how the engine and the NetworkPolicy find them, and Kueue's queue. */
      labels: Record<string, string>;
      annotations: Record<string, string>;
    } & PodSpec;
  };
}
export type ServiceObject =
  ServiceConfigMap | ServiceSecret | ServiceDeployment | ServiceClusterService | BackendOnlyPolicy | InferenceService;
export type ServiceWorkload = ServiceDeployment | InferenceService;

/** The objects of one version: `svc-<name>-v<N>`. */
export function serviceObjectName(name: string, version: number): string {
  return `svc-${name}-v${version}`;
}

/** Where the gateway reaches a version's replicas on the Deployment path: its Service, in the cluster's DNS. */
export function serviceVersionHost(name: string, version: number, namespace: string): string {
  return `${serviceObjectName(name, version)}.${namespace}.svc`;
}

/** KServe's raw deployment mode puts a Service `<isvc>-predictor` on port 80 in front of the predictor. */
export function inferenceServiceHost(name: string, version: number, namespace: string): string {
  return `${serviceObjectName(name, version)}-predictor.${namespace}.svc`;
}
export const KSERVE_SERVICE_PORT = 80;

/** The label selector of a version's pods (whichever object made them). */
export function versionPodSelector(name: string, version: number): string {
  return `${SERVICE_LABEL}=${labelValue(name)},${SERVICE_VERSION_LABEL}=${version}`;
}

/**
 * The objects of one version, in the order they are created: ConfigMap, Secret (only when pip's
 * settings carry a password), then either Service, NetworkPolicy and Deployment, or NetworkPolicy
 * and InferenceService. Throws ServiceManifestError for a version Kubernetes cannot run.
 */
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
  const meta = (labels: Record<string, string> = identity): ObjectMeta => ({
    name,
    namespace: base.namespace,
    labels,
    annotations,
  });
  // Kueue's Deployment integration reads the queue and priority on the Deployment; its pod
  // integration (and KServe's pods) on each pod: both carry them.
  const kueueLabels = {
    [LABELS.queueName]: base.localQueue ?? service.queue,
    [LABELS.priorityClass]: priorityClassName(service.priority),
  };
  const podLabels = { ...identity, ...kueueLabels };
  const pip = pipEnv(options.pip);
  const pod: PodSpec = {
    ...(podPlacement(base) as Pick<PodSpec, 'nodeSelector' | 'tolerations'>),
    enableServiceLinks: false,
    terminationGracePeriodSeconds: options.stopGraceSeconds ?? 10,
    volumes: podVolumes(name, base),
    containers: [
      {
        name: options.serving === 'kserve' ? KSERVE_CONTAINER : 'server',
        image: requireServiceImage(spec, base),
        command: START_COMMAND,
        workingDir: spec.code ? workFolder(spec.code, base).containerPath : MODEL_MOUNT,
        env: serviceEnv({ service: service.name, version, secretName: name }, spec, {
          deviceEnv: deviceEnv(spec.resources) as PlainEnv[],
          pip: options.pip,
        }),
        ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
        ...containerProbes(spec),
        resources: serviceResources(spec, base),
        volumeMounts: containerMounts(spec, base),
      },
    ],
  };
  const configMap: ServiceConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(),
    data: startFiles(spec),
  };
  const secrets: ServiceSecret[] = pip.secret.length
    ? [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: meta(),
          type: 'Opaque',
          stringData: Object.fromEntries(pip.secret.map((env) => [env.name, env.value])),
        },
      ]
    : [];
  const policy = backendOnlyPolicy(meta(), identity, ['http'], options.backendNamespace);
  if (options.serving === 'kserve') {
    const inference: InferenceService = {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        ...meta(podLabels),
        // A Deployment and a Service, no Knative. KServe 0.17 renamed the mode Standard and still takes
        // RawDeployment (turning it into Standard); releases before 0.17 know only RawDeployment.
        annotations: { ...annotations, 'serving.kserve.io/deploymentMode': 'RawDeployment' },
      },
      spec: {
        predictor: {
          minReplicas: spec.replicas,
          maxReplicas: spec.replicas,
          labels: podLabels,
          annotations: { ...annotations },
          ...pod,
        },
      },
    };
    return [configMap, ...secrets, policy, inference];
  }
  const deployment: ServiceDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(podLabels),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: identity },
      // A rolling restart or a pod template change replaces one pod at a time, each new one ready
      // before an old one goes: the version keeps its ready replicas throughout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels: podLabels, annotations: { ...annotations } }, spec: pod },
    },
  };
  const clusterService = clusterIpService(meta(), identity, [{ name: 'http', port: spec.port, targetPort: 'http' }]);
  return [configMap, ...secrets, clusterService, policy, deployment];
}

/** The work volumes (no hyperparameters ConfigMap: that is jobs') and the version's start ConfigMap. */
function podVolumes(name: string, base: ManifestOptions): Volume[] {
  return [
    ...workVolumes(base).filter((volume) => volume.name !== VOLUME_NAMES.hyperparameters),
    {
      name: 'aiplat-start',
      configMap: {
        name,
        items: START_FILE_NAMES.map((key) => ({ key, path: key })),
      },
    },
  ];
}

/** /work as jobs see it (the code folder is there), the model read-only at /data/model, the start script. */
function containerMounts(spec: ServiceVersionSpec, base: ManifestOptions): VolumeMount[] {
  const model = workFolder(spec.model, base);
  return [
    ...workVolumeMounts(base).filter((mount) => mount.name !== VOLUME_NAMES.hyperparameters),
    {
      name: model.volume,
      mountPath: MODEL_MOUNT,
      readOnly: true,
      ...(model.subPath ? { subPath: model.subPath } : {}),
    },
    { name: 'aiplat-start', mountPath: START_DIR, readOnly: true },
  ];
}

function requireServiceImage(spec: ServiceVersionSpec, base: ManifestOptions): string {
  const image = spec.image ?? base.defaultImage;
  if (!image) {
    throw new ServiceManifestError(
      'image',
      'version.image is required on the Kubernetes engine (or set kubernetes.defaultImage)',
    );
  }
  return image;
}

/** Requests and limits as jobs have them (a GPU share through HAMi), quantities as strings. */
export function serviceResources(
  spec: Pick<ServiceVersionSpec, 'resources'>,
  base: Pick<ManifestOptions, 'resourceNames'>,
): { requests: Record<string, string>; limits: Record<string, string> } {
  let requirements: { requests: Record<string, Quantity>; limits: Record<string, Quantity> };
  try {
    requirements = resourceRequirements(spec.resources, base.resourceNames);
  } catch (error) {
    throw new ServiceManifestError('resources', (error as Error).message);
  }
  const strings = (values: Record<string, Quantity>) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
  return { requests: strings(requirements.requests), limits: strings(requirements.limits) };
}
