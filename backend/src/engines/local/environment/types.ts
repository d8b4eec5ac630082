/**
 * The narrow, engine-neutral input and output of `buildEnvironment`. Deliberately independent of the
 * JobSpec schema: the supervisor maps a job and its placement onto these shapes, so this module
 * needs nothing but numbers and strings.
 */

/** The distributed training modes; each decides which variables its instances get. */
export const TRAINING_MODES = ['ddp', 'mpi', 'horovod', 'deepspeed', 'ray', 'ps-worker'] as const;
export type TrainingMode = (typeof TRAINING_MODES)[number];

/**
 * What an instance is within its job: `node` for DDP / MPI / Horovod / DeepSpeed, `ps` and `worker` for
 * PS-Worker, `head` and `ray-worker` for Ray.
 */
export type InstanceRole = 'node' | 'ps' | 'worker' | 'head' | 'ray-worker';

/** The roles each mode accepts. */
export const ROLES_BY_MODE: Readonly<Record<TrainingMode, readonly InstanceRole[]>> = {
  ddp: ['node'],
  mpi: ['node'],
  horovod: ['node'],
  deepspeed: ['node'],
  'ps-worker': ['ps', 'worker'],
  ray: ['head', 'ray-worker'],
};

/** The ports a mode can ask the supervisor for (see `requiredPorts`). */
export type PortName =
  /** DDP rendezvous (MASTER_PORT) on instance 0. */
  | 'master'
  /** Ray GCS port (HEAD_PORT) on the head. */
  | 'head'
  /** A TensorFlow server's own port, one per ps and worker (the `host:port` in TF_CONFIG). */
  | 'task';

/** Accelerator devices handed to one instance by the scheduler. */
export interface DeviceAssignment {
  kind: 'nvidia' | 'ascend';
  /**
   * Device ordinals, one per visible device (`visibleDeviceCount(gpus)` of them). An empty list
   * hides every device of that kind (a CPU-only instance on an accelerator machine).
   */
  ids: readonly number[];
}

/** Where one instance of a job runs and what it was given. */
export interface InstancePlacement {
  /** Position in the job, 0-based; must equal its position in `EnvironmentInput.instances`. */
  index: number;
  role: InstanceRole;
  /** Ray worker group name (exported as AIPLAT_GROUP when set). */
  group?: string;
  /** Address the other instances reach this one at; 127.0.0.1 on the local engine. */
  host: string;
  /**
   * Accelerators requested: 0 (CPU-only), a share of one device (0.1 to 1) or a whole number of
   * devices. A share counts as one visible device in every count (see `visibleDeviceCount`).
   */
  gpus: number;
  /** Optional device assignment; sets CUDA_VISIBLE_DEVICES or ASCEND_RT_VISIBLE_DEVICES. */
  devices?: DeviceAssignment;
  /**
   * Ports the supervisor allocated for this instance (free ports, never guessed), keyed by
   * `PortName`. Must hold at least `requiredPorts(mode, placement)`; ports on one host are distinct.
   */
  ports: Readonly<Partial<Record<PortName, number>>>;
}

export interface EnvironmentInput {
  jobId: string;
  mode: TrainingMode;
  /** Every instance of the job, in index order. */
  instances: readonly InstancePlacement[];
  /** The user's own variables; they may not name a platform variable (see `isPlatformEnvName` in @aiplat/api). */
  userEnv: Readonly<Record<string, string>>;
  /** Absolute path of the hyperparameters JSON every instance reads (HYPERPARAMETERS_PATH). */
  hyperparametersPath: string;
  /**
   * The hyperparameters themselves. When given, the plan includes the file at
   * `hyperparametersPath`; when left out the caller writes it.
   */
  hyperparameters?: Readonly<Record<string, unknown>>;
  /** Absolute path of the job's own directory; generated files (the MPI / DeepSpeed hostfile) go under it. */
  jobDir: string;
  /** Absolute path of the folder for TensorBoard summaries (AIPLAT_SUMMARY_DIR). */
  summaryDir?: string;
  /** The job's datasets and models: AIPLAT_DATASET_<NAME>, AIPLAT_MODEL_<NAME> and their folders. */
  inputEnv?: Readonly<Record<string, string>>;
}

/** One instance's complete environment: the user's variables plus the platform's. */
export interface InstanceEnvironment {
  index: number;
  /** `role-n` with n counted within the role (`node-1`, `ps-0`, `worker-2`, `head-0`), as AIPLAT_INSTANCE. */
  name: string;
  /**
   * Variables to set on the instance's process. The caller layers them over its base environment
   * (PATH, HOME...) and should drop any platform variable name the base itself carries.
   */
  env: Readonly<Record<string, string>>;
}

/** A file the supervisor writes before starting any instance. */
export interface PlannedFile {
  path: string;
  content: string;
}

export interface EnvironmentPlan {
  instances: readonly InstanceEnvironment[];
  /** Job-wide files (shared by every instance). */
  files: readonly PlannedFile[];
}

export type EnvironmentErrorCode =
  | 'no-instances'
  | 'bad-index'
  | 'bad-role'
  | 'bad-topology'
  | 'bad-gpus'
  | 'bad-devices'
  | 'missing-port'
  | 'bad-port'
  | 'port-clash'
  | 'bad-path'
  | 'bad-host'
  | 'bad-env'
  | 'env-conflict';

export interface EnvironmentError {
  code: EnvironmentErrorCode;
  message: string;
  /** The instance at fault, when there is one. */
  instance?: number;
  /** The variable at fault, for env errors. */
  variable?: string;
}

export type EnvironmentResult =
  { ok: true; plan: EnvironmentPlan } | { ok: false; errors: readonly EnvironmentError[] };
