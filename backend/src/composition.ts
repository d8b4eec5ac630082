import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { ApiError } from '@aiplat/api';
import type { Config } from './config.js';
import { KubernetesDryRun, type ServerDryRun } from './engines/kubernetes/dryRun.js';
import type { KubernetesEngine } from './engines/kubernetes/kubernetesEngine.js';
import { engineCapacity } from './engines/local/capacity/index.js';
import { detectContainerRuntime, type DetectedRuntime } from './engines/local/containers/detectRuntime.js';
import { LocalContainers } from './engines/local/containers/localContainers.js';
import { ServiceContainers } from './engines/local/containers/serviceContainers.js';
import type { LocalDevMachineEngine } from './engines/local/devmachines/localDevMachineEngine.js';
import type { LocalEngine } from './engines/local/localEngine.js';
import { SchedulingLoop } from './engines/local/schedulingLoop.js';
import { createLocalJobEngine } from './localJobEngineComposition.js';
import { startTensorBoardEngines } from './tensorboardComposition.js';
import { createSupervisor } from './engines/local/supervisor/index.js';
import { JobMetricsFeed } from './metrics/jobMetricsFeed.js';
import { createDevMachineFrontend } from './devmachines/devMachineFrontend.js';
import { createDevMachineHandlers } from './devmachines/devMachineHandlers.js';
import { DevMachineService } from './devmachines/devMachineService.js';
import { DevMachineLogs } from './devmachines/devMachineLogs.js';
import { AutoStopper } from './devmachines/idle/autoStopper.js';
import { IdleMonitor, runningJobsFrom } from './devmachines/idle/idleMonitor.js';
import { LifecycleConfigService } from './devmachines/lifecycle/lifecycleConfigService.js';
import { createLifecycleConfigHandlers } from './devmachines/lifecycle/lifecycleConfigHandlers.js';
import { SshKeyService } from './devmachines/access/sshKeyService.js';
import { GitCredentialService } from './devmachines/access/gitCredentialService.js';
import { createAccessHandlers } from './devmachines/access/accessHandlers.js';
import { ImagesPart } from './imagesComposition.js';
import { CatalogPart } from './catalogComposition.js';
import { createJobHandlers } from './jobs/jobHandlers.js';
import { jobFilesUnder } from './jobs/jobFiles.js';
import { JobService } from './jobs/jobService.js';
import { jobFoldersChecker, summaryDirResolver, workingDirResolver } from './jobs/workingDir.js';
import { createPlatformServer, type PlatformServer } from './server/app.js';
import type { Handlers } from './server/handlers.js';
import { ServerMetrics } from './server/metrics.js';
import { ProxyCore } from './proxy/proxyCore.js';
import { LoginLinks } from './sessions/loginLinks.js';
import { createLoginRouter } from './sessions/loginRouter.js';
import { SessionStore } from './sessions/sessionStore.js';
import { createSystemHandlers } from './server/systemHandlers.js';
import { SqliteStore } from './store/sqliteStore.js';
import type { Store } from './store/store.js';
import { DirectoryLister } from './workspace/directoryLister.js';
import { createFileHandlers } from './workspace/fileHandlers.js';
import { folderChangesOpener } from './workspace/folderTopic.js';
import { FolderWatchers } from './workspace/folderWatchers.js';
import { ScalarService } from './tensorboard/scalarService.js';
import { createTensorBoardFrontend } from './tensorboard/tensorBoardFrontend.js';
import { createTensorBoardHandlers } from './tensorboard/tensorboardHandlers.js';
import { ServicesPart } from './servicesComposition.js';
import { startDevMachineEngines } from './devMachinesComposition.js';
import { startKubernetesEngine } from './kubernetesComposition.js';
import { platformCredentials, resolveUsers, type PlatformUser } from './platformUsers.js';
import type { ServiceService } from './services/serviceService.js';
import { OriginPolicy } from './server/origins.js';
import { TensorBoardService } from './tensorboard/tensorBoardService.js';
import { instanceBaseEnv } from './engines/local/environment/baseEnv.js';
import { PathResolver } from './workspace/pathResolver.js';
import { createPreviewHandlers } from './workspace/previewHandlers.js';
import { seedWorkRoot } from './workspace/seed.js';

