import type { ObjectMeta, VolumeMount } from '../manifests/common.js';
import { backendOnlyPolicy, type BackendOnlyPolicy } from '../manifests/backendOnlyPolicy.js';
import { clusterIpService, type ClusterIpService } from '../manifests/clusterIpService.js';
import { LABEL_PREFIX, labelValue, LABELS, MANAGED_BY, objectName } from '../manifests/jobMetadata.js';
import { workFolder } from '../manifests/workVolumes.js';

/*
 * A TensorBoard on Kubernetes, over the folder of /work it shows (a subPath of the user's claim,
 * read-only). Where the cluster serves Kubeflow's `Tensorboard` resource, that: its controller makes
 * a Deployment and a Service of the same name (port 80 to TensorBoard's 6006, pods labelled
 * `app: <name>`) serving TensorBoard at its root. Otherwise the same Deployment and Service made
 * here. Either way a NetworkPolicy lets only the backend reach it, since TensorBoard has no login;
 * the backend's proxy serves it at `/tensorboard/<id>/` with the prefix taken off. Pure functions.
 */

export const TENSORBOARD_LABEL = `${LABEL_PREFIX}/tensorboard`;
export const TENSORBOARD_RESOURCE = { apiVersion: 'tensorboard.kubeflow.org/v1alpha1', kind: 'Tensorboard' } as const;
export const TENSORBOARD_PORT = 6006;
/** The Service's port, as Kubeflow's controller makes it. */
export const SERVICE_PORT = 80;
const LOGS_MOUNT = '/tensorboard_logs';

export interface TensorBoardManifestInput {
  /** `tb-…`, a DNS label: the name of every object. */
  id: string;
  user: string;
  /** The folder it shows, as the API names it for its owner (`home/summaries/<job id>`). */
  path: string;
  namespace: string;
  claims: { home: string; cache: string; mount: string };
  /** The image of the Deployment made here (not Kubeflow's, which its controller's config names). */
  image: string;
  backendNamespace?: string;
}

export interface KubeflowTensorboard {
  apiVersion: typeof TENSORBOARD_RESOURCE.apiVersion;
  kind: typeof TENSORBOARD_RESOURCE.kind;
  metadata: ObjectMeta;
  spec: { logspath: string };
}

/** TensorBoard's Service in front of its pod. */
export type TensorBoardService = ClusterIpService;

export interface TensorBoardDeployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: {
    replicas: 1;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        enableServiceLinks: false;
        volumes: { name: string; persistentVolumeClaim: { claimName: string } }[];
        containers: {
          name: 'tensorboard';
          image: string;
          command: string[];
          args: string[];
          ports: { containerPort: number; protocol: 'TCP' }[];
          readinessProbe: { httpGet: { path: string; port: number }; periodSeconds: number };
          resources: { requests: Record<string, string>; limits: Record<string, string> };
          volumeMounts: VolumeMount[];
        }[];
      };
    };
  };
}

export type TensorBoardObject = KubeflowTensorboard | TensorBoardService | TensorBoardDeployment | BackendOnlyPolicy;

function identity(input: TensorBoardManifestInput): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [TENSORBOARD_LABEL]: labelValue(input.id),
    [LABELS.user]: labelValue(input.user),
  };
}

function metadata(input: TensorBoardManifestInput, labels = identity(input)): ObjectMeta {
  return {
    name: objectName(input.id),
    namespace: input.namespace,
    labels,
    annotations: { [TENSORBOARD_LABEL]: input.id, [LABELS.user]: input.user, [`${LABEL_PREFIX}/path`]: input.path },
  };
}

/** The label Kubeflow's controller (and the Deployment made here) puts on TensorBoard's pods. */
export function tensorBoardPodLabels(id: string): Record<string, string> {
  return { app: objectName(id) };
}

/** Kubeflow's resource for the folder: `pvc://<claim>/<path in the claim>`. */
export function kubeflowTensorboard(input: TensorBoardManifestInput): KubeflowTensorboard {
  const folder = workFolder(input.path, input);
  return {
    ...TENSORBOARD_RESOURCE,
    metadata: metadata(input),
    spec: { logspath: `pvc://${folder.claim}/${folder.subPath}` },
  };
}

/** What Kubeflow's controller would make, made here: a Deployment running TensorBoard and its Service. */
export function tensorboardDeployment(input: TensorBoardManifestInput): [TensorBoardService, TensorBoardDeployment] {
  const folder = workFolder(input.path, input);
  const pods = { ...identity(input), ...tensorBoardPodLabels(input.id) };
  const service = clusterIpService(metadata(input), tensorBoardPodLabels(input.id), [
    { name: 'http', port: SERVICE_PORT, targetPort: TENSORBOARD_PORT },
  ]);
  const deployment: TensorBoardDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(input),
    spec: {
      replicas: 1,
      selector: { matchLabels: tensorBoardPodLabels(input.id) },
      template: {
        metadata: { labels: pods },
        spec: {
          enableServiceLinks: false,
          // Read-only where it is mounted, as Kubeflow's controller does: the kubelet can still make a missing subPath.
          volumes: [{ name: 'logs', persistentVolumeClaim: { claimName: folder.claim } }],
          containers: [
            {
              name: 'tensorboard',
              image: input.image,
              command: ['tensorboard'],
              args: [`--logdir=${LOGS_MOUNT}`, '--bind_all', `--port=${TENSORBOARD_PORT}`],
              ports: [{ containerPort: TENSORBOARD_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/', port: TENSORBOARD_PORT }, periodSeconds: 2 },
              resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } },
              volumeMounts: [
                {
                  name: 'logs',
                  mountPath: LOGS_MOUNT,
                  readOnly: true,
                  ...(folder.subPath ? { subPath: folder.subPath } : {}),
                },
              ],
            },
          ],
        },
      },
    },
  };
  return [service, deployment];
}

/** Only the backend reaches TensorBoard's pods (it has no login of its own). */
export function tensorboardNetworkPolicy(input: TensorBoardManifestInput): BackendOnlyPolicy {
  return backendOnlyPolicy(metadata(input), tensorBoardPodLabels(input.id), [TENSORBOARD_PORT], input.backendNamespace);
}

/** Every object of a TensorBoard, in creation order: Kubeflow's resource when served, else the Deployment and Service. */
export function tensorboardManifests(input: TensorBoardManifestInput, kubeflow: boolean): TensorBoardObject[] {
  return [tensorboardNetworkPolicy(input), ...(kubeflow ? [kubeflowTensorboard(input)] : tensorboardDeployment(input))];
}

/** Where the proxy reaches it: the Service, in the cluster's DNS. */
export function tensorboardServiceHost(id: string, namespace: string): string {
  return `${objectName(id)}.${namespace}.svc`;
}
