/** What went wrong, for the engine to decide on (retry, fail the dev machine, clean up). */
export type ContainerErrorCode =
  /** The runtime's socket does not answer. */
  | 'runtime_unreachable'
  /** The image is neither on this machine nor in its registry. */
  | 'image_not_found'
  /** The registry refused the credentials (or asked for some). */
  | 'registry_auth_failed'
  /** The registry does not answer. */
  | 'registry_unreachable'
  /** A container with that name exists already. */
  | 'name_conflict'
  | 'container_not_found'
  /** Anything else the runtime refused; the message carries its own words. */
  | 'runtime_failed';

export class ContainerError extends Error {
  override name = 'ContainerError';
  constructor(
    readonly code: ContainerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The shape of dockerode's errors: docker-modem adds the HTTP status and the runtime's JSON. */
interface ApiFailure {
  statusCode?: number;
  code?: string;
  json?: { message?: string; cause?: string } | null;
  message?: string;
}

/** The runtime's own message (dockerode wraps it in "(HTTP code 404) no such container - …"). */
export function runtimeMessage(error: unknown): string {
  const failure = error as ApiFailure;
  const message = failure.json?.message ?? failure.message ?? String(error);
  return message.trim();
}

export function statusOf(error: unknown): number | undefined {
  return (error as ApiFailure).statusCode;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE']);

/**
 * The error for a failed call, named by what was being done (`what`). Unreachable sockets become
 * `runtime_unreachable`; a missing init binary gets its fix, since `init` is always asked for.
 */
export function containerErrorOf(error: unknown, what: string, socketPath: string): ContainerError {
  if (error instanceof ContainerError) return error;
  const code = (error as ApiFailure).code;
  if (code && UNREACHABLE.has(code))
    return new ContainerError(
      'runtime_unreachable',
      `${what}: the container runtime at ${socketPath} does not answer (${code})`,
      { cause: error },
    );
  const message = runtimeMessage(error);
  if (/container-init binary not found|catatonit/i.test(message))
    return new ContainerError(
      'runtime_failed',
      `${what}: ${message} (containers run with an init process: install catatonit, or set Podman's init_path)`,
      { cause: error },
    );
  return new ContainerError('runtime_failed', `${what}: ${message}`, { cause: error });
}

/** A failed pull, classified by the registry's words (Podman and Docker report them in the stream). */
export function pullErrorOf(ref: string, message: string): ContainerError {
  if (/unauthorized|authentication required|denied|incorrect username or password/i.test(message))
    return new ContainerError(
      'registry_auth_failed',
      `pulling ${ref}: the registry refused the credentials: ${message}`,
    );
  if (/manifest unknown|name unknown|not found|no such image|does not exist/i.test(message))
    return new ContainerError('image_not_found', `image ${ref} is not in the registry: ${message}`);
  if (/connection refused|no such host|i\/o timeout|dial tcp|network is unreachable|server misbehaving/i.test(message))
    return new ContainerError('registry_unreachable', `pulling ${ref}: the registry does not answer: ${message}`);
  return new ContainerError('runtime_failed', `pulling ${ref}: ${message}`);
}
