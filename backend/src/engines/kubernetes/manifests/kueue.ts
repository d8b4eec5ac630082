import type { KubernetesConfig, QueuePolicy } from '../config.js';
import { DEFAULT_RESOURCE_NAMES, type KubeObject, type Quantity } from './common.js';
import { LABELS, MANAGED_BY, priorityClassName } from './jobMetadata.js';

/*
 * The Kueue objects an operator applies once (`aiplat kubernetes setup | kubectl apply -f -`) so the
 * jobs the builders label can be admitted: a WorkloadPriorityClass per priority, a ClusterQueue and
 * a LocalQueue per configured queue, and one ResourceFlavor their quotas are in. Kueue v1beta2.
 */

export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';
/** The one flavor every quota is in (Kueue's own examples call it this). */
export const DEFAULT_FLAVOR = 'default-flavor';
export const PRIORITIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** P0 is the highest priority: p0 1000, p1 900 ... p9 100. */
export function priorityValue(priority: number): number {
  return 1000 - 100 * priority;
}

/** How a TI-ONE queue policy queues in Kueue (see the operator guide's table). */
export function queueingFor(policy: QueuePolicy): {
  queueingStrategy: 'StrictFIFO' | 'BestEffortFIFO';
  preemption?: { withinClusterQueue: 'LowerPriority' };
} {
  switch (policy) {
    case 0:
      return { queueingStrategy: 'StrictFIFO' };
    case 1:
      return { queueingStrategy: 'BestEffortFIFO' };
    case 2:
      return { queueingStrategy: 'BestEffortFIFO', preemption: { withinClusterQueue: 'LowerPriority' } };
  }
}

/**
 * Placeholder quotas per ClusterQueue, for a resource the caller gives none: 100 cores, 1000Gi, 8
 * devices of each accelerator, and 800 (8 × 100 %) of HAMi's per-GPU percentages. Operators size
 * them to the nodes the queue really has (`--quota name=value`).
 */
export const PLACEHOLDER_QUOTAS: Readonly<Record<string, Quantity>> = {
  cpu: 100,
  memory: '1000Gi',
};
const PLACEHOLDER_DEVICES = 8;

export interface KueueSetupOptions {
  /** Namespaces that get a LocalQueue per queue; the config's namespace when it has no `{user}`. */
  namespaces?: readonly string[];
  /** Nominal quota per resource name in every ClusterQueue (e.g. `{ 'nvidia.com/gpu': 16 }`). */
  quotas?: Readonly<Record<string, Quantity>>;
}

function meta(name: string, namespace?: string): KubeObject['metadata'] {
  return { name, ...(namespace === undefined ? {} : { namespace }), labels: { [LABELS.managedBy]: MANAGED_BY } };
}

interface ClusterQueuePlan {
  name: string;
  policy: QueuePolicy;
  /** Who asked for it, for the error when two queues disagree on its policy. */
  queue: string;
  /** Each covered resource with its placeholder quota. */
  resources: Map<string, Quantity>;
}

/** One plan per ClusterQueue; several queues may share one if they agree on its policy. */
function clusterQueuePlans(config: KubernetesConfig): ClusterQueuePlan[] {
  const plans = new Map<string, ClusterQueuePlan>();
  for (const [queueName, queue] of Object.entries(config.queues)) {
    const name = queue.clusterQueue ?? queueName;
    const names = { ...DEFAULT_RESOURCE_NAMES, ...config.resourceNames, ...queue.resourceNames };
    let plan = plans.get(name);
    if (!plan) {
      plan = { name, policy: queue.policy, queue: queueName, resources: new Map(Object.entries(PLACEHOLDER_QUOTAS)) };
      plans.set(name, plan);
    } else if (plan.policy !== queue.policy) {
      throw new Error(
        `queues ${plan.queue} and ${queueName} share ClusterQueue ${name} but have policies ${plan.policy} and ${queue.policy}; give them the same policy or their own clusterQueue`,
      );
    }
    for (const device of [names.nvidiaGpu, names.ascendNpu]) plan.resources.set(device, PLACEHOLDER_DEVICES);
    for (const percent of [names.gpuCores, names.gpuMemoryPercentage]) {
      plan.resources.set(percent, PLACEHOLDER_DEVICES * 100);
    }
  }
  return [...plans.values()];
}

/** The namespaces that get LocalQueues. */
function localQueueNamespaces(config: KubernetesConfig, options: KueueSetupOptions): readonly string[] {
  if (options.namespaces && options.namespaces.length > 0) return options.namespaces;
  if (!config.namespace.includes('{user}')) return [config.namespace];
  throw new Error(
    `kubernetes.namespace is ${config.namespace}, one namespace per user: name the namespaces to set up queues in`,
  );
}

/** Every object, in the order to apply them: flavor, priority classes, ClusterQueues, LocalQueues. */
export function kueueSetup(config: KubernetesConfig, options: KueueSetupOptions = {}): KubeObject[] {
  const namespaces = localQueueNamespaces(config, options);
  const plans = clusterQueuePlans(config);
  const flavor = { apiVersion: KUEUE_API_VERSION, kind: 'ResourceFlavor', metadata: meta(DEFAULT_FLAVOR), spec: {} };
  const priorityClasses = PRIORITIES.map((priority) => ({
    apiVersion: KUEUE_API_VERSION,
    kind: 'WorkloadPriorityClass',
    metadata: meta(priorityClassName(priority)),
    value: priorityValue(priority),
    description: `aiplat priority P${priority}${priority === 0 ? ' (the highest)' : priority === 9 ? ' (the lowest)' : ''}`,
  }));
  const clusterQueues = plans.map((plan) => {
    const covered = [...plan.resources.keys()];
    return {
      apiVersion: KUEUE_API_VERSION,
      kind: 'ClusterQueue',
      metadata: meta(plan.name),
      spec: {
        // Null would admit no namespace at all; every namespace may use the queue.
        namespaceSelector: {},
        ...queueingFor(plan.policy),
        resourceGroups: [
          {
            coveredResources: covered,
            flavors: [
              {
                name: DEFAULT_FLAVOR,
                resources: covered.map((name) => ({
                  name,
                  nominalQuota: options.quotas?.[name] ?? plan.resources.get(name) ?? 0,
                })),
              },
            ],
          },
        ],
      },
    };
  });
  const localQueues = namespaces.flatMap((namespace) =>
    Object.entries(config.queues).map(([queueName, queue]) => ({
      apiVersion: KUEUE_API_VERSION,
      kind: 'LocalQueue',
      metadata: meta(queue.localQueue ?? queueName, namespace),
      spec: { clusterQueue: queue.clusterQueue ?? queueName },
    })),
  );
  return [flavor, ...priorityClasses, ...clusterQueues, ...localQueues];
}
