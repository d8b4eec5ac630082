import type { Logger } from 'pino';
import type { DevMachineLifecycle } from '../../../devmachines/engine.js';
import type { Supervisor } from '../supervisor/index.js';
import type { ContainerDevMachines } from './containerDevMachines.js';
import type { DevMachineQueue } from './devMachineQueue.js';
import type { IdeTools } from './ideLaunch.js';
import type { SshServerSettings } from './sshServer.js';
import type { GpuSampler } from '../metrics/accelerators.js';

/** What the local engine's dev machines run with: the queues, the supervisor, the folders and the settings. */
export interface LocalDevMachineEngineDeps {
  lifecycle: DevMachineLifecycle;
  /** Where dev machines wait for and hold their resources, on the queues jobs use. */
  queue: DevMachineQueue;
  supervisor: Supervisor;
  /** Dev machines keep their sockets, settings and logs in `<dataDir>/devmachines/<id>/`. */
  dataDir: string;
  workRoot: string;
  /** The working dir of the spec (relative to /work) as a folder on this machine. */
  resolveWorkingDir(owner: string, workingDir: string): Promise<string>;
  baseEnv: Record<string, string>;
  tools: IdeTools;
  stopGraceMs: number;
  /** How long an IDE may take to answer before the dev machine fails. */
  readyTimeoutMs?: number;
  /** How long each lifecycle script may run (5 minutes unless given). */
  lifecycleTimeoutMs?: number;
  /** How long each clone of the spec's repositories may take (10 minutes unless given). */
  cloneTimeoutMs?: number;
  /**
   * What the IDEs get to reach the platform as the owner: AIPLAT_SERVER and AIPLAT_TOKEN (the AI
   * Platform extension in code-server, the aiplat CLI in terminals and notebooks read them). In the
   * environment only: never in a command line, a URL or a log line.
   */
  platformEnv?: (owner: string) => Record<string, string>;
  /** Dev machines whose spec names an image run in containers, when this machine has a runtime. */
  containers?: ContainerDevMachines;
  /** nvidia-smi and npu-smi, read for idle policies' accelerator utilisation (none: not looked at). */
  acceleratorSamplers?: readonly GpuSampler[];
  /** Where dev machines with SSH enabled listen, and the host they show. */
  ssh: SshServerSettings;
  log: Logger;
}
