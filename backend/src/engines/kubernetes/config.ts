import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiError, type JobInput } from '@aiplat/api';
import type { ManifestOptions, ResourceNames } from './manifests/common.js';

/*
 * The `kubernetes` section of the backend config: where the cluster is, the namespace and claims of
 * each user, and per queue the Kueue queues, the TI-ONE queue policy and where its pods may run.
 * `manifestOptionsFor` turns it into what the manifest builders take for one job.
 */

/** Stands for the user's name in `namespace` and the claim names. */
export const USER_PLACEHOLDER = '{user}';

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** A resource name with a domain prefix, like `nvidia.com/gpu` or `huawei.com/Ascend910`. */
const EXTENDED_RESOURCE = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

/** The longest `userNamePart`: a 32-character user name, `-` and a 6-character hash. */
const LONGEST_USER_PART = 'u'.repeat(32 + 1 + 6);

/** A name template: valid once `{user}` is replaced by any user's name (checked with the longest). */
function nameTemplate(what: string, pattern: RegExp, rule: string) {
  return z
    .string()
    .min(1)
    .refine((template) => pattern.test(template.replaceAll(USER_PLACEHOLDER, LONGEST_USER_PART)), {
      message: `${what} must be a ${rule} once ${USER_PLACEHOLDER} is replaced by a user name`,
    });
}

const dnsName = (what: string) =>
  z.string().regex(DNS_SUBDOMAIN, `${what} must be lowercase letters, digits, - and ., like aiplat-default`);

export const ResourceNamesSchema = z
  .strictObject({
    nvidiaGpu: z.string(),
    gpuCores: z.string(),
    gpuMemoryPercentage: z.string(),
    ascendNpu: z.string(),
  })
  .partial()
  .superRefine((names, ctx) => {
    for (const [key, name] of Object.entries(names)) {
      if (!EXTENDED_RESOURCE.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: name,
          message: `${JSON.stringify(name)} is not a device plugin resource name like nvidia.com/gpu`,
        });
      }
    }
  }) satisfies z.ZodType<Partial<ResourceNames>>;

