/** Every bound of a JobSpec, for forms and docs as much as for validation. */
export const JOB_LIMITS = {
  nameChars: 60,
  descriptionChars: 500,
  datasets: 8,
  commandChars: 8192,
  tags: 20,
  tagKeyChars: 63,
  tagValueChars: 256,
  envVars: 200,
  envNameChars: 256,
  envValueChars: 32 * 1024,
  hyperparametersBytes: 64 * 1024,
  imageChars: 512,
  /** Instances of one job in total (nodes; ps + workers; head + every worker group's replicas). */
  instances: 1024,
  rayWorkerGroups: 5,
  rayGroupNameChars: 40,
  maxRestarts: 10,
  cpuPerNode: 1024,
  acceleratorsPerNode: 64,
  /** Smallest fraction of one accelerator a node may ask for. */
  minAcceleratorShare: 0.1,
  memoryMinBytes: 1_000_000,
  memoryMaxBytes: 2 ** 50,
  queueNameChars: 63,
  /** job.yaml text accepted by `parseJobYaml` and the create body. */
  yamlChars: 256 * 1024,
} as const;

/**
 * 0 is the highest priority, 9 the lowest. New jobs sit in the middle so a user can move a job
 * either way without touching the others (the example sets 0 explicitly).
 */
export const DEFAULT_JOB_PRIORITY = 5;
export const DEFAULT_JOB_QUEUE = 'default';
/** The user's home root; `workingDir` is a path relative to /work. */
export const DEFAULT_WORKING_DIR = 'home';
