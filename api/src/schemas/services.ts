import { z } from 'zod';
import { fieldError, shown, strictObject, wholeNumber } from './fieldErrors.js';
import { ResourcesSchema } from './jobResources.js';
import { commonFields, workFolderField } from './jobSpecFields.js';
import { WaitReasonSchema } from './jobs.js';

/*
 * Online services (慧聚 在线部署, TI-ONE 在线服务): a model served over HTTP by replicas of a
 * start command, reached through the platform's gateway at `/services/<name>/`. A service has
 * versions; one version serves at a time and an update rolls the replicas over to the next one.
 */

/** DNS-label names: the gateway path, the Kubernetes objects and a domain's host all use it. */
export const SERVICE_NAME_PATTERN = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;
export const ServiceNameSchema = z
  .string({ error: fieldError('name', 'a service name such as gpt2-chat') })
  .regex(SERVICE_NAME_PATTERN, {
    error: (iss) =>
      `name must be 1-40 lowercase letters, digits or -, starting with a letter and not ending with - (it is the path /services/<name>/); got ${shown(iss.input)}`,
  });

/**
 * The service name a model folder suggests (`mount/models/Tiny_GPT2` → `tiny-gpt2`): its last part in
 * the name's alphabet, or '' when nothing of it fits.
 */
export function serviceNameFromFolder(folder: string | undefined): string {
  const last = folder?.split('/').filter(Boolean).at(-1) ?? '';
  return last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

export const SERVICE_LIMITS = {
  replicas: 16,
  requirementsChars: 64 * 1024,
  commandChars: 16 * 1024,
  /** TI-ONE online services: 单实例 QPS and concurrency defaults we follow (docs/user/services.md). */
  defaultQpsPerReplica: 100,
  defaultConcurrencyPerReplica: 16,
  defaultMaxBodyBytes: 10 * 1024 * 1024,
  defaultUpstreamTimeoutSeconds: 60,
} as const;

const PROBE_KINDS = ['http', 'tcp', 'exec'] as const;

/** A health probe, as Kubernetes has them: an HTTP GET on the replica's port, a TCP connect or a command. */
export const ProbeSchema = strictObject(
  {
    type: z.enum(PROBE_KINDS, { error: fieldError('type', 'http, tcp or exec') }),
    /** type http: the path, e.g. /healthz; any 2xx or 3xx is healthy. */
    path: z
      .string({ error: fieldError('path', 'an HTTP path such as /healthz') })
      .regex(/^\/[^\s]*$/, {
        error: (iss) => `path must start with / and hold no spaces, e.g. /healthz; got ${shown(iss.input)}`,
      })
      .max(1024)
      .optional(),
    /** type http or tcp: the port (the version's port when left out). */
    port: wholeNumber('port', 1, 65535).optional(),
    /** type exec: a shell command; exit 0 is healthy. */
    command: z
      .string({ error: fieldError('command', 'shell text') })
      .min(1)
      .max(4096)
      .optional(),
    initialDelaySeconds: wholeNumber('initialDelaySeconds', 0, 3600).default(0),
    periodSeconds: wholeNumber('periodSeconds', 1, 3600).default(10),
    timeoutSeconds: wholeNumber('timeoutSeconds', 1, 600).default(1),
    failureThreshold: wholeNumber('failureThreshold', 1, 1000).default(3),
  },
  'a probe',
)
  .superRefine((probe, ctx) => {
    if (probe.type === 'http' && !probe.path) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'an http probe needs a path, e.g. /healthz' });
    }
    if (probe.type === 'exec' && !probe.command) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message: 'an exec probe needs a command, e.g. test -f /tmp/ready',
      });
    }
  })
  .meta({ id: 'ServiceProbe' });
export type ServiceProbe = z.infer<typeof ProbeSchema>;
export type ServiceProbeInput = z.input<typeof ProbeSchema>;

export const ProbesSchema = strictObject(
  {
    /** Until it passes once, the other probes wait (a slow model load). */
    startup: ProbeSchema.optional(),
    /** A replica gets traffic only while it passes; a TCP connect to the port when left out. */
    readiness: ProbeSchema.optional(),
    /** A replica failing it `failureThreshold` times in a row is restarted. */
    liveness: ProbeSchema.optional(),
  },
  'probes',
).meta({ id: 'ServiceProbes' });
export type ServiceProbes = z.infer<typeof ProbesSchema>;

