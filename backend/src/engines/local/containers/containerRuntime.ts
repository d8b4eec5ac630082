import type { Readable, Writable } from 'node:stream';

/** A folder of this machine seen at `target` in the container. */
export interface ContainerMount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ContainerResources {
  /** CPUs the container may use (fractions allowed). */
  cpus?: number;
  memoryBytes?: number;
  /** Device nodes of this machine (e.g. `/dev/nvidia0`), seen at the same path inside. */
  devices?: string[];
}

export interface ContainerSpec {
  name: string;
  image: string;
  /** Replaces the image's CMD. */
  command?: string[];
  /** Replaces the image's ENTRYPOINT. */
  entrypoint?: string[];
  env: Record<string, string>;
  workingDir: string;
  /** `uid`, `uid:gid` or a user name of the image. */
  user?: string;
  mounts: ContainerMount[];
  labels: Record<string, string>;
  resources: ContainerResources;
  /**
   * An init process as PID 1 that forwards signals and reaps orphans (a `sleep` as PID 1 would
   * ignore SIGTERM, and a stop would wait out the whole grace period).
   */
  init: boolean;
  /** The runtime's default network (bridge) when left out. */
  network?: 'host' | 'bridge' | 'none';
}

export interface RegistryAuth {
  username: string;
  password: string;
  /** The registry host the credentials are for, e.g. `registry.example.com:5000`. */
  serveraddress: string;
}

export interface PullProgress {
  /** What the runtime says it is doing, e.g. `Copying blob sha256:…`. */
  status: string;
  /** The layer it concerns, when it concerns one. */
  id?: string;
  current?: number;
  total?: number;
}

export interface EnsureImageOptions {
  auth?: RegistryAuth;
  /**
   * False for a registry served over plain HTTP (or a self-signed certificate). Podman honours it
   * per pull; Docker only for registries its daemon lists as insecure (127.0.0.0/8 always is).
   */
  tlsVerify?: boolean;
  onProgress?: (progress: PullProgress) => void;
}

export interface ExecOptions {
  user?: string;
  env?: Record<string, string>;
  workingDir?: string;
  /**
   * Given: copied to the command's stdin, which is closed when it ends. Otherwise stdin is closed.
   * The command should read all of it: when one exits first, Podman 4.3's attach gives up on the
   * stdin it cannot deliver and may lose the end of the output or reset the connection (then exec
   * rejects rather than pass on output that may be cut short).
   */
  stdin?: Readable;
  /** Written with back-pressure: a slow stdout slows the command down rather than filling memory. */
  stdout: Writable;
  stderr: Writable;
  /** Aborting kills the command (its process group); exec then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  status: ContainerStatus;
  running: boolean;
  /** Set once it has exited. */
  exitCode?: number;
  oomKilled: boolean;
  startedAt?: Date;
  finishedAt?: Date;
  /** Its PID 1 on this machine, while running. */
  pid?: number;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  status: ContainerStatus;
}

/** A piece of a container's output, from the stream it was written to. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** A container's output as it comes; destroying it stops reading (and following). */
export type OutputChunks = AsyncIterable<OutputChunk> & { destroy(error?: Error): void };

/**
 * What the local engine asks of a container runtime (Podman or Docker): images, containers and
 * commands in them. Failures are `ContainerError`s with a code. Containers are found again after a
 * backend restart by their labels.
 */
export interface ContainerRuntime {
  readonly kind: 'podman' | 'docker';
  readonly version: string;
  /** Resolves once the image is on this machine: there already, or pulled with `auth`. */
  ensureImage(ref: string, options?: EnsureImageOptions): Promise<void>;
  /** Creates and starts a container; resolves to its id. A container that fails to start is removed. */
  run(spec: ContainerSpec): Promise<string>;
  /**
   * Runs `argv` in a running container; resolves to its exit code once its output is all written.
   * A failed stdout or stderr (or an abort) kills the command rather than leaving it running.
   */
  exec(id: string, argv: string[], options: ExecOptions): Promise<number>;
  inspect(id: string): Promise<ContainerState>;
  /** Starts a created or stopped container again (with what changed in it); a running one is fine. */
  start(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceSeconds`; a container stopped already is fine. */
  stop(id: string, graceSeconds: number): Promise<void>;
  /** A container removed already is fine; `force` removes a running one. */
  remove(id: string, options: { force: boolean }): Promise<void>;
  /** Its output so far, and with `follow` what comes until it stops (destroy the stream to stop following). */
  logs(id: string, options: { follow: boolean }): Promise<OutputChunks>;
  /** Every container (running or not) with this label (`key` or `key=value`). */
  list(filter: { label: string }): Promise<ContainerSummary[]>;
}
