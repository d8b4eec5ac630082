import type { ReplicaState, ServiceEvent, ServiceSpec, ServiceVersionSpec, WaitReason } from '@aiplat/api';
import type { ProxyTarget } from '../proxy/proxyCore.js';
import type { ServiceRecord } from './serviceStore.js';

/** One version of a service as an engine runs it. */
export interface VersionLaunch {
  service: ServiceRecord;
  version: number;
  spec: ServiceVersionSpec;
}

/** What an engine reports; the service core turns it into replica lists, states, events and news. */
export interface ServiceObservation {
  /** A replica's news: its state (and restarts, message) as the engine sees it now. */
  replica?: {
    version: number;
    index: number;
    state: ReplicaState;
    restarts?: number;
    message?: string;
    /**
     * When the replica's current process started (ISO 8601), when the engine knows it. Without it,
     * a replica that turns Starting is taken to have started a new process then.
     */
    startedAt?: string;
  };
  /** A version could not run at all (requirements failed to install, its pod was refused...). */
  versionFailed?: { version: number; message: string };
  /** The version waits for capacity in its queue (local) or for Kueue (Kubernetes). */
  waitReason?: WaitReason | null;
  event?: Pick<ServiceEvent, 'type' | 'message' | 'version' | 'replica'>;
}

export interface ServiceLifecycle {
  observed(name: string, observation: ServiceObservation): void;
}

/** A replica the gateway may send requests to. */
export interface ReadyReplica {
  /** Stable within the backend's life: `<version>/<index>`. */
  key: string;
  version: number;
  index: number;
  target: ProxyTarget;
}

/**
 * Runs services' replicas: the local engine as supervised process groups, the Kubernetes engine as
 * a Deployment (or a KServe InferenceService) behind a Service. The engine-neutral core owns state,
 * events, keys and the store; the engine reports through the lifecycle.
 */
export interface ServiceEngine {
  /** Refuses (ApiError) a spec this engine can never run. */
  validate(spec: ServiceSpec, version: ServiceVersionSpec): void;
  /** Refuses (ApiError 400) a version whose folders its owner cannot read, before anything starts. */
  checkFolders?(owner: string, version: ServiceVersionSpec): Promise<void>;
  /** Starts the replicas of a version (installing its requirements first); returns once under way. */
  startVersion(launch: VersionLaunch): Promise<void>;
  /** Ends the replicas of a version (retired after an update, or the service stopped). */
  stopVersion(name: string, version: number, force: boolean): Promise<void>;
  /** Changes the replica count of a running version. */
  scale(launch: VersionLaunch, replicas: number): Promise<void>;
  /** Restarts each replica of a version in turn, waiting for the new one to be ready before the next. */
  restart(launch: VersionLaunch): Promise<void>;
  /** The replicas of a service that pass their readiness probe, for the gateway. */
  readyReplicas(name: string): readonly ReadyReplica[];
  /** The log file of one replica (local engine), for the job log machinery. */
  logFile(name: string, version: number, index: number): string | undefined;
  /** Ends whatever a previous backend left running of this service (after a restart). */
  release(service: ServiceRecord): Promise<void>;
  close(): Promise<void>;
}
