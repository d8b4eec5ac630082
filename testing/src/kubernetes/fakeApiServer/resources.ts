/*
 * The resource types the fake API server can serve: what discovery lists and what the REST paths
 * resolve to. Names, scopes and subresources are those of the real API server and of the CRD files
 * in ../crds (WorkloadPriorityClass has no /status subresource there, so none here).
 */

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Served with a `/status` subresource: the main resource ignores status, /status ignores the rest. */
  hasStatus: boolean;
  /** Served only for `get` and `list` (metrics). */
  readOnly: boolean;
  /** A built-in kind (list items then omit apiVersion and kind, as the real server's do). */
  builtIn: boolean;
  /** A DELETE answers with the deleted object (pods, namespaces, custom resources), else a Status. */
  deleteReturnsObject: boolean;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** `pods`, `trainjobs.trainer.kubeflow.org`: how the real server names a resource in messages. */
export function groupResourceOf(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** `ConfigMap`, `TrainJob.trainer.kubeflow.org`: how the real server names a kind in 422 messages. */
export function groupKindOf(type: ResourceType): string {
  return type.group === '' ? type.kind : `${type.kind}.${type.group}`;
}

type Entry = Pick<ResourceType, 'group' | 'version' | 'plural' | 'kind'> & Partial<ResourceType>;

function resource(entry: Entry): ResourceType {
  const builtIn = entry.builtIn ?? entry.group === '';
  return {
    singular: entry.kind.toLowerCase(),
    namespaced: true,
    hasStatus: !builtIn,
    readOnly: false,
    deleteReturnsObject: !builtIn,
    ...entry,
    builtIn,
  };
}

const CORE = { group: '', version: 'v1' };
const KUEUE = { group: 'kueue.x-k8s.io', version: 'v1beta2' };

export const METRICS_GROUP = 'metrics.k8s.io';

/** Every type the fake knows, in discovery order. */
export const ALL_RESOURCE_TYPES: readonly ResourceType[] = [
  resource({ ...CORE, plural: 'pods', kind: 'Pod', hasStatus: true, deleteReturnsObject: true }),
  resource({ ...CORE, plural: 'configmaps', kind: 'ConfigMap' }),
  resource({ ...CORE, plural: 'secrets', kind: 'Secret' }),
  resource({ ...CORE, plural: 'services', kind: 'Service', hasStatus: true }),
  resource({ ...CORE, plural: 'events', kind: 'Event' }),
  resource({
    ...CORE,
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    hasStatus: true,
    deleteReturnsObject: true,
  }),
  resource({
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    kind: 'StatefulSet',
    builtIn: true,
    hasStatus: true,
    deleteReturnsObject: false,
  }),
  resource({
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    builtIn: true,
    hasStatus: true,
    deleteReturnsObject: false,
  }),
  resource({
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    kind: 'NetworkPolicy',
    builtIn: true,
    hasStatus: false,
    deleteReturnsObject: false,
  }),
  resource({ group: 'trainer.kubeflow.org', version: 'v1alpha1', plural: 'trainjobs', kind: 'TrainJob' }),
  resource({ group: 'kubeflow.org', version: 'v2beta1', plural: 'mpijobs', kind: 'MPIJob' }),
  resource({ group: 'jobset.x-k8s.io', version: 'v1alpha2', plural: 'jobsets', kind: 'JobSet' }),
  resource({ group: 'ray.io', version: 'v1', plural: 'rayjobs', kind: 'RayJob' }),
  resource({ group: 'tensorboard.kubeflow.org', version: 'v1alpha1', plural: 'tensorboards', kind: 'Tensorboard' }),
  resource({ group: 'serving.kserve.io', version: 'v1beta1', plural: 'inferenceservices', kind: 'InferenceService' }),
  resource({ ...KUEUE, plural: 'workloads', kind: 'Workload' }),
  resource({ ...KUEUE, plural: 'localqueues', kind: 'LocalQueue' }),
  resource({ ...KUEUE, plural: 'clusterqueues', kind: 'ClusterQueue', namespaced: false }),
  resource({
    ...KUEUE,
    plural: 'workloadpriorityclasses',
    kind: 'WorkloadPriorityClass',
    namespaced: false,
    hasStatus: false,
  }),
  resource({
    group: METRICS_GROUP,
    version: 'v1beta1',
    plural: 'pods',
    kind: 'PodMetrics',
    singular: '',
    hasStatus: false,
    readOnly: true,
    builtIn: true,
  }),
];

export interface ResourceSelection {
  /**
   * Groups (`kueue.x-k8s.io`) or resources (`trainjobs.trainer.kubeflow.org`, `configmaps`) not to
   * serve, as on a cluster where that CRD is not installed. A group left with no resource is absent.
   */
  leaveOut?: string[];
  /** Serve `metrics.k8s.io/v1beta1` pods (PodMetrics), as a cluster with metrics-server does. */
  podMetrics?: boolean;
}

/** The types served under `selection`, with lookups by path and by apiVersion + kind. */
export class ResourceTypes {
  readonly served: readonly ResourceType[];

  constructor(selection: ResourceSelection = {}) {
    const leaveOut = new Set(selection.leaveOut ?? []);
    this.served = ALL_RESOURCE_TYPES.filter(
      (type) =>
        !leaveOut.has(type.group) &&
        !leaveOut.has(groupResourceOf(type)) &&
        (type.group !== METRICS_GROUP || selection.podMetrics === true),
    );
  }

  /** The served groups other than core, each with its one served version. */
  groups(): { name: string; version: string }[] {
    const seen = new Map<string, string>();
    for (const type of this.served) if (type.group !== '' && !seen.has(type.group)) seen.set(type.group, type.version);
    return [...seen].map(([name, version]) => ({ name, version }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.served.filter((type) => type.group === group && type.version === version);
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.served.find((type) => type.group === group && type.version === version && type.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.served.find((type) => apiVersionOf(type) === apiVersion && type.kind === kind);
  }
}
