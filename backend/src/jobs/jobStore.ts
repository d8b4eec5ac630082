import type {
  JobInput,
  EngineKind,
  FailureReason,
  Instance,
  JobEvent,
  JobProgress,
  JobSpec,
  JobState,
  WaitReason,
} from '@aiplat/api';

/** A job as the backend keeps it: the API's `Job` plus what only the engine needs. */
export interface JobRecord {
  id: string;
  user: string;
  spec: JobSpec;
  state: JobState;
  reason?: FailureReason;
  engine: EngineKind;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  restarts: number;
  progress?: JobProgress;
  queuePosition?: number;
  waitReason?: WaitReason;
  /** Launches so far (first run, auto-restarts, start-again); names the run a log line belongs to. */
  attempt: number;
  /** Where the current run's output starts in each instance log: progress is read from here. */
  progressFrom?: Record<number, number>;
  /** Engine-private state that must survive a backend restart (the local engine's placement). */
  runtime?: unknown;
  /** `spec.datasets` and `spec.models` resolved at submit (and at each start again). */
  inputs?: JobInput[];
}

/** An instance as kept: the API's `Instance` plus the engine's handle on it. */
export interface InstanceRecord extends Instance {
  /** Local engine: the log shim's state file, all a restarted backend needs to re-adopt it. */
  stateFile?: string;
  /** The variables the platform gave it (its own and the user's), for `aiplat env`. */
  env?: Record<string, string>;
}

export interface JobListFilter {
  states?: readonly JobState[];
  /** `key` or `key=value`. */
  tag?: { key: string; value?: string };
  user?: string;
  /** Opaque, from a previous page. */
  cursor?: string;
  limit: number;
}

export type JobPatch = Partial<Omit<JobRecord, 'id' | 'user' | 'engine' | 'createdAt'>>;

/**
 * Persistence of jobs, their instances and events. Optional fields set to `undefined` in a patch
 * are cleared.
 */
export interface JobStore {
  insertJob(job: JobRecord): void;
  updateJob(id: string, patch: JobPatch): JobRecord;
  getJob(id: string): JobRecord | undefined;
  /** Newest first. */
  listJobs(filter: JobListFilter): { jobs: JobRecord[]; nextCursor?: string };
  /** Jobs not in a terminal state, oldest first. */
  activeJobs(): JobRecord[];
  deleteJob(id: string): void;

  replaceInstances(jobId: string, instances: readonly InstanceRecord[]): void;
  updateInstance(jobId: string, index: number, patch: Partial<Omit<InstanceRecord, 'jobId' | 'index'>>): void;
  listInstances(jobId: string): InstanceRecord[];

  appendEvent(jobId: string, event: JobEvent): void;
  /** Events after the first `after`, oldest first, and how many there are in all. */
  listEvents(jobId: string, after: number, limit: number): { events: JobEvent[]; total: number };
}