export const TolerationSchema = z.strictObject({
  key: z.string().regex(LABEL_KEY, 'a toleration key is a label key, like nvidia.com/gpu').optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().regex(LABEL_VALUE, 'a toleration value is a label value').optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

/** TI-ONE queue policies: 0 strict FIFO, 1 FIFO that lets smaller jobs pass, 2 as 1 with preemption. */
export const QueuePolicySchema = z.union([z.literal(0), z.literal(1), z.literal(2)]);
export type QueuePolicy = z.infer<typeof QueuePolicySchema>;

export const KubernetesQueueSchema = z.strictObject({
  /** The Kueue LocalQueue jobs of this queue go to; the queue's name when unset. */
  localQueue: dnsName('localQueue').optional(),
  /** The Kueue ClusterQueue behind it (for `aiplat kubernetes setup`); the queue's name when unset. */
  clusterQueue: dnsName('clusterQueue').optional(),
  policy: QueuePolicySchema.default(1),
  /** Node labels every pod of the queue requires. */
  nodeSelector: z
    .record(
      z.string().regex(LABEL_KEY, 'node selector keys are label keys, like node.kubernetes.io/instance-type'),
      z.string().regex(LABEL_VALUE, 'node selector values are label values'),
    )
    .default({}),
  /** Taints every pod of the queue tolerates. */
  tolerations: z.array(TolerationSchema).default([]),
  /** Overrides the engine-wide resource names for this queue's nodes. */
  resourceNames: ResourceNamesSchema.optional(),
});
export type KubernetesQueue = z.infer<typeof KubernetesQueueSchema>;

export const KubernetesConfigSchema = z.strictObject({
  /** Also run the Kubernetes engine when `engine` is `local` (jobs choose it with `engine: kubernetes`). */
  enabled: z.boolean().default(false),
  /** A kubeconfig file; unset: in-cluster service account, then KUBECONFIG, then ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  /** The kubeconfig context; unset: its current context. */
  context: z.string().min(1).optional(),
  /** The namespace of a user's jobs; `{user}` makes one namespace per user. */
  namespace: nameTemplate('namespace', DNS_LABEL, 'DNS label (at most 63 lowercase letters, digits and -)').default(
    `aiplat-${USER_PLACEHOLDER}`,
  ),
  /** PersistentVolumeClaims in that namespace for /work/home/<user>, /work/cache and /work/mount (read-only). */
  claims: z
    .strictObject({
      home: nameTemplate('claims.home', DNS_SUBDOMAIN, 'DNS name').default(`aiplat-home-${USER_PLACEHOLDER}`),
      cache: nameTemplate('claims.cache', DNS_SUBDOMAIN, 'DNS name').default('aiplat-cache'),
      mount: nameTemplate('claims.mount', DNS_SUBDOMAIN, 'DNS name').default('aiplat-mount'),
    })
    .prefault({}),
  /** The image of jobs that name none (MPI, PS-Worker and Ray jobs need one). */
  defaultImage: z.string().regex(/^\S+$/, 'defaultImage is one image reference without spaces').optional(),
  /** The backend's URL as pods reach it (http://aiplat.aiplat-system.svc:8080): dev machines' extensions and CLI connect there. */
  platformUrl: z
    .url({ message: 'platformUrl is the URL pods reach the platform at, like http://aiplat.aiplat-system.svc:8080' })
    .optional(),
  /** Where the backend runs: only its pods (app.kubernetes.io/name=aiplat-backend there) may reach a dev machine's IDEs. */
  backendNamespace: z
    .string()
    .regex(DNS_LABEL, 'backendNamespace is a namespace name, like aiplat-system')
    .default('aiplat-system'),
  /** The image of dev machines that name none: one built from images/devmachine (JupyterLab, code-server, our extensions). */
  devMachineImage: z.string().regex(/^\S+$/, 'devMachineImage is one image reference without spaces').optional(),
  /** How users reach the sshd of a dev machine with SSH enabled: the Service in front of it, and the host its command shows. */
  devMachineSsh: z
    .strictObject({
      /** NodePort: a port on every node; LoadBalancer: port 22 at the address the cluster's load balancer gives. */
      serviceType: z.enum(['NodePort', 'LoadBalancer']).default('NodePort'),
      /** The host users reach the nodes (or the load balancer) at; left out: the pod's node address (or the load balancer's). */
      host: z.string().min(1).optional(),
    })
    .prefault({}),
  /**
   * The image of a TensorBoard where the cluster does not serve Kubeflow's Tensorboard resource (the
   * Deployment the backend makes runs its `tensorboard`); Kubeflow's controller names its own.
   */
  tensorboardImage: z
    .string()
    .regex(/^\S+$/, 'tensorboardImage is one image reference without spaces')
    .default('tensorflow/tensorflow:2.17.0'),
  /** How online services run: a Deployment and a Service, or a KServe InferenceService (raw deployment mode). */
  serviceServing: z.enum(['deployment', 'kserve']).default('deployment'),
  /** Device plugin resource names (see DEFAULT_RESOURCE_NAMES), for every queue. */
  resourceNames: ResourceNamesSchema.default({}),
  /** The job queues, by the name a job spec's `queue` gives. */
  queues: z
    .record(
      z.string().regex(DNS_LABEL, 'queue names on the Kubernetes engine are lowercase letters, digits and -'),
      KubernetesQueueSchema,
    )
    .default({ default: KubernetesQueueSchema.parse({}) }),
});
export type KubernetesConfig = z.infer<typeof KubernetesConfigSchema>;
export type KubernetesConfigInput = z.input<typeof KubernetesConfigSchema>;

/**
 * The user's name as part of a DNS name: user names may hold `_`, which DNS names may not, so it
 * becomes `-` and a short hash keeps `a_b` and `a-b` apart.
 */
export function userNamePart(user: string): string {
  const cleaned = user
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (cleaned === user && cleaned !== '') return cleaned;
  const hash = createHash('sha256').update(user).digest('hex').slice(0, 6);
  return cleaned ? `${cleaned}-${hash}` : `u-${hash}`;
}

/** `template` with `{user}` replaced. */
export function forUser(template: string, user: string): string {
  return template.replaceAll(USER_PLACEHOLDER, userNamePart(user));
}

/** The namespace of `user`'s jobs. */
export function namespaceFor(config: KubernetesConfig, user: string): string {
  return forUser(config.namespace, user);
}

/** The queue's settings; an ApiError naming the configured queues when the config has no such queue. */
export function queueConfig(config: KubernetesConfig, queue: string): KubernetesQueue {
  const found = Object.hasOwn(config.queues, queue) ? config.queues[queue] : undefined;
  if (found) return found;
  const names = Object.keys(config.queues).join(', ') || '(none)';
  throw new ApiError(
    'validation_failed',
    `queue ${queue} is not configured for the Kubernetes engine; the queues are: ${names}`,
    { issues: [{ path: 'body.spec.queue', message: `one of ${names}` }] },
  );
}

/** What the manifest builders need for one job of `user` in `queue`. */
export function manifestOptionsFor(
  config: KubernetesConfig,
  job: { user: string; jobId: string; queue: string; inputs?: JobInput[] | undefined },
): ManifestOptions {
  const queue = queueConfig(config, job.queue);
  return {
    jobId: job.jobId,
    user: job.user,
    namespace: namespaceFor(config, job.user),
    claims: {
      home: forUser(config.claims.home, job.user),
      cache: forUser(config.claims.cache, job.user),
      mount: forUser(config.claims.mount, job.user),
    },
    resourceNames: { ...config.resourceNames, ...queue.resourceNames },
    ...(config.defaultImage === undefined ? {} : { defaultImage: config.defaultImage }),
    localQueue: queue.localQueue ?? job.queue,
    nodeSelector: queue.nodeSelector,
    tolerations: queue.tolerations,
    ...(job.inputs?.length ? { inputs: job.inputs } : {}),
  };
}
