import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EngineKindSchema } from '@aiplat/api';
import { KubernetesConfigSchema } from './engines/kubernetes/config.js';
import { EngineCapacityConfigSchema } from './engines/local/capacity/index.js';

export const UserNameSchema = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_-]{0,31}$/,
    'user names are 1-32 lowercase letters, digits, _ or -, starting with a letter or _',
  );

const TokenSchema = z.string().min(16, 'tokens must be at least 16 characters').max(512);

export const ConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** The folder shown as /work: home/<user>, cache and mount live under it. */
  workRoot: z.string().min(1).default('.work'),
  /** Where the backend keeps its database and logs. */
  dataDir: z.string().min(1).default('.data'),
  engine: EngineKindSchema.default('local'),
  /** Tokens mapped to users. Empty: one user with a generated token kept in the data dir. */
  users: z.array(z.object({ name: UserNameSchema, token: TokenSchema })).default([]),
  /** The user a generated token (or AUTH_TOKEN) belongs to. */
  defaultUser: UserNameSchema.default('dev'),
  /** Browser origins allowed by CORS and the WebSocket Origin check (server's own always is). */
  allowedOrigins: z
    .array(z.string().regex(/^https?:\/\/[^/]+$|^\*$/, 'origins look like http://host:port'))
    .default([]),
  maxUploadBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 ** 3),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  websocket: z
    .object({
      heartbeatIntervalMs: z.number().int().min(100).default(15_000),
      /** A connection whose unsent data passes this is cut off as a slow consumer. */
      maxBufferedBytes: z
        .number()
        .int()
        .min(1024)
        .default(4 * 1024 * 1024),
      maxSubscriptions: z.number().int().min(1).default(256),
    })
    .default({ heartbeatIntervalMs: 15_000, maxBufferedBytes: 4 * 1024 * 1024, maxSubscriptions: 256 }),
  /** Seed an empty work root with an example dataset and model (npm start does). */
  seedExamples: z.boolean().default(true),
  shutdownGraceMs: z.number().int().min(0).default(10_000),
  /** The local engine's nodes (this machine, virtual nodes) and queues. */
  localEngine: EngineCapacityConfigSchema.prefault({}),
  /** The Kubernetes engine: cluster, namespaces, claims and queues (see engines/kubernetes/config.ts). */
  kubernetes: KubernetesConfigSchema.prefault({}),
  jobs: z
    .object({
      /** How long a stopped instance gets between SIGTERM and SIGKILL. */
      stopGraceMs: z.number().int().min(0).max(3_600_000).default(10_000),
      /** How often CPU, memory and accelerator use of each instance is sampled. */
      metricsIntervalMs: z.number().int().min(100).max(3_600_000).default(5_000),
    })
    .prefault({}),
  devMachines: z
    .object({
      /** `npm start` creates and starts the default user's dev machine "workspace" (AIPLAT_DEV_MACHINE=off to skip). */
      startDefault: z.boolean().default(true),
      /** How long an IDE may take to answer before its dev machine fails. */
      readyTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(120_000),
      /** How often the Kubernetes engine reads a starting, running or stopping dev machine's pod. */
      kubernetesPollMs: z.number().int().min(50).max(60_000).default(2_000),
      /** How often running dev machines with an idle policy are looked at. */
      idleCheckMs: z.number().int().min(100).max(600_000).default(60_000),
      /** How long each lifecycle script may run before the start fails (TI-ONE's 5 minutes; lower for tests). */
      lifecycleTimeoutMs: z.number().int().min(100).max(300_000).default(300_000),
      /** How long each clone of a dev machine's Git repositories may take before it counts as failed. */
      cloneTimeoutMs: z.number().int().min(100).max(3_600_000).default(600_000),
      /** How long a stopped IDE gets between SIGTERM and SIGKILL. */
      stopGraceMs: z.number().int().min(0).max(3_600_000).default(5_000),
      /** Where the IDEs are on this machine; the repo's builds when left out (see ideTools.ts). */
      jupyterPython: z.string().min(1).optional(),
      jupyterServe: z.string().min(1).optional(),
      codeServerEntry: z.string().min(1).optional(),
      /** The AI Platform VS Code extension (.vsix) installed into code-server; the repo's build when left out. */
      vscodeExtensionVsix: z.string().min(1).optional(),
      /** The host name shown in a local dev machine's `ssh -p PORT user@host` (this machine's name when left out). */
      sshHost: z.string().min(1).default(os.hostname()),
      /** The address local dev machines' SSH servers listen on (127.0.0.1 keeps them to this machine). */
      sshListenAddress: z.string().min(1).default('0.0.0.0'),
    })
    .prefault({}),
  /** The local engine's container runtime (engines/local/containers): Podman or Docker through their API. */
  containers: z
    .object({
      /**
       * auto: the socket below, else a Podman service of the backend's own where `podman` is
       * installed, else a system-wide Podman or Docker socket; none: dev machines run as processes.
       */
      runtime: z.enum(['auto', 'podman', 'docker', 'none']).default('auto'),
      /** A runtime's Docker-compatible API socket to use, e.g. /run/podman/podman.sock. */
      socketPath: z.string().min(1).optional(),
      /** Jobs that name an image run each instance in a container from it (off: they run as processes). */
      jobs: z.boolean().default(false),
      /** Service versions that name an image run each replica in a container from it (off: as processes). */
      services: z.boolean().default(false),
    })
    .prefault({}),
  /** Images: the platform's registry (where dev machines are saved as images) and the presets users choose from. */
  images: z
    .object({
      registry: z
        .object({
          /** e.g. https://registry.example.com, or http://127.0.0.1:5000 (plain http only on loopback unless insecure). */
          url: z.string().min(1),
          /** Plain http off loopback, or https without checking the certificate. */
          insecure: z.boolean().default(false),
          /** A docker config.json with the registry's login; left out: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
          dockerConfig: z.string().min(1).optional(),
        })
        .optional(),
      /** Images every user sees in the image pickers, e.g. the dev machine image this platform was set up with. */
      presets: z.array(z.object({ ref: z.string().min(1), description: z.string().optional() })).default([]),
    })
    .prefault({}),
  tensorboard: z
    .object({
      /** The TensorBoard the local engine runs: a name looked up on PATH, or a path. */
      command: z.string().min(1).default('tensorboard'),
      /** A TensorBoard nobody used for this long is stopped. */
      idleMinutes: z
        .number()
        .positive()
        .max(7 * 24 * 60)
        .default(60),
      /** How long TensorBoard may take to answer before it counts as failed (it reads the logs first). */
      readyTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(180_000),
      /** How often a log directory followed on the scalars topic is read again. */
      scalarsPollMs: z.number().int().min(50).max(60_000).default(1_000),
      /** Points kept per run and tag for the platform's own charts (TensorBoard keeps 1000 scalars). */
      pointsPerTag: z.number().int().min(10).max(100_000).default(1_000),
    })
    .prefault({}),
  services: z
    .object({
      /** 慧聚 signatures: how far a call's Timestamp may be from the server's clock (and how long replays are remembered). */
      signatureWindowSeconds: z.number().int().min(1).max(86_400).default(300),
      /** How long a replica may take to pass its startup/readiness probe before it counts as failed. */
      readyTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(600_000),
      /** How long a stopped replica gets between SIGTERM and SIGKILL. */
      stopGraceMs: z.number().int().min(0).max(3_600_000).default(10_000),
      /** A Running service with no call for this long sleeps (its replicas stop; the next call wakes it); 0: never. */
      sleepAfterMinutes: z.number().min(0).max(10_080).default(0),
      /** The port of the HTTPS listener for services with their own domain and TLS pair (by SNI); left out: none. */
      httpsPort: z.number().int().min(1).max(65535).optional(),
      /** The address that listener binds; left out: the platform's `host`. */
      httpsHost: z.string().min(1).optional(),
      /**
       * The gateway's data plane: nginx in front of the backend on the platform's port, serving the
       * calls of AppKey and open services itself (Debian's nginx with libnginx-mod-http-lua and
       * lua-cjson). auto: when those are installed; on: required (the backend does not start
       * without them); off: the backend alone on the port.
       */
      dataPlane: z
        .object({
          mode: z.enum(['auto', 'on', 'off']).default('auto'),
          /** The nginx command: a name looked up on PATH, or a path. */
          nginx: z.string().min(1).default('nginx'),
        })
        .prefault({}),
      /** Where a version's requirements come from: pip's own settings, passed as given (never a hard-coded host). */
      pip: z
        .object({
          indexUrl: z.string().min(1).optional(),
          extraIndexUrls: z.array(z.string().min(1)).default([]),
          findLinks: z.array(z.string().min(1)).default([]),
          trustedHosts: z.array(z.string().min(1)).default([]),
          /** Only findLinks: pip --no-index (an offline cluster with a wheelhouse). */
          noIndex: z.boolean().default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Datasets and models as managed assets (catalog/): imports, versions, shares, acceleration. */
  catalog: z
    .object({
      /** The fast storage accelerated versions are copied onto (a folder on this machine); left out: <workRoot>/cache. */
      fastStorageDir: z.string().min(1).optional(),
      /** Largest file an upload import takes (慧聚: 2 GB for a model). */
      maxUploadBytes: z
        .number()
        .int()
        .positive()
        .default(2 * 1024 ** 3),
      /** Archives: refused past these totals (archive bombs), with the entry named. */
      extract: z
        .object({
          maxBytes: z
            .number()
            .int()
            .positive()
            .default(50 * 1024 ** 3),
          maxEntries: z.number().int().positive().default(1_000_000),
          /** Largest uncompressed/compressed ratio of a whole archive (and of each zip entry). */
          maxRatio: z.number().positive().default(200),
        })
        .prefault({}),
      download: z
        .object({
          /** Largest file a download link may bring. */
          maxBytes: z
            .number()
            .int()
            .positive()
            .default(50 * 1024 ** 3),
          /**
           * Hosts, addresses and CIDR ranges a download link may reach even though they are loopback,
           * link-local or private (by default those are refused: no requests into the cluster).
           */
          allowHosts: z.array(z.string().min(1)).default([]),
          /** How long a download may go without receiving a byte. */
          idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
        })
        .prefault({}),
    })
    .prefault({}),
});
export type Config = z.infer<typeof ConfigSchema>;

/** The environment variables `npm start` honours, with the config key each sets. */
export const ENV_VARS = {
  HOST: 'host',
  PORT: 'port',
  WORK_ROOT: 'workRoot',
  DATA_DIR: 'dataDir',
  ENGINE: 'engine',
  AUTH_TOKEN: 'users',
  AIPLAT_USER: 'defaultUser',
  ALLOWED_ORIGINS: 'allowedOrigins',
  MAX_UPLOAD_BYTES: 'maxUploadBytes',
  LOG_LEVEL: 'logLevel',
  AIPLAT_DEV_MACHINE: 'devMachines.startDefault',
  AIPLAT_CONTAINERS: 'containers.runtime',
  AIPLAT_REGISTRY: 'images.registry.url',
  AIPLAT_DATA_PLANE: 'services.dataPlane.mode',
  AIPLAT_CONFIG: '(file)',
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function numberFromEnv(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`);
  return Number(value);
}

/**
 * Reads the optional YAML file (`AIPLAT_CONFIG`), then lets environment variables override it.
 * Relative folders are resolved against `cwd`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  let raw: Record<string, unknown> = {};
  if (env.AIPLAT_CONFIG) {
    let text: string;
    try {
      text = readFileSync(env.AIPLAT_CONFIG, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read AIPLAT_CONFIG file ${env.AIPLAT_CONFIG}: ${(e as Error).message}`);
    }
    const parsed: unknown = parseYaml(text);
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ConfigError(`${env.AIPLAT_CONFIG} must hold a YAML mapping of settings`);
    }
    raw = { ...(parsed as Record<string, unknown> | null) };
  }
  /** Config paths set from the environment, with the variable that set each. */
  const fromEnv = new Map<string, string>();
  const set = (key: string, variable: string, value: unknown) => {
    raw[key] = value;
    fromEnv.set(key, variable);
  };
  if (env.HOST) set('host', 'HOST', env.HOST);
  if (env.PORT) set('port', 'PORT', numberFromEnv('PORT', env.PORT));
  if (env.WORK_ROOT) set('workRoot', 'WORK_ROOT', env.WORK_ROOT);
  if (env.DATA_DIR) set('dataDir', 'DATA_DIR', env.DATA_DIR);
  if (env.ENGINE) set('engine', 'ENGINE', env.ENGINE);
  if (env.AIPLAT_USER) set('defaultUser', 'AIPLAT_USER', env.AIPLAT_USER);
  if (env.ALLOWED_ORIGINS) {
    const origins = env.ALLOWED_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    set('allowedOrigins', 'ALLOWED_ORIGINS', origins);
  }
  if (env.MAX_UPLOAD_BYTES)
    set('maxUploadBytes', 'MAX_UPLOAD_BYTES', numberFromEnv('MAX_UPLOAD_BYTES', env.MAX_UPLOAD_BYTES));
  if (env.LOG_LEVEL) set('logLevel', 'LOG_LEVEL', env.LOG_LEVEL);
  if (env.AIPLAT_DEV_MACHINE) {
    const value = env.AIPLAT_DEV_MACHINE.trim().toLowerCase();
    if (!['on', 'off', 'true', 'false', '1', '0'].includes(value))
      throw new ConfigError(`AIPLAT_DEV_MACHINE must be on or off, got "${env.AIPLAT_DEV_MACHINE}"`);
    const devMachines = (raw.devMachines ?? {}) as Record<string, unknown>;
    raw.devMachines = { ...devMachines, startDefault: ['on', 'true', '1'].includes(value) };
    fromEnv.set('devMachines', 'AIPLAT_DEV_MACHINE');
  }
  if (env.AIPLAT_CONTAINERS) {
    const containers = (raw.containers ?? {}) as Record<string, unknown>;
    raw.containers = { ...containers, runtime: env.AIPLAT_CONTAINERS.trim().toLowerCase() };
    fromEnv.set('containers', 'AIPLAT_CONTAINERS');
  }
  if (env.AIPLAT_DATA_PLANE) {
    const services = (raw.services ?? {}) as Record<string, unknown>;
    const dataPlane = (services.dataPlane ?? {}) as Record<string, unknown>;
    raw.services = { ...services, dataPlane: { ...dataPlane, mode: env.AIPLAT_DATA_PLANE.trim().toLowerCase() } };
    fromEnv.set('services.dataPlane.mode', 'AIPLAT_DATA_PLANE');
  }
  if (env.AIPLAT_REGISTRY) {
    const images = (raw.images ?? {}) as Record<string, unknown>;
    const registry = (images.registry ?? {}) as Record<string, unknown>;
    raw.images = { ...images, registry: { ...registry, url: env.AIPLAT_REGISTRY.trim() } };
    fromEnv.set('images', 'AIPLAT_REGISTRY');
  }
  if (env.AUTH_TOKEN) {
    const name = (raw.defaultUser as string | undefined) ?? 'dev';
    const others = Array.isArray(raw.users) ? (raw.users as { name?: unknown }[]).filter((u) => u.name !== name) : [];
    raw.users = [...others, { name, token: env.AUTH_TOKEN }];
    fromEnv.set(`users.${others.length}.token`, 'AUTH_TOKEN');
    if (env.AIPLAT_USER) fromEnv.set(`users.${others.length}.name`, 'AIPLAT_USER');
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const where = i.path.join('.') || '(root)';
      return `  ${fromEnv.get(where) ?? fromEnv.get(String(i.path[0])) ?? where}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  const tokens = new Set<string>();
  for (const user of config.users) {
    if (tokens.has(user.token)) throw new ConfigError(`two users share one token (user ${user.name})`);
    tokens.add(user.token);
  }
  return { ...config, workRoot: path.resolve(cwd, config.workRoot), dataDir: path.resolve(cwd, config.dataDir) };
}
