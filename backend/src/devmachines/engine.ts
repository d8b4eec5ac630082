import type {
  DevMachineFailure,
  DevMachineIde,
  DevMachineEvent,
  DevMachineSpec,
  DevMachineSsh,
  GitRepositoryStatus,
  WaitReason,
} from '@aiplat/api';
import type { DevMachineRecord } from './devMachineStore.js';
import type { SnapshotTarget } from '../images/snapshotTarget.js';
import type { LifecycleScripts } from './lifecycle/lifecycleConfigService.js';
import type { IdleSample } from './idle/idleRules.js';

/** Where the platform's proxy reaches one IDE of a running dev machine, and how to speak to it. */
export interface IdeEndpoint {
  target: { socketPath: string } | { host: string; port: number };
  /** The public prefix, `/devmachines/<id>/lab/`; kept in the forwarded path or stripped. */
  prefix: string;
  keepsPrefix: boolean;
  /** Added to every forwarded request (the IDE's own secret, which browsers never see). */
  headers: Record<string, string>;
}

/** What an engine reports about a dev machine; the service turns it into state, events and news. */
export interface DevMachineObservation {
  state?: 'Starting' | 'Running' | 'Stopped' | 'Failed';
  waitReason?: WaitReason;
  failure?: DevMachineFailure;
  event?: Pick<DevMachineEvent, 'type' | 'message' | 'ide'>;
  /** Engine-private state kept with the record (survives a backend restart). */
  runtime?: unknown;
  /** The on-create script ran to its end: later starts skip it. */
  created?: true;
  /** How the clones of this start went (one per repository it was asked to clone). */
  repositories?: GitRepositoryStatus[];
  /** Its SSH server listens (cleared by the service when the machine stops or fails). */
  ssh?: DevMachineSsh;
}

/** A credential opened for one clone: never kept by the engine past it. */
export type CloneCredential =
  { kind: 'token'; username: string; token: string } | { kind: 'ssh-key'; privateKey: string };

/** A repository to clone into the working dir, before the lifecycle scripts. */
export interface CloneRequest {
  url: string;
  branch?: string;
  /** The folder under the working dir (`gitRepositoryFolder(url)`). */
  folder: string;
  credential?: CloneCredential;
}

/** What an engine can see of a running machine: the idle sample less the clock and the jobs. */
export type EngineIdleSample = Omit<IdleSample, 'at' | 'runningJobs'>;

export interface DevMachineStartOptions {
  /** Run before the IDEs, on-create first; a failure or a timeout fails the start. */
  scripts: LifecycleScripts;
  /** Cloned before the scripts; only those not yet cloned at an earlier start. */
  repositories?: CloneRequest[];
  /** Set when the spec enables SSH: the public key lines (`type blob`) its server lets in. */
  ssh?: { authorizedKeys: string[] };
}

export interface DevMachineLifecycle {
  observed(id: string, observation: DevMachineObservation): void;
}

/**
 * Runs dev machines: the local engine as process groups, the Kubernetes engine as a pod. The
 * engine-neutral service owns state, events and the store; an engine reports through the lifecycle.
 */
export interface DevMachineEngine {
  /** Refuses (ApiError) a spec this engine can never run, e.g. more than its queue's nodes hold. */
  validate(spec: DevMachineSpec): void;
  /** Begins starting the IDEs (after the scripts); returns once under way (Running is reported when they answer). */
  start(machine: DevMachineRecord, options: DevMachineStartOptions): Promise<void>;
  /** Begins stopping; Stopped is reported once every IDE is gone. */
  stop(machine: DevMachineRecord, force: boolean): Promise<void>;
  /** Ends whatever a previous backend left running of this dev machine (after a restart). */
  release(machine: DevMachineRecord): Promise<void>;
  /** Where an IDE of a running dev machine listens, or undefined when it does not. */
  endpoint(id: string, ide: DevMachineIde): IdeEndpoint | undefined;
  /** The dev machine is deleted: what the engine kept of it between runs (a container) goes. */
  discard?(machine: DevMachineRecord): Promise<void>;
  /** A look at a running machine for its idle policy: utilisation and IDE activity (undefined when not running). */
  sampleIdle?(id: string): Promise<EngineIdleSample | undefined>;
  /** The file its lifecycle scripts' output goes to (the job log format), when the engine keeps one. */
  logFile?(id: string): string | undefined;
  /** A running dev machine's container to save as an image, or a sentence saying why there is none. */
  snapshotTarget?(id: string): SnapshotTarget | string;
}
