import type { ServiceContainers } from './engines/local/containers/serviceContainers.js';
import type http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigError, type Config } from './config.js';
import type { KubeCluster } from './engines/kubernetes/cluster.js';
import { KubernetesServiceEngine } from './engines/kubernetes/services/kubernetesServiceEngine.js';
import { dryRunService } from './engines/kubernetes/services/serviceDryRun.js';
import { LocalServiceEngine } from './engines/local/services/localServiceEngine.js';
import { ServiceQueue } from './engines/local/services/serviceQueue.js';
import type { SchedulerNode, SchedulerQueue } from './engines/local/scheduler/index.js';
import type { SchedulingLoop } from './engines/local/schedulingLoop.js';
import type { Supervisor } from './engines/local/supervisor/index.js';
import type { EventHub } from './server/eventHub.js';
import type { PlatformServer } from './server/app.js';
import type { Handlers } from './server/handlers.js';
import type { Store } from './store/store.js';
import type { PathResolver } from './workspace/pathResolver.js';
import { CallerKeys } from './services/callerKeys.js';
import { DataPlane } from './services/dataplane/dataPlane.js';
import { dataPlaneState } from './services/dataplane/dataPlaneState.js';
import { dataPlaneMissing } from './services/dataplane/nginxConfig.js';
import { createServiceGateway, type ServiceGateway } from './services/gateway/index.js';
import { IdleServices } from './services/idleServices.js';
import { createServiceHandlers } from './services/serviceHandlers.js';
import { ServiceDirectory } from './services/serviceDirectory.js';
import { ServiceLogs } from './services/serviceLogs.js';
import { ServiceService } from './services/serviceService.js';
import { localFolderResolver } from './services/localFolders.js';

export interface ServicesPartDeps {
  config: Config;
  store: Store;
  registry: Registry;
  /** The platform's own user of a request (bearer token or browser session). */
  platformUser: (req: http.IncomingMessage) => string | undefined;
  isOriginAllowed: (origin: string | undefined, host: string | undefined) => boolean;
  /** A catalog model version's folder under /work (`name@v2`), for versions that name one. */
  resolveModel: (owner: string, ref: string) => Promise<string>;
  log: Logger;
}

/**
 * Online services, put together: the core, callers' keys, the directory the gateway reads, the
 * gateway itself and the engines. Built in two steps, as the server needs the handlers (with its
 * event hub) before the local engine's supervisor exists.
 */
export class ServicesPart {
  private core?: ServiceService;
  private keys?: CallerKeys;
  private logs?: ServiceLogs;
  private gatewayInstance?: ServiceGateway;
  private directory?: ServiceDirectory;
  private localEngine?: LocalServiceEngine;
  private idle?: IdleServices;
  private idleTimer?: NodeJS.Timeout;
  private kubernetesEngine?: KubernetesServiceEngine;
  /** nginx in front of the backend, when `services.dataPlane` asks for it and it can run here. */
  readonly dataPlane?: DataPlane;

  constructor(private readonly deps: ServicesPartDeps) {
    const { mode, nginx } = deps.config.services.dataPlane;
    if (mode === 'off') return;
    const missing = dataPlaneMissing(nginx);
    if (missing.length === 0) this.dataPlane = this.createDataPlane();
    else if (mode === 'on') {
      throw new ConfigError(
        `services.dataPlane.mode is on, but this machine lacks Debian's ${missing.join(', ')}: install them, or set it to auto or off`,
      );
    } else
      deps.log.info({ missing }, 'services are served by the backend alone (no data plane: install these to have one)');
  }