export interface Platform {
  config: Config;
  store: Store;
  server: PlatformServer;
  users: PlatformUser[];
  /** True when the token was generated (and kept in the store) rather than configured. */
  generatedToken: boolean;
  seeded: string[];
  jobs: JobService;
  engine: LocalEngine;
  devMachines: DevMachineService;
  devMachineEngine: LocalDevMachineEngine;
  /** The local engine's container runtime (Podman, Docker or none), detected in the background. */
  containers: LocalContainers;
  /** Datasets and models as managed assets. */
  catalog: CatalogPart;
  /** One-time browser login links (npm start prints one per IDE of the default dev machine). */
  loginLinks: LoginLinks;
  /** Set when the config enables the Kubernetes engine. */
  kubernetes?: KubernetesEngine;
  /** The folders clients watch (the `files/<path>` topic). */
  folderWatchers: FolderWatchers;
  tensorboards: TensorBoardService;
  services: ServiceService;
  log: Logger;
  /**
   * Listens on the platform's port: the services' data plane (nginx) there with the server behind
   * it on a Unix socket, or the server itself when there is no data plane.
   */
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** The composition root: everything the backend needs, built from the configuration. */
export async function createPlatform(
  config: Config,
  options: {
    log?: Logger;
    processMetrics?: boolean;
    /** The built log shim (tests run from source). */ shimPath?: string;
    /** The cluster of the Kubernetes engine, instead of the kubeconfig from the standard places. */
    kubeConfig?: KubeConfig;
    /** The clock of dev machines' idle and auto-stop decisions (tests move it forward). */
    clock?: () => number;
    /** Finds the local engine's container runtime; by default as `config.containers` says. */
    detectContainerRuntime?: () => Promise<DetectedRuntime>;
  } = {},
): Promise<Platform> {
  const log = options.log ?? pino({ level: config.logLevel, base: { service: 'aiplat-backend' } });
  await mkdir(config.workRoot, { recursive: true });
  const store = SqliteStore.inDataDir(config.dataDir);
  const { users, generated } = resolveUsers(config, store);
  const seeded = config.seedExamples
    ? (await seedWorkRoot(config.workRoot, users[0]?.name ?? config.defaultUser)).created
    : [];
  const resolver = new PathResolver(config.workRoot, CatalogPart.readOnlyFolders(config));
  const catalogPart = new CatalogPart(config, store, resolver);
  await catalogPart.repair();
  const lister = new DirectoryLister(resolver);
  const folderWatchers = new FolderWatchers({
    debounceMs: 150,
    maxFolders: 1000,
    onChange: (absFolder) => lister.forget(absFolder),
  });
  const metrics = new ServerMetrics({ processMetrics: options.processMetrics ?? true });
  const containers = new LocalContainers(
    options.detectContainerRuntime ??
      (() =>
        detectContainerRuntime({
          runtime: config.containers.runtime,
          ...(config.containers.socketPath ? { socketPath: config.containers.socketPath } : {}),
          dataDir: config.dataDir,
        })),
    log.child({ component: 'containers' }),
  );
  const capacity = await engineCapacity(config.localEngine);
  for (const warning of capacity.warnings) log.warn({ component: 'local-engine' }, warning);
  const files = jobFilesUnder(config.dataDir);
  const resolveWorkingDir = workingDirResolver(resolver);
  const resolveSummaryDir = summaryDirResolver(resolver);
  let jobs: JobService | undefined;
  let devMachines: DevMachineService | undefined;
  let devMachineLogs: DevMachineLogs | undefined;
  let idleMonitor!: IdleMonitor;
  const loginLinks = new LoginLinks();
  const sessions = new SessionStore();
  const proxy = new ProxyCore();
  const scalars = new ScalarService({
    resolver,
    pollMs: config.tensorboard.scalarsPollMs,
    limits: { pointsPerTag: config.tensorboard.pointsPerTag },
  });
  let tensorboards: TensorBoardService | undefined;
  // Built after the handlers; the dry-run route asks it once it exists.
  const cluster: { engine?: KubernetesEngine } = {};
  const kubernetesWanted = config.engine === 'kubernetes' || config.kubernetes.enabled;
  const serverDryRun: ServerDryRun = async (objects) =>
    cluster.engine
      ? cluster.engine.serverDryRun(objects as unknown as KubernetesObject[])
      : { ok: false, message: 'the backend is not connected to a cluster (its log says why)' };
  const originPolicy = new OriginPolicy(config.allowedOrigins);
  const { browserUser, platformUser } = platformCredentials(users, sessions, config.allowedOrigins);
  const imagesPart = await ImagesPart.create(config, store, log.child({ component: 'images' }));
  const servicesPart = new ServicesPart({
    config,
    store,
    registry: metrics.registry,
    platformUser,
    isOriginAllowed: (origin, host) => originPolicy.isAllowed(origin, host),
    resolveModel: async (owner, ref) => (await catalogPart.copies.resolveRef(owner, 'models', ref)).shownPath,
    log,
  });
  const server = createPlatformServer({
    options: { ...config, users },
    metrics,
    log,
    gateway: () => servicesPart.gateway() ?? { handle: () => false },
    sessionUser: (req) => {
      const name = browserUser(req);
      return name === undefined ? undefined : { name };
    },
    frontends: () => [
      { handle: createLoginRouter({ links: loginLinks, sessions }) },
      createDevMachineFrontend({
        machines: devMachines!,
        sessions,
        proxy,
        allowedOrigins: config.allowedOrigins,
      }),
      createTensorBoardFrontend({
        tensorboards: tensorboards!,
        sessions,
        proxy,
        allowedOrigins: config.allowedOrigins,
      }),
    ],
    handlers: (hub) => {
      jobs = new JobService({
        store: store.jobs,
        files,
        events: hub,
        log: log.child({ component: 'jobs' }),
        checkFolders: jobFoldersChecker(resolver),
        resolveInputs: (user, refs) => catalogPart.copies.resolveJobInputs(user, refs),
        defaultEngine: config.engine,
      });
      const issueLoginLink: Pick<Handlers, 'createLoginLink'> = {
        createLoginLink: async ({ body }, ctx) => {
          try {
            return loginLinks.issue(ctx.user.name, body.next);
          } catch (error) {
            throw new ApiError('validation_failed', (error as Error).message, {
              issues: [{ path: 'body.next', message: (error as Error).message }],
            });
          }
        },
      };
      const lifecycleConfigs = new LifecycleConfigService({
        store: store.lifecycleConfigs,
        devMachines: store.devMachines,
      });
      const sshKeys = new SshKeyService(store.sshKeys);
      const gitCredentials = new GitCredentialService(store.gitCredentials, store.devMachines);
      devMachines = new DevMachineService({
        store: store.devMachines,
        events: hub,
        defaultEngine: config.engine,
        lifecycleConfigs,
        sshKeys,
        gitCredentials,
        log: log.child({ component: 'devmachines' }),
      });
      devMachineLogs = new DevMachineLogs(devMachines);
      idleMonitor = new IdleMonitor({
        machines: devMachines,
        runningJobs: (owner, id) => runningJobsFrom(store.jobs, owner, id),
        everyMs: config.devMachines.idleCheckMs,
        ...(options.clock ? { now: options.clock } : {}),
        log: log.child({ component: 'idle' }),
      });
      tensorboards = new TensorBoardService({
        resolver,
        events: hub,
        job: (id) => store.jobs.getJob(id),
        defaultEngine: config.engine,
        idleMs: config.tensorboard.idleMinutes * 60_000,
        log: log.child({ component: 'tensorboard' }),
      });
      return {
        ...createSystemHandlers({ config, store, metrics, containerRuntime: () => containers.info() }),
        ...createTensorBoardHandlers(scalars, tensorboards),
        ...createDevMachineHandlers(devMachines, devMachineLogs, idleMonitor),
        ...createLifecycleConfigHandlers(lifecycleConfigs),
        ...createAccessHandlers(sshKeys, gitCredentials),
        ...servicesPart.handlers(hub),
        ...imagesPart.handlers(hub, devMachines),
        ...catalogPart.handlers(hub),
        ...issueLoginLink,
        ...createFileHandlers({ resolver, lister, events: hub, maxUploadBytes: config.maxUploadBytes }),
        ...createPreviewHandlers({ resolver }),
        ...createJobHandlers(
          jobs,
          new KubernetesDryRun(config.kubernetes, kubernetesWanted ? serverDryRun : undefined),
        ),
      };
    },
  });
  if (!jobs) throw new Error('the server did not build its handlers');
  const jobService = jobs;
  server.hub.registerStream('job-logs', (subscription) =>
    jobService.followLogs(subscription.id, subscription.cursor, {
      send: subscription.send,
      sendEncoded: subscription.sendEncoded,
    }),
  );
  server.hub.registerStream('files', folderChangesOpener(resolver, folderWatchers));
  server.hub.registerStream('scalars', scalars.opener());
  const lifecycleLogs = devMachineLogs!;
  server.hub.registerStream('devmachine-logs', lifecycleLogs.opener());
  const autoStopper = new AutoStopper({
    machines: devMachines!,
    everyMs: Math.min(30_000, config.devMachines.idleCheckMs),
    ...(options.clock ? { now: options.clock } : {}),
    log: log.child({ component: 'auto-stop' }),
  });
  autoStopper.start();
  idleMonitor.start();
  const metricsFeed = new JobMetricsFeed({ events: server.hub, ownerOf: (id) => store.jobs.getJob(id)?.user });
  const supervisor = createSupervisor(options.shimPath ? { shimPath: options.shimPath } : {});
  // Jobs and dev machines wait for and hold this machine's capacity in the same queues.
  const scheduling = new SchedulingLoop({ nodes: capacity.nodes, queues: capacity.queues });
  const engine = createLocalJobEngine({
    config,
    jobs: jobService,
    scheduling,
    nodes: capacity.nodes,
    queues: capacity.queues,
    files,
    supervisor,
    resolveWorkingDir,
    resolveSummaryDir: (user, dir) => resolveSummaryDir(user, dir, true),
    containers,
    pullOptions: (image) => imagesPart.pullOptions(image),
    metricsFeed,
    log,
  });
  jobService.attach(engine);
  const started = await startKubernetesEngine(config, options.kubeConfig, jobService, files, metricsFeed, log);
  const kubernetes = started?.engine;
  if (kubernetes) {
    cluster.engine = kubernetes;
    jobService.attach(kubernetes);
  }
  await jobService.recover();
  if (!devMachines) throw new Error('the server did not build its handlers');
  const devMachineService = devMachines;
  const tokenOf = (owner: string) => users.find((user) => user.name === owner)?.token;
  const { local: devMachineEngine, kubernetes: kubernetesDevMachines } = startDevMachineEngines({
    config,
    lifecycle: devMachineService,
    scheduling,
    nodes: capacity.nodes,
    queues: capacity.queues,
    supervisor,
    baseEnv: instanceBaseEnv(process.env),
    resolveWorkingDir,
    tokenOf,
    serverAddress: () => publicAddress ?? server.server.address(),
    containers,
    pullOptions: (image) => imagesPart.pullOptions(image),
    ...(started ? { cluster: started.cluster } : {}),
    log,
  });
  const tensorBoardService = tensorboards!;
  await startTensorBoardEngines(tensorBoardService, {
    config,
    supervisor,
    ...(started ? { cluster: started.cluster } : {}),
    log,
  });
  await devMachineService.recover();
  servicesPart.startLocalEngine({
    supervisor,
    resolver,
    baseEnv: instanceBaseEnv(process.env),
    scheduling,
    nodes: capacity.nodes,
    queues: capacity.queues,
    containers: new ServiceContainers({
      enabled: config.containers.services,
      runtime: async () => {
        const detected = await containers.detected();
        return detected.runtime && detected.socketPath
          ? { runtime: detected.runtime, socketPath: detected.socketPath }
          : { reason: detected.reason ?? 'this machine has no container runtime' };
      },
      pullOptions: (image) => imagesPart.pullOptions(image),
      workRoot: config.workRoot,
      pip: config.services.pip,
      stopGraceMs: config.services.stopGraceMs,
    }),
  });
  if (started) servicesPart.startKubernetesEngine(started.cluster);
  await servicesPart.recover();
  let publicAddress: AddressInfo | undefined;
  const listen = async (port: number, host: string): Promise<AddressInfo> =>
    (publicAddress = await servicesPart.listen(server, port, host));
  const close = async () => {
    // The data plane stops listening at once and lets its calls in flight finish, as the server does.
    const dataPlaneClosed = servicesPart.dataPlane?.close();
    // Proxied WebSockets first: the server's close waits for every socket it ever accepted.
    proxy.close();
    await server.close();
    await dataPlaneClosed;
    await folderWatchers.close();
    await jobService.close();
    imagesPart.close();
    await catalogPart.close();
    lifecycleLogs.close();
    autoStopper.close();
    idleMonitor.close();
    await devMachineEngine.close();
    await containers.close();
    scalars.close();
    await tensorBoardService.close();
    await servicesPart.close();
    kubernetesDevMachines?.close();
    store.close();
  };
  await servicesPart.httpsAddress().catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return {
    config,
    store,
    server,
    users,
    generatedToken: generated,
    seeded,
    jobs: jobService,
    engine,
    devMachines: devMachineService,
    devMachineEngine,
    containers,
    catalog: catalogPart,
    loginLinks,
    ...(kubernetes ? { kubernetes } : {}),
    folderWatchers,
    tensorboards: tensorBoardService,
    services: servicesPart.services,
    log,
    listen,
    close,
  };
}