const RequirementsSchema = z
  .string({ error: fieldError('requirements', 'requirements.txt text, one requirement per line') })
  .max(SERVICE_LIMITS.requirementsChars, `requirements are longer than ${SERVICE_LIMITS.requirementsChars} characters`)
  .superRefine((text, ctx) => {
    for (const [i, raw] of text.split('\n').entries()) {
      const line = raw.trim();
      // The package index is the operator's setting, never a version's: no way to point pip elsewhere.
      if (/^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host)\b/.test(line)) {
        ctx.addIssue({
          code: 'custom',
          input: line,
          message: `line ${i + 1}: ${line.split(/\s/)[0]} is not allowed here; the platform's package index (services.pip) is used`,
        });
      }
    }
  });

const CommandSchema = z
  .string({ error: fieldError('command', 'the shell command that starts the server, listening on $PORT') })
  .max(SERVICE_LIMITS.commandChars)
  .refine(
    (command) => command.trim().length > 0,
    'command is empty: write the command that starts the model server on $PORT',
  );

const EnvironmentSchema = z
  .string({ error: fieldError('environment', 'the path of a Python environment, e.g. /opt/conda/envs/torch') })
  .max(4096)
  .regex(/^\/[^\0\n]*$/, {
    error: (iss) => `environment must be the absolute path of a Python environment; got ${shown(iss.input)}`,
  });

const { image, env } = commonFields;

const MODEL_FOLDER = workFolderField('model', 'mount/models/tiny-gpt2');
/** A catalog model version, `name@v2`: a name without a slash, and a version. */
export const CATALOG_MODEL_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}@v[1-9][0-9]{0,5}$/;
const ServiceModelSchema = z
  .string({
    error: fieldError(
      'model',
      'a folder under /work, e.g. mount/models/tiny-gpt2, or a model version, e.g. tiny-llama@v1',
    ),
  })
  .superRefine((model, ctx) => {
    if (CATALOG_MODEL_REF.test(model)) return;
    for (const issue of MODEL_FOLDER.safeParse(model).error?.issues ?? []) {
      ctx.addIssue({
        code: 'custom',
        input: model,
        message: `${issue.message} (or name a model version, e.g. tiny-llama@v1)`,
      });
    }
  });

/** What one version runs: the model, the code and how to start it, per replica. */
export const ServiceVersionSpecSchema = strictObject(
  {
    /**
     * The model folder, relative to /work, or a catalog model version (`tiny-llama@v2`, resolved to its
     * folder at deploy); mounted read-only at /data/model (Kubernetes) and named by MODEL_DIR.
     */
    model: ServiceModelSchema,
    /** The catalog model version `model` was given as, when it was one (set by the server). */
    modelRef: z.string().optional(),
    /** Container image; the Kubernetes engine runs it. */
    image,
    /** Local engine: the Python environment the replicas start from (a venv of it gets the requirements). */
    environment: EnvironmentSchema.optional(),
    /** Code folder, relative to /work; the command runs there (the model folder when left out). */
    code: workFolderField('code', 'home/serving').optional(),
    /** requirements.txt lines installed into the version's own environment at start. */
    requirements: RequirementsSchema.optional(),
    env,
    command: CommandSchema,
    /** The port the server listens on; replicas get it as PORT (the local engine picks a free one). */
    port: wholeNumber('port', 1, 65535).default(8080),
    resources: ResourcesSchema,
    replicas: wholeNumber('replicas', 1, SERVICE_LIMITS.replicas).default(1),
    probes: ProbesSchema.default({}),
  },
  'a service version',
).meta({ id: 'ServiceVersionSpec' });
export type ServiceVersionSpec = z.infer<typeof ServiceVersionSpecSchema>;
export type ServiceVersionSpecInput = z.input<typeof ServiceVersionSpecSchema>;

export const SERVICE_AUTH_KINDS = ['appkey', 'token', 'none'] as const;
export const ServiceAuthKindSchema = z.enum(SERVICE_AUTH_KINDS, {
  error: fieldError('auth', 'appkey (慧聚 AppKey signatures), token (TI-ONE bearer tokens) or none'),
});
export type ServiceAuthKind = z.infer<typeof ServiceAuthKindSchema>;

const AuthSchema = z
  .array(ServiceAuthKindSchema, { error: fieldError('auth', 'a list such as [appkey, token], or [none]') })
  .min(1, 'auth is empty: list appkey, token, or none (anyone may call)')
  .refine((kinds) => !kinds.includes('none') || kinds.length === 1, 'auth none cannot be combined with appkey or token')
  .refine((kinds) => new Set(kinds).size === kinds.length, 'auth lists a kind twice');

