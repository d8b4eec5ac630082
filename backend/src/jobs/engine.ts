import type {
  EngineKind,
  FailureReason,
  JobDryRunResponse,
  JobEventType,
  JobMetricsResponse,
  JobSpec,
  JobState,
} from '@aiplat/api';
import type { InstanceRecord, JobPatch, JobRecord } from './jobStore.js';

/** A state change an engine reports, with the event that explains it. */
export interface StateChange {
  type: JobEventType;
  message: string;
  instance?: number;
  reason?: FailureReason;
  /** Other fields changed with the state (restarts, startedAt...). */
  patch?: JobPatch;
}

/**
 * What the job service offers an engine: the only way an engine changes a job. Every state change
 * is checked against the contract's transition table, stored, recorded as an event and published.
 */
export interface JobLifecycle {
  /** Undefined when the job is gone or the change is not allowed from its current state. */
  transition(id: string, to: JobState, change: StateChange): JobRecord | undefined;
  /** Fields other than the state (wait reason, runtime). */
  update(id: string, patch: JobPatch): JobRecord | undefined;
  event(id: string, type: JobEventType, message: string, instance?: number): void;
  setInstances(id: string, instances: readonly InstanceRecord[]): void;
  updateInstance(id: string, index: number, patch: Partial<Omit<InstanceRecord, 'jobId' | 'index'>>): void;
  getJob(id: string): JobRecord | undefined;
  listInstances(id: string): InstanceRecord[];
}

/** Where an engine keeps a job's files: logs (one file per instance) and generated inputs. */
export interface JobFiles {
  jobDir(id: string): string;
  logDir(id: string): string;
  logFile(id: string, instanceName: string): string;
  metricsFile(id: string, index: number): string;
}

/**
 * An engine runs jobs: the local engine as process groups on this machine, the Kubernetes engine
 * as Kubeflow / Kueue objects. Engines report every change through `JobLifecycle`.
 */
export interface TrainingEngine {
  readonly kind: EngineKind;
  /** Refuses a spec this engine can never run (unknown queue, more than its capacity): 400 naming the field. */
  validate(spec: JobSpec): void;
  /** Takes a job in Submitting (new, or started again) and runs it. */
  submit(job: JobRecord): void;
  /** Stops a job that is not finished; resolves once the stop has been started. */
  stop(job: JobRecord, options: { force: boolean }): Promise<void>;
  /** CPU, memory and accelerator use of a job's instances. */
  metrics(job: JobRecord, query: { instance?: number; since?: string; maxPoints: number }): JobMetricsResponse;
  /** Forgets what the engine keeps of a finished job that is being deleted. */
  remove(job: JobRecord): Promise<void>;
  /** After a backend restart: takes over every job that was not finished. */
  recover(jobs: readonly JobRecord[]): Promise<void>;
  /** Stops scheduling; running jobs keep running (a restarted backend re-adopts them). */
  close(): Promise<void>;
}

/**
 * Shows what an engine would create for a job without creating anything (`POST /api/jobs/dry-run`).
 * Works without a cluster; asks the cluster too when the engine is connected to one.
 */
export interface JobDryRunner {
  dryRun(user: string, spec: JobSpec): Promise<JobDryRunResponse>;
}
