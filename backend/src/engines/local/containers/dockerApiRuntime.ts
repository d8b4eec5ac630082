import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { ContainerError, containerErrorOf, pullErrorOf, runtimeMessage, statusOf } from './containerError.js';
import type {
  ContainerRuntime,
  ContainerSpec,
  ContainerState,
  ContainerStatus,
  ContainerSummary,
  EnsureImageOptions,
  ExecOptions,
  OutputChunks,
} from './containerRuntime.js';
import { demultiplex, outputFrames } from './outputFrames.js';

/** The runtime reports times it never reached as the zero time. */
const NEVER = '0001-01-01T00:00:00Z';
/** An exec's exit code can lag its output's end by a moment. */
const EXEC_EXIT_POLLS = 100;
const EXEC_EXIT_POLL_MS = 20;

interface PullMessage {
  /** Docker's words (and Podman's in the Docker-compatible pull). */
  status?: string;
  /** Podman's words in its own pull. */
  stream?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Podman or Docker through the Docker-compatible REST API (dockerode over their Unix socket):
 * the same calls work on both, so the engine never knows which it has beyond `kind`.
 */
export class DockerApiRuntime implements ContainerRuntime {
  constructor(
    private readonly docker: Docker,
    readonly kind: 'podman' | 'docker',
    readonly version: string,
    /** For messages: where the runtime is. */
    private readonly socketPath: string,
  ) {}

  async ensureImage(ref: string, options: EnsureImageOptions = {}): Promise<void> {
    try {
      await this.docker.getImage(ref).inspect();
      return;
    } catch (error) {
      if (statusOf(error) !== 404) throw this.failure(error, `looking for image ${ref}`);
    }
    let stream: Readable;
    try {
      stream = await this.pull(ref, options);
    } catch (error) {
      const failure = this.failure(error, `pulling ${ref}`);
      throw failure.code === 'runtime_failed' ? pullErrorOf(ref, runtimeMessage(error)) : failure;
    }
    for await (const message of jsonLines(stream)) {
      const error = message.errorDetail?.message ?? message.error;
      if (error) throw pullErrorOf(ref, error);
      const status = message.status ?? message.stream?.trim();
      if (status && options.onProgress)
        options.onProgress({
          status,
          ...(message.id ? { id: message.id } : {}),
          ...(message.progressDetail?.current !== undefined ? { current: message.progressDetail.current } : {}),
          ...(message.progressDetail?.total !== undefined ? { total: message.progressDetail.total } : {}),
        });
    }
    // A pull can end without an error message and still leave nothing behind.
    try {
      await this.docker.getImage(ref).inspect();
    } catch (error) {
      throw statusOf(error) === 404
        ? new ContainerError('image_not_found', `image ${ref}: the pull ended but the image is not on this machine`)
        : this.failure(error, `looking for image ${ref}`);
    }
  }