export const ServiceLimitsSchema = strictObject(
  {
    /** Requests per second each ready replica takes; the service's total grows with its replicas. */
    qpsPerReplica: z.number().positive().max(100_000).default(SERVICE_LIMITS.defaultQpsPerReplica),
    /** Requests in flight per ready replica. */
    concurrencyPerReplica: wholeNumber('concurrencyPerReplica', 1, 10_000).default(
      SERVICE_LIMITS.defaultConcurrencyPerReplica,
    ),
    maxBodyBytes: wholeNumber('maxBodyBytes', 1, 1024 * 1024 * 1024).default(SERVICE_LIMITS.defaultMaxBodyBytes),
    /** How long the gateway waits for a replica's response headers. */
    upstreamTimeoutSeconds: wholeNumber('upstreamTimeoutSeconds', 1, 3600).default(
      SERVICE_LIMITS.defaultUpstreamTimeoutSeconds,
    ),
  },
  'limits',
).meta({ id: 'ServiceLimits' });
export type ServiceLimits = z.infer<typeof ServiceLimitsSchema>;

const PemSchema = z
  .string()
  .max(64 * 1024)
  .regex(/-----BEGIN [A-Z ]+-----/, 'must be PEM text (-----BEGIN ...-----)');

export const ServiceDomainSchema = strictObject(
  {
    /** The host callers use; the gateway routes requests whose Host header is this one. */
    host: z
      .string({ error: fieldError('host', 'a host name such as chat.example.com') })
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, {
        error: (iss) => `host must be a lowercase DNS name such as chat.example.com; got ${shown(iss.input)}`,
      }),
    /** The certificate (chain) and private key served for that host over HTTPS. */
    tls: strictObject({ certificate: PemSchema, privateKey: PemSchema }, 'tls').optional(),
  },
  'domain',
);

export const ServiceSpecSchema = strictObject(
  {
    name: ServiceNameSchema,
    description: commonFields.description,
    tags: commonFields.tags,
    /** How callers authenticate; a request passes with any one of the listed kinds. */
    auth: AuthSchema.default(['appkey', 'token']),
    limits: ServiceLimitsSchema.default({
      qpsPerReplica: SERVICE_LIMITS.defaultQpsPerReplica,
      concurrencyPerReplica: SERVICE_LIMITS.defaultConcurrencyPerReplica,
      maxBodyBytes: SERVICE_LIMITS.defaultMaxBodyBytes,
      upstreamTimeoutSeconds: SERVICE_LIMITS.defaultUpstreamTimeoutSeconds,
    }),
    domain: ServiceDomainSchema.optional(),
    priority: commonFields.priority,
    queue: commonFields.queue,
    engine: commonFields.engine,
    /** The version to serve. */
    version: ServiceVersionSpecSchema,
  },
  'a service spec',
).meta({ id: 'ServiceSpec' });
export type ServiceSpec = z.infer<typeof ServiceSpecSchema>;
export type ServiceSpecInput = z.input<typeof ServiceSpecSchema>;

export const SERVICE_STATES = ['Deploying', 'Running', 'Updating', 'Stopped', 'Failed', 'Sleeping'] as const;
export const ServiceStateSchema = z.enum(SERVICE_STATES);
export type ServiceState = z.infer<typeof ServiceStateSchema>;

export const SERVICE_TRANSITIONS: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  Deploying: ['Running', 'Stopped', 'Failed'],
  Running: ['Updating', 'Stopped', 'Failed', 'Sleeping', 'Deploying'],
  Updating: ['Running', 'Stopped', 'Failed'],
  Stopped: ['Deploying'],
  Failed: ['Deploying', 'Stopped'],
  Sleeping: ['Deploying', 'Stopped'],
};

export function canServiceMove(from: ServiceState, to: ServiceState): boolean {
  return SERVICE_TRANSITIONS[from].includes(to);
}

export const REPLICA_STATES = [
  'Pending',
  'Installing',
  'Starting',
  'Ready',
  'NotReady',
  'Restarting',
  'Failed',
  'Stopped',
] as const;
export const ReplicaStateSchema = z.enum(REPLICA_STATES);
export type ReplicaState = z.infer<typeof ReplicaStateSchema>;

export const ServiceReplicaSchema = z
  .object({
    /** 0, 1, ... within its version; names its logs (`instance` of a log line). */
    index: z.number().int().nonnegative(),
    version: z.number().int().positive(),
    state: ReplicaStateSchema,
    /** Restarts after a liveness failure or an exit. */
    restarts: z.number().int().nonnegative(),
    startedAt: z.string().optional(),
    /** The last probe failure or exit, for people. */
    message: z.string().optional(),
  })
  .meta({ id: 'ServiceReplica' });
export type ServiceReplica = z.infer<typeof ServiceReplicaSchema>;

