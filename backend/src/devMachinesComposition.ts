import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { DevMachineService } from './devmachines/devMachineService.js';
import type { KubeCluster } from './engines/kubernetes/cluster.js';
import { KubernetesDevMachineEngine } from './engines/kubernetes/devmachines/kubernetesDevMachineEngine.js';
import { DevMachineQueue } from './engines/local/devmachines/devMachineQueue.js';
import { ideTools } from './engines/local/devmachines/ideTools.js';
import { createAscendSampler, createNvidiaSampler } from './engines/local/metrics/accelerators.js';
import { LocalDevMachineEngine } from './engines/local/devmachines/localDevMachineEngine.js';
import { lifecycleLogFile } from './engines/local/devmachines/lifecycleLog.js';
import { ContainerDevMachines } from './engines/local/devmachines/containerDevMachines.js';
import type { EnsureImageOptions } from './engines/local/containers/containerRuntime.js';
import type { LocalContainers } from './engines/local/containers/localContainers.js';
import type { SchedulerNode, SchedulerQueue } from './engines/local/scheduler/index.js';
import type { SchedulingLoop } from './engines/local/schedulingLoop.js';
import type { Supervisor } from './engines/local/supervisor/index.js';

export interface DevMachineEnginesDeps {
  config: Config;
  lifecycle: DevMachineService;
  /** Dev machines wait for and hold this machine's capacity in the queues jobs use. */
  scheduling: SchedulingLoop;
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  supervisor: Supervisor;
  baseEnv: Record<string, string>;
  resolveWorkingDir(owner: string, workingDir: string): Promise<string>;
  /** The platform token of a user, given to the IDEs of their machines. */
  tokenOf(owner: string): string | undefined;
  /** Where the platform's server listens (the local IDEs call it there). */
  serverAddress(): AddressInfo | string | null;
  /** Set when the backend is connected to a cluster. */
  cluster?: KubeCluster;
  /** The local engine's container runtime: dev machines that name an image run in containers. */
  containers: LocalContainers;
  /** How an image is pulled (the platform registry's login). */
  pullOptions(image: string): EnsureImageOptions;
  log: Logger;
}

/**
 * The engines of dev machines, put to work for the service: process groups (or a container) on
 * this machine, and a StatefulSet per machine when the backend is connected to a cluster. The IDEs
 * get the platform's address and their owner's token, so both extensions come already connected.
 */
export function startDevMachineEngines(deps: DevMachineEnginesDeps): {
  local: LocalDevMachineEngine;
  kubernetes?: KubernetesDevMachineEngine;
} {
  const { config, lifecycle, tokenOf, log } = deps;
  const platformEnv = (owner: string): Record<string, string> => {
    const address = deps.serverAddress();
    const token = tokenOf(owner);
    if (!token || !address || typeof address === 'string') return {};
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    return {
      AIPLAT_SERVER: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
      AIPLAT_TOKEN: token,
    };
  };
  const queue = new DevMachineQueue({ scheduling: deps.scheduling, nodes: deps.nodes, queues: deps.queues, lifecycle });
  const ssh = { host: config.devMachines.sshHost, listenAddress: config.devMachines.sshListenAddress };
  const containers = new ContainerDevMachines({
    lifecycle,
    ssh,
    runtime: () => deps.containers.runtime(),
    noRuntimeReason: async () => (await deps.containers.info()).reason ?? 'this machine has no container runtime',
    pullOptions: deps.pullOptions,
    dataDir: config.dataDir,
    workRoot: config.workRoot,
    platformEnv,
    stopGraceMs: config.devMachines.stopGraceMs,
    readyTimeoutMs: config.devMachines.readyTimeoutMs,
    lifecycleTimeoutMs: config.devMachines.lifecycleTimeoutMs,
    cloneTimeoutMs: config.devMachines.cloneTimeoutMs,
    logFile: (id) => lifecycleLogFile(config.dataDir, id),
    ended: (id) => queue.release(id),
    log: log.child({ component: 'container-devmachines' }),
  });
  const onError = (error: Error) => log.debug({ err: error }, 'reading accelerator use for an idle policy failed');
  const local = new LocalDevMachineEngine({
    lifecycle,
    queue,
    supervisor: deps.supervisor,
    dataDir: config.dataDir,
    workRoot: config.workRoot,
    resolveWorkingDir: deps.resolveWorkingDir,
    baseEnv: deps.baseEnv,
    tools: ideTools(config.devMachines),
    stopGraceMs: config.devMachines.stopGraceMs,
    readyTimeoutMs: config.devMachines.readyTimeoutMs,
    lifecycleTimeoutMs: config.devMachines.lifecycleTimeoutMs,
    cloneTimeoutMs: config.devMachines.cloneTimeoutMs,
    platformEnv,
    containers,
    ssh,
    acceleratorSamplers: [createNvidiaSampler({ onError }), createAscendSampler({ onError })],
    log: log.child({ component: 'devmachines-engine' }),
  });
  lifecycle.useEngine('local', local);
  if (!deps.cluster) return { local };
  const kubernetes = new KubernetesDevMachineEngine({
    lifecycle,
    cluster: deps.cluster,
    config: config.kubernetes,
    platformEnv: (owner) => ({
      ...(config.kubernetes.platformUrl ? { server: config.kubernetes.platformUrl } : {}),
      ...(tokenOf(owner) ? { token: tokenOf(owner) } : {}),
    }),
    stopGraceSeconds: Math.ceil(config.devMachines.stopGraceMs / 1000),
    lifecycleTimeoutSeconds: Math.ceil(config.devMachines.lifecycleTimeoutMs / 1000),
    cloneTimeoutSeconds: Math.ceil(config.devMachines.cloneTimeoutMs / 1000),
    pollMs: config.devMachines.kubernetesPollMs,
    log: log.child({ component: 'kubernetes-devmachines' }),
  });
  lifecycle.useEngine('kubernetes', kubernetes);
  return { local, kubernetes };
}