  handlers(hub: EventHub): Pick<Handlers, keyof ReturnType<typeof createServiceHandlers>> {
    const { config, store, log } = this.deps;
    const dataPlane = this.dataPlane;
    const directory = (this.directory = new ServiceDirectory({
      store: store.services,
      core: () => this.core!,
      callerKeys: () => this.keys!,
      onWakeError: (name, error) => log.warn({ name, err: error }, 'a sleeping service did not start'),
    }));
    this.gatewayInstance = createServiceGateway({
      directory,
      registry: this.deps.registry,
      events: hub,
      signatureWindowSeconds: config.services.signatureWindowSeconds,
      ...(config.services.httpsPort
        ? { httpsPort: config.services.httpsPort, httpsHost: config.services.httpsHost ?? config.host }
        : {}),
      platformUser: this.deps.platformUser,
      isOriginAllowed: this.deps.isOriginAllowed,
      onActivity: (name) => this.idle?.touch(name),
      ...(dataPlane ? { shared: dataPlane } : {}),
      log: log.child({ component: 'gateway' }),
    });
    const gateway = this.gatewayInstance;
    this.core = new ServiceService({
      store: store.services,
      events: hub,
      defaultEngine: config.engine,
      onChange: (name) => {
        directory.forget(name);
        dataPlane?.changed();
      },
      domains: { httpsServed: config.services.httpsPort !== undefined, platformHosts: platformHosts(config) },
      resolveModel: this.deps.resolveModel,
      log: log.child({ component: 'services' }),
    });
    this.keys = new CallerKeys({
      store: store.services,
      settings: { get: (key) => store.getSetting(key), set: (key, value) => store.setSetting(key, value) },
      usage: (id) => gateway.tokenUsage(id),
      onChange: () => {
        directory.forgetKeys();
        dataPlane?.changed();
      },
    });
    const core = this.core;
    this.idle = new IdleServices({
      store: store.services,
      sleep: (name, minutes) => core.sleep(name, minutes),
      sleepAfterMinutes: config.services.sleepAfterMinutes,
      log: log.child({ component: 'services' }),
    });
    this.logs = new ServiceLogs(this.core);
    hub.registerStream('service-logs', this.logs.opener());
    return createServiceHandlers({
      services: () => this.core!,
      keys: () => this.keys!,
      logs: () => this.logs!,
      gateway: () => gateway,
      ...(config.engine === 'kubernetes' || config.kubernetes.enabled
        ? { dryRun: async (user, spec) => dryRunService(user, spec, config.kubernetes, config.services.pip) }
        : {}),
    });
  }

  private createDataPlane(): DataPlane {
    const { config, store, log } = this.deps;
    return new DataPlane({
      nginx: config.services.dataPlane.nginx,
      state: () => (this.directory ? dataPlaneStateOf(config, store, this.directory) : emptyState(config)),
      absorb: (traffic) => this.gatewayInstance?.absorb(traffic),
      shutdownGraceMs: config.shutdownGraceMs,
      log: log.child({ component: 'data-plane' }),
    });
  }

  /**
   * The platform's port: the data plane (nginx) there with the server behind it on a Unix socket,
   * or the server itself when there is no data plane.
   */
  async listen(
    server: Pick<PlatformServer, 'listen' | 'listenOnSocket'>,
    port: number,
    host: string,
  ): Promise<AddressInfo> {
    const dataPlane = this.dataPlane;
    if (!dataPlane) return server.listen(port, host);
    await server.listenOnSocket(dataPlane.backendSocket);
    const chosen = port === 0 ? await freePortOn(host) : port;
    await dataPlane.start(host, chosen);
    this.deps.log.info(
      { port: chosen },
      'the services data plane (nginx) listens on the platform port, the server behind it',
    );
    return { address: host, family: host.includes(':') ? 'IPv6' : 'IPv4', port: chosen };
  }

  /** The gateway's hooks for the HTTP server (asked on each request). */
  gateway(): ServiceGateway | undefined {
    return this.gatewayInstance;
  }

  /**
   * Where the HTTPS listener of services' own domains listens, once it does; undefined when
   * `services.httpsPort` is not set. Rejects, naming the setting, when it cannot listen.
   */
  async httpsAddress(): Promise<AddressInfo | undefined> {
    const https = this.gatewayInstance?.https;
    if (!https) return undefined;
    const { httpsPort, httpsHost } = this.deps.config.services;
    try {
      const address = await https.listening;
      this.deps.log.info({ address }, "services' own domains are served over HTTPS");
      return address;
    } catch (error) {
      const where = `${httpsHost ?? this.deps.config.host}:${httpsPort}`;
      throw new Error(
        `services.httpsPort: the HTTPS listener for services' own domains cannot listen on ${where}: ${(error as Error).message}`,
      );
    }
  }