export const ServiceVersionSchema = z
  .object({
    version: z.number().int().positive(),
    spec: ServiceVersionSpecSchema,
    createdAt: z.string(),
    /** The version the gateway sends traffic to. */
    serving: z.boolean(),
    /** Why this version never served: it failed while rolled out, and the one before kept serving. */
    failed: z.string().optional(),
  })
  .meta({ id: 'ServiceVersion' });
export type ServiceVersion = z.infer<typeof ServiceVersionSchema>;

export const ServiceSchema = z
  .object({
    name: ServiceNameSchema,
    owner: z.string(),
    description: z.string().optional(),
    tags: z.record(z.string(), z.string()),
    auth: z.array(ServiceAuthKindSchema),
    limits: ServiceLimitsSchema,
    /** The domain's host and whether HTTPS is served for it (the key never leaves the server). */
    domain: z.object({ host: z.string(), tls: z.boolean() }).optional(),
    engine: z.enum(['local', 'kubernetes']),
    queue: z.string(),
    priority: z.number().int(),
    state: ServiceStateSchema,
    /** The version serving (or being rolled out). */
    version: z.number().int().positive(),
    versions: z.array(ServiceVersionSchema),
    replicas: z.array(ServiceReplicaSchema),
    /** Why a Deploying service waits (its queue has no room yet). */
    waitReason: WaitReasonSchema.optional(),
    failure: z.object({ message: z.string() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** The gateway path on the platform's server: `/services/<name>/`. */
    url: z.string(),
  })
  .meta({ id: 'Service' });
export type Service = z.infer<typeof ServiceSchema>;

export function serviceUrl(name: string): string {
  return `/services/${name}/`;
}

export const SERVICE_EVENT_TYPES = [
  'deploy-requested',
  'queued',
  'installing',
  'replica-started',
  'replica-ready',
  'replica-not-ready',
  'liveness-failed',
  'replica-restarted',
  'replica-exited',
  'running',
  'update-requested',
  'updated',
  /** The owner changed the serving version's replica count (from, to). */
  'scale-requested',
  /** The owner asked for a rolling restart of the serving version's replicas. */
  'restart-requested',
  'stop-requested',
  'stopped',
  'sleeping',
  'failed',
] as const;
export const ServiceEventSchema = z
  .object({
    time: z.string(),
    type: z.enum(SERVICE_EVENT_TYPES),
    message: z.string(),
    version: z.number().int().positive().optional(),
    replica: z.number().int().nonnegative().optional(),
    state: ServiceStateSchema.optional(),
  })
  .meta({ id: 'ServiceEvent' });
export type ServiceEvent = z.infer<typeof ServiceEventSchema>;

export const ServiceNameParamsSchema = z.object({ name: ServiceNameSchema });

export const ServiceListResponseSchema = z.object({ services: z.array(ServiceSchema) }).meta({ id: 'ServiceList' });
export type ServiceListResponse = z.infer<typeof ServiceListResponseSchema>;

export const DeployServiceBodySchema = z.object({ spec: ServiceSpecSchema });
export type DeployServiceBody = z.input<typeof DeployServiceBodySchema>;

/** A new version (rolled out while the serving one keeps answering) and/or new service settings. */
export const UpdateServiceBodySchema = strictObject(
  {
    version: ServiceVersionSpecSchema.optional(),
    auth: AuthSchema.optional(),
    limits: ServiceLimitsSchema.optional(),
    description: commonFields.description,
    /** Only the replica count of the serving version (no new version). */
    replicas: wholeNumber('replicas', 1, SERVICE_LIMITS.replicas).optional(),
    /** A new host or TLS pair (a renewed certificate is served from the next handshake); null drops the domain. */
    domain: ServiceDomainSchema.nullable().optional(),
  },
  'an update',
);
export type UpdateServiceBody = z.input<typeof UpdateServiceBodySchema>;

export const StopServiceBodySchema = z.object({ force: z.boolean().default(false) });

export const DeleteServiceResponseSchema = z.object({ deleted: ServiceNameSchema });

export const ServiceEventsResponseSchema = z
  .object({ events: z.array(ServiceEventSchema) })
  .meta({ id: 'ServiceEvents' });

/** The `services` topic (`services/<name>` for one). */
export const ServiceChangeSchema = z.union([
  z.object({ change: z.literal('updated'), service: ServiceSchema }),
  z.object({ change: z.literal('deleted'), name: ServiceNameSchema }),
]);
export type ServiceChange = z.infer<typeof ServiceChangeSchema>;

/** A service's dry run: the objects the Kubernetes engine would create. */
export const ServiceDryRunResponseSchema = z.object({ objects: z.array(z.record(z.string(), z.unknown())) });
