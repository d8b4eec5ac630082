import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { KubeCluster, loadKubeConfig } from './engines/kubernetes/cluster.js';
import { KubernetesEngine } from './engines/kubernetes/kubernetesEngine.js';
import type { jobFilesUnder } from './jobs/jobFiles.js';
import type { JobService } from './jobs/jobService.js';
import type { JobMetricsFeed } from './metrics/jobMetricsFeed.js';

/**
 * The Kubernetes engine when the config asks for it. Without a reachable kubeconfig the backend
 * still starts when Kubernetes is only an extra engine, and refuses to when it is the default.
 */
export async function startKubernetesEngine(
  config: Config,
  kubeConfig: KubeConfig | undefined,
  lifecycle: JobService,
  files: ReturnType<typeof jobFilesUnder>,
  metricsFeed: JobMetricsFeed,
  log: Logger,
): Promise<{ engine: KubernetesEngine; cluster: KubeCluster } | undefined> {
  if (config.engine !== 'kubernetes' && !config.kubernetes.enabled) return undefined;
  const engineLog = log.child({ component: 'kubernetes-engine' });
  let kc: KubeConfig;
  try {
    kc = kubeConfig ?? loadKubeConfig(config.kubernetes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (config.engine === 'kubernetes') throw new Error(`the Kubernetes engine cannot start: ${message}`);
    engineLog.error(`the Kubernetes engine is off: ${message}`);
    return undefined;
  }
  const cluster = new KubeCluster(kc);
  const engine = new KubernetesEngine({
    lifecycle,
    files,
    config: config.kubernetes,
    cluster,
    log: engineLog,
    metricsIntervalMs: config.jobs.metricsIntervalMs,
    onMetricPoint: (jobId, index, point) => metricsFeed.point(jobId, index, point),
  });
  await engine.start();
  return { engine, cluster };
}