  get services(): ServiceService {
    if (!this.core) throw new Error('the services part has no handlers yet');
    return this.core;
  }

  /**
   * The local engine, once the supervisor exists; its replicas wait for and hold capacity in the
   * queues jobs and dev machines use.
   */
  startLocalEngine(deps: {
    supervisor: Supervisor;
    resolver: PathResolver;
    baseEnv: Record<string, string>;
    scheduling: SchedulingLoop;
    nodes: readonly SchedulerNode[];
    queues: readonly SchedulerQueue[];
    containers: ServiceContainers;
  }): void {
    const { config, log } = this.deps;
    const { scheduling, nodes, queues } = deps;
    this.localEngine = new LocalServiceEngine({
      lifecycle: this.services,
      queue: new ServiceQueue({ scheduling, nodes, queues, lifecycle: this.services }),
      supervisor: deps.supervisor,
      dataDir: config.dataDir,
      resolveFolder: localFolderResolver(deps.resolver),
      baseEnv: deps.baseEnv,
      pip: config.services.pip,
      containers: deps.containers,
      readyTimeoutMs: config.services.readyTimeoutMs,
      stopGraceMs: config.services.stopGraceMs,
      log: log.child({ component: 'services-engine' }),
    });
    this.services.useEngine('local', this.localEngine);
  }

  /** The Kubernetes engine for services, when the backend is connected to a cluster. */
  startKubernetesEngine(cluster: KubeCluster): void {
    const { config, log } = this.deps;
    this.kubernetesEngine = new KubernetesServiceEngine({
      lifecycle: this.services,
      cluster,
      config: config.kubernetes,
      pip: config.services.pip,
      pollMs: config.devMachines.kubernetesPollMs,
      stopGraceSeconds: Math.ceil(config.services.stopGraceMs / 1000),
      log: log.child({ component: 'kubernetes-services' }),
    });
    this.services.useEngine('kubernetes', this.kubernetesEngine);
  }

  /**
   * Once every engine is in: what a previous backend left running is ended by its engine (the
   * services say so), and idle services are put to sleep from now on when
   * `services.sleepAfterMinutes` asks for it.
   */
  async recover(): Promise<void> {
    await this.services.recover();
    const idle = this.idle;
    if (!idle?.enabled || this.idleTimer) return;
    let sweeping = false;
    this.idleTimer = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      void idle.sweep().finally(() => (sweeping = false));
    }, idle.sweepEveryMs());
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    await this.dataPlane?.close();
    await this.kubernetesEngine?.close();
    this.logs?.close();
    await this.localEngine?.close();
    await this.gatewayInstance?.close();
  }
}

/** A port free on `host` now (nginx is given a port, not 0). */
function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

/** What the data plane may serve, from the store and the engines' ready replicas (see dataPlaneState). */
function dataPlaneStateOf(config: Config, store: Store, directory: ServiceDirectory) {
  return dataPlaneState({
    windowMs: config.services.signatureWindowSeconds * 1000,
    services: store.services.list().map((record) => ({
      name: record.name,
      auth: record.auth,
      limits: record.limits,
      state: record.state,
      ...(record.domain ? { domainHost: record.domain.host } : {}),
    })),
    ready: (name) => directory.byName(name)?.ready() ?? [],
    appKeys: store.services.listAppKeys().flatMap((record) => {
      const key = directory.appKey(record.appKey);
      return key ? [{ appKey: record.appKey, ...key }] : [];
    }),
  });
}

/** Nothing to serve yet (the directory is built with the handlers). */
const emptyState = (config: Config) => ({
  windowMs: config.services.signatureWindowSeconds * 1000,
  services: {},
  appKeys: {},
  hosts: [],
});

/** The names the platform answers on, as far as its settings tell: its host and its allowed origins' hosts. */
function platformHosts(config: Config): string[] {
  const origins = config.allowedOrigins.flatMap((origin) => {
    try {
      return [new URL(origin).hostname];
    } catch {
      return [];
    }
  });
  return [config.host, ...origins];
}