  /**
   * Docker's pull, or Podman's own where TLS verification is off: Podman's Docker-compatible pull
   * has no such switch (Docker takes its insecure registries from the daemon's settings only).
   */
  private async pull(ref: string, options: EnsureImageOptions): Promise<Readable> {
    const authconfig = options.auth ? { authconfig: options.auth } : {};
    if (options.tlsVerify !== false || this.kind !== 'podman')
      return (await this.docker.pull(ref, authconfig)) as unknown as Readable;
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: '/v4.0.0/libpod/images/pull?',
          method: 'POST',
          options: { reference: ref, tlsVerify: false },
          ...authconfig,
          isStream: true,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        },
        (error: unknown, stream: unknown) => (error ? reject(error as Error) : resolve(stream as Readable)),
      );
    });
  }

  async run(spec: ContainerSpec): Promise<string> {
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(createOptions(spec));
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || /already in use/i.test(runtimeMessage(error)))
        throw new ContainerError('name_conflict', `a container named ${spec.name} exists already`, { cause: error });
      if (status === 404)
        throw new ContainerError(
          'image_not_found',
          `image ${spec.image} is not on this machine (ensureImage pulls it): ${runtimeMessage(error)}`,
          { cause: error },
        );
      throw this.failure(error, `creating container ${spec.name}`);
    }
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw this.failure(error, `starting container ${spec.name}`);
    }
    return container.id;
  }

  async exec(id: string, argv: string[], options: ExecOptions): Promise<number> {
    const { stdin, signal } = options;
    signal?.throwIfAborted();
    let exec: Docker.Exec;
    let connection: Duplex;
    try {
      exec = await this.docker.getContainer(id).exec({
        Cmd: argv,
        AttachStdin: stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        ...(options.user ? { User: options.user } : {}),
        ...(options.env ? { Env: envList(options.env) } : {}),
        ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      });
      // Hijacked: one raw connection carries stdin in and the framed output out.
      connection = (await exec.start({ hijack: true, stdin: stdin !== undefined })) as Duplex;
    } catch (error) {
      throw this.notFound(error, id) ?? this.failure(error, `running ${argv[0] ?? ''} in container ${id}`);
    }
    const abort = () => connection.destroy();
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) abort();
    try {
      // Ending stdin half-closes the connection: the command reads EOF while its output still flows.
      if (stdin) {
        stdin.once('error', (error) => connection.destroy(error));
        stdin.pipe(connection);
      } else connection.end();
      await demultiplex(connection, { stdout: options.stdout, stderr: options.stderr }, signal);
    } catch (error) {
      connection.destroy();
      // A closed connection does not end the command: it would go on (writing into nothing) for good.
      const killed = await this.killExec(exec);
      if (killed !== true)
        throw new ContainerError(
          'runtime_failed',
          `${argv[0] ?? ''} in container ${id} was left running (pid ${killed.pid}): ${killed.error.message}`,
          { cause: error },
        );
      if (signal?.aborted) throw signal.reason;
      throw new ContainerError(
        'runtime_failed',
        `running ${argv[0] ?? ''} in container ${id}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      signal?.removeEventListener('abort', abort);
      if (stdin) stdin.unpipe(connection);
    }
    return this.exitCodeOf(exec, argv, id);
  }

  async inspect(id: string): Promise<ContainerState> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (error) {
      throw this.notFound(error, id) ?? this.failure(error, `inspecting container ${id}`);
    }
    const state = info.State;
    const exited = state.Status === 'exited' || state.Status === 'dead';
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      labels: info.Config.Labels ?? {},
      status: state.Status as ContainerStatus,
      running: state.Running,
      ...(exited ? { exitCode: state.ExitCode } : {}),
      oomKilled: state.OOMKilled,
      ...(state.StartedAt && state.StartedAt !== NEVER ? { startedAt: new Date(state.StartedAt) } : {}),
      ...(state.FinishedAt && state.FinishedAt !== NEVER ? { finishedAt: new Date(state.FinishedAt) } : {}),
      ...(state.Running && state.Pid > 0 ? { pid: state.Pid } : {}),
    };
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (error) {
      if (statusOf(error) === 304) return;
      throw this.notFound(error, id) ?? this.failure(error, `starting container ${id}`);
    }
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch (error) {
      if (statusOf(error) === 304) return;
      throw this.notFound(error, id) ?? this.failure(error, `stopping container ${id}`);
    }
  }

  async remove(id: string, options: { force: boolean }): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: options.force, v: true });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failure(error, `removing container ${id}`);
    }
  }

  async logs(id: string, options: { follow: boolean }): Promise<OutputChunks> {
    const container = this.docker.getContainer(id);
    let output: Readable;
    try {
      const common = { stdout: true, stderr: true } as const;
      // dockerode hands back a stream when following and the whole output as a Buffer otherwise.
      output = options.follow
        ? ((await container.logs({ ...common, follow: true })) as unknown as Readable)
        : Readable.from([await container.logs({ ...common, follow: false })]);
    } catch (error) {
      throw this.notFound(error, id) ?? this.failure(error, `reading the logs of container ${id}`);
    }
    // Not Readable.from: its destroy waits for the generator's pending read, which a quiet
    // container being followed may never satisfy, and the connection would stay open.
    const frames = outputFrames(output);
    return new Readable({
      objectMode: true,
      read() {
        frames.next().then(
          ({ value, done }) => this.push(done ? null : value),
          (error: unknown) => this.destroy(error as Error),
        );
      },
      destroy(error, callback) {
        output.destroy();
        callback(error);
      },
    });
  }

  async list(filter: { label: string }): Promise<ContainerSummary[]> {
    try {
      const containers = await this.docker.listContainers({ all: true, filters: { label: [filter.label] } });
      return containers.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        image: c.Image,
        labels: c.Labels ?? {},
        status: c.State as ContainerStatus,
      }));
    } catch (error) {
      throw this.failure(error, `listing containers labelled ${filter.label}`);
    }
  }

  private async exitCodeOf(exec: Docker.Exec, argv: string[], id: string): Promise<number> {
    for (let poll = 0; poll < EXEC_EXIT_POLLS; poll++) {
      let info: Docker.ExecInspectInfo;
      try {
        info = await exec.inspect();
      } catch (error) {
        throw this.failure(error, `reading the exit code of ${argv[0] ?? ''} in container ${id}`);
      }
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await sleep(EXEC_EXIT_POLL_MS);
    }
    throw new ContainerError(
      'runtime_failed',
      `${argv[0] ?? ''} in container ${id} closed its output but the runtime still reports it running`,
    );
  }

  /**
   * Kills the process group of an exec that is still running (runc makes each exec a session
   * leader, so its children go too). The runtime's API has no call for it; the exec's pid is this
   * machine's, which the local engine shares.
   */
  private async killExec(exec: Docker.Exec): Promise<true | { pid: number; error: Error }> {
    let info: Docker.ExecInspectInfo;
    try {
      info = await exec.inspect();
    } catch {
      return true; // Gone with its container.
    }
    if (!info.Running || !info.Pid) return true;
    try {
      process.kill(-info.Pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return { pid: info.Pid, error: error as Error };
    }
    return true;
  }

  private notFound(error: unknown, id: string): ContainerError | undefined {
    if (statusOf(error) !== 404) return undefined;
    return new ContainerError('container_not_found', `no container ${id}: ${runtimeMessage(error)}`, { cause: error });
  }

  private failure(error: unknown, what: string): ContainerError {
    return containerErrorOf(error, what, this.socketPath);
  }
}

function envList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const { resources } = spec;
  return {
    name: spec.name,
    Image: spec.image,
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    Env: envList(spec.env),
    WorkingDir: spec.workingDir,
    ...(spec.user ? { User: spec.user } : {}),
    Labels: spec.labels,
    Tty: false,
    HostConfig: {
      Init: spec.init,
      Mounts: spec.mounts.map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
      ...(resources.cpus !== undefined ? { NanoCpus: Math.round(resources.cpus * 1e9) } : {}),
      ...(resources.memoryBytes !== undefined ? { Memory: resources.memoryBytes } : {}),
      ...(resources.devices?.length
        ? {
            Devices: resources.devices.map((device) => ({
              PathOnHost: device,
              PathInContainer: device,
              CgroupPermissions: 'rwm',
            })),
          }
        : {}),
      ...(spec.network ? { NetworkMode: spec.network } : {}),
    },
  };
}

/** Newline-delimited JSON, as pulls report their progress. */
async function* jsonLines(stream: Readable): AsyncGenerator<PullMessage> {
  let pending = '';
  stream.setEncoding('utf8');
  const parse = (line: string): PullMessage | undefined => {
    const text = line.trim();
    if (!text) return undefined;
    try {
      return JSON.parse(text) as PullMessage;
    } catch {
      return { status: text };
    }
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const message = parse(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      if (message) yield message;
    }
  }
  const last = parse(pending);
  if (last) yield last;
}
