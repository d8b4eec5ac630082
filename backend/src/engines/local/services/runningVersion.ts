import type { ReplicaState } from '@aiplat/api';
import type { ServiceObservation, VersionLaunch } from '../../../services/engine.js';
import type { ContainerVersion } from '../containers/serviceContainers.js';
import type { Replica } from './replica.js';

/** One index of a version: its current replica (once placed) and what its placement gives it. */
export interface Slot {
  replica?: Replica;
  devicesEnv: Record<string, string>;
}

/** A version the local engine runs: where its files go, what its replicas get, and its slots. */
export interface RunningVersion {
  launch: VersionLaunch;
  folder: string;
  logDir: string;
  cwd: string;
  env: Record<string, string>;
  /** Set when the replicas run in containers (the requirements go in there, at each start). */
  container?: ContainerVersion;
  slots: Slot[];
  /** The environment is ready (requirements installed): replicas may be placed. */
  prepared: boolean;
  stopped: boolean;
  restarting: boolean;
  /** Ends a requirements install under way. */
  abort: AbortController;
}

/** The engine's own news of one index of the version (a replica's news is `Replica`'s). */
export function replicaNews(
  running: RunningVersion,
  index: number,
  state: ReplicaState,
  more: { message?: string; startedAt?: string } = {},
): ServiceObservation {
  const { message, startedAt } = more;
  return {
    replica: {
      version: running.launch.version,
      index,
      state,
      ...(message ? { message } : {}),
      ...(startedAt ? { startedAt } : {}),
    },
  };
}

export function versionKey(name: string, version: number): string {
  return `${name}/${version}`;
}
