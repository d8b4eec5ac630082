/*
 * What can go wrong talking to an OCI registry, as typed errors whose messages tell the user what to
 * fix. Each carries the registry's host and, when the registry said why, its error codes
 * (the distribution spec's `{"errors":[{"code","message"}]}` body).
 */

export interface RegistryErrorDetail {
  code: string;
  message: string;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    message: string,
    readonly registry: string,
    readonly status?: number,
    readonly details: RegistryErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** 401/403 after authenticating, or a login the registry refused. */
export class RegistryAuthError extends RegistryError {
  override name = 'RegistryAuthError';
}

/** Connection refused, DNS, TLS: nothing answered as a registry. */
export class RegistryUnreachableError extends RegistryError {
  override name = 'RegistryUnreachableError';
}

/** 413, or the registry refused the size of what was sent (quota, size limit). */
export class RegistryQuotaError extends RegistryError {
  override name = 'RegistryQuotaError';
}

/** The base image (its tag, manifest or a blob) is not in the registry. */
export class ImageNotFoundError extends RegistryError {
  override name = 'ImageNotFoundError';
}

/** A manifest this client cannot append to (schema 1, an index without linux/amd64, ...). */
export class UnsupportedManifestError extends RegistryError {
  override name = 'UnsupportedManifestError';
}

/** The registry answered something the protocol does not allow here. */
export class RegistryProtocolError extends RegistryError {
  override name = 'RegistryProtocolError';
}

/** The connection broke mid-upload and the registry could not continue the upload session. */
export class UploadInterruptedError extends RegistryError {
  override name = 'UploadInterruptedError';
}

/** A docker config.json whose credentials live in a credential helper or store. */
export class UnsupportedCredentialsError extends Error {
  override name = 'UnsupportedCredentialsError';
}

/** The caller's AbortSignal fired; the upload session was deleted. Named like the DOM's AbortError. */
export class RegistryOperationAbortedError extends Error {
  override name = 'AbortError';
  constructor(readonly registry: string) {
    super(`push to ${registry} cancelled; the unfinished upload was deleted`);
  }
}

export function parseRegistryErrorBody(body: string): RegistryErrorDetail[] {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors.flatMap((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return [];
      const { code, message } = entry as { code?: unknown; message?: unknown };
      return typeof code === 'string' ? [{ code, message: typeof message === 'string' ? message : '' }] : [];
    });
  } catch {
    return [];
  }
}

const QUOTA_WORDS = /quota|size|storage|limit|too large/i;

/** The typed error for a registry's non-success answer to `action` (e.g. "upload layer sha256:…"). */
export function errorForResponse(registry: string, action: string, status: number, body: string): RegistryError {
  const details = parseRegistryErrorBody(body);
  const said = details.length
    ? details.map((detail) => `${detail.code}${detail.message ? `: ${detail.message}` : ''}`).join('; ')
    : `HTTP ${status}`;
  const codes = new Set(details.map((detail) => detail.code));
  const deniedForSize = details.some((detail) => detail.code === 'DENIED' && QUOTA_WORDS.test(detail.message));
  if (status === 413 || codes.has('SIZE_INVALID') || deniedForSize) {
    return new RegistryQuotaError(
      `${registry} refused to store this (${said}) while trying to ${action}: the image is over the registry's size limit or quota; free space in the repository or ask its administrator to raise the limit`,
      registry,
      status,
      details,
    );
  }
  if (status === 401 || status === 403) {
    return new RegistryAuthError(
      `wrong credentials for ${registry}, or no permission to ${action} (${said}): check the user name and password in the registry settings`,
      registry,
      status,
      details,
    );
  }
  if (status === 404) {
    return new ImageNotFoundError(`${registry} has no such image to ${action} (${said})`, registry, status, details);
  }
  return new RegistryProtocolError(`${registry} failed to ${action}: ${said}`, registry, status, details);
}

/** fetch's "fetch failed" with its cause (ECONNREFUSED, ENOTFOUND, a certificate error) spelled out. */
export function unreachableError(registry: string, error: unknown): RegistryUnreachableError {
  return new RegistryUnreachableError(`cannot reach ${registry}: ${networkCause(error)}`, registry);
}

export function networkCause(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
