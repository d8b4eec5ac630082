import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { KubeCluster } from './engines/kubernetes/cluster.js';
import { KubernetesTensorBoardEngine } from './engines/kubernetes/tensorboard/kubernetesTensorBoardEngine.js';
import { instanceBaseEnv } from './engines/local/environment/baseEnv.js';
import type { Supervisor } from './engines/local/supervisor/index.js';
import { LocalTensorBoardEngine } from './engines/local/tensorboard/localTensorBoardEngine.js';
import type { TensorBoardService } from './tensorboard/tensorBoardService.js';

/**
 * Gives the TensorBoard service its engines: TensorBoard processes on this machine (what a
 * previous backend left is ended first) and, when the backend is connected to a cluster, pods there.
 */
export async function startTensorBoardEngines(
  tensorboards: TensorBoardService,
  deps: { config: Config; supervisor: Supervisor; cluster?: KubeCluster; log: Logger },
): Promise<void> {
  const { config, log } = deps;
  const local = new LocalTensorBoardEngine({
    supervisor: deps.supervisor,
    dataDir: config.dataDir,
    command: config.tensorboard.command,
    baseEnv: instanceBaseEnv(process.env),
    readyTimeoutMs: config.tensorboard.readyTimeoutMs,
    stopGraceMs: config.devMachines.stopGraceMs,
    log: log.child({ component: 'tensorboard-engine' }),
  });
  await local.releaseLeftovers();
  tensorboards.useEngine('local', local);
  if (deps.cluster) {
    tensorboards.useEngine(
      'kubernetes',
      new KubernetesTensorBoardEngine({
        cluster: deps.cluster,
        config: config.kubernetes,
        pollMs: config.devMachines.kubernetesPollMs,
        readyTimeoutMs: config.tensorboard.readyTimeoutMs,
        log: log.child({ component: 'kubernetes-tensorboard' }),
      }),
    );
  }
}
