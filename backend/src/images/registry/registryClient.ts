import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { RegistryAuthenticator } from './auth.js';
import type { RegistryCredentials } from './credentials.js';
import { errorForResponse, isAbortError, RegistryError, unreachableError } from './registryErrors.js';

/*
 * One registry's HTTP API (`/v2/…`): every request authenticated the way the registry asked (a 401
 * is answered once, then it is wrong credentials), network failures as RegistryUnreachableError,
 * the caller's AbortSignal passed through. Bodies are Buffers so that a request can be re-sent.
 */

export interface RegistrySettings {
  /** `https://registry.example.com`, or `http://127.0.0.1:5000` for a loopback registry. */
  url: string;
  /** Plain http to a host that is not loopback, or https without checking the certificate. */
  insecure?: boolean;
  credentials?: RegistryCredentials;
}

export interface RegistryRequest {
  /** Scopes the request needs under token auth, e.g. `repository:team/app:pull,push`. */
  scopes: string[];
  headers?: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
}

export type RegistryResponse = Awaited<ReturnType<typeof undiciFetch>>;

export class RegistryConfigurationError extends Error {
  override name = 'RegistryConfigurationError';
}

export class RegistryClient {
  /** host[:port], as in image references and error messages */
  readonly registry: string;
  private readonly baseUrl: URL;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly authenticator: RegistryAuthenticator;

  constructor(settings: RegistrySettings) {
    let url: URL;
    try {
      url = new URL(settings.url);
    } catch {
      throw new RegistryConfigurationError(
        `the registry URL "${settings.url}" is not a URL (e.g. https://registry.example.com)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RegistryConfigurationError(`the registry URL "${settings.url}" must start with https:// or http://`);
    }
    if (url.protocol === 'http:' && !settings.insecure && !isLoopback(url.hostname)) {
      throw new RegistryConfigurationError(
        `the registry ${url.host} is reached over plain http: use https, or mark the registry insecure if that is intended`,
      );
    }
    this.registry = url.host;
    this.baseUrl = new URL(url.origin);
    this.dispatcher =
      url.protocol === 'https:' && settings.insecure
        ? new Agent({ connect: { rejectUnauthorized: false } })
        : undefined;
    // The token service's failures are reported by the authenticator, naming the service.
    this.authenticator = new RegistryAuthenticator(
      this.registry,
      settings.credentials,
      (tokenUrl, init) => this.fetchWithSettings(tokenUrl, { method: 'GET', ...init }) as unknown as Promise<Response>,
    );
  }

  /** An absolute URL for a `/v2/...` path or a Location header the registry sent (often relative). */
  resolve(pathOrLocation: string): string {
    return new URL(pathOrLocation, this.baseUrl).toString();
  }

  /** Sends the request, authenticating as the registry asks; any status comes back (see `expect`). */
  async request(method: string, pathOrUrl: string, request: RegistryRequest): Promise<RegistryResponse> {
    const url = this.resolve(pathOrUrl);
    let authorization = await this.authenticator.authorization(request.scopes, request.signal);
    let response = await this.send(method, url, request, authorization);
    if (response.status !== 401) return response;
    await discard(response);
    this.authenticator.learn(response.headers.get('www-authenticate'), request.scopes);
    authorization = await this.authenticator.authorization(request.scopes, request.signal);
    response = await this.send(method, url, request, authorization);
    if (response.status === 401) {
      await discard(response);
      throw this.authenticator.rejected();
    }
    return response;
  }

  /** `request`, then the typed error unless the status is one of `ok` (the body is read for the error). */
  async expect(
    method: string,
    pathOrUrl: string,
    request: RegistryRequest,
    ok: number[],
    action: string,
  ): Promise<RegistryResponse> {
    const response = await this.request(method, pathOrUrl, request);
    if (ok.includes(response.status)) return response;
    throw errorForResponse(this.registry, action, response.status, await response.text());
  }

  private async send(
    method: string,
    url: string,
    request: RegistryRequest,
    authorization: string | undefined,
  ): Promise<RegistryResponse> {
    const headers: Record<string, string> = { ...request.headers };
    if (authorization) headers.authorization = authorization;
    if (request.body === undefined && (method === 'PUT' || method === 'POST' || method === 'PATCH')) {
      headers['content-length'] = '0';
    }
    return this.fetch(url, {
      method,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }

  private async fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: Buffer; signal?: AbortSignal },
  ): Promise<RegistryResponse> {
    try {
      return await this.fetchWithSettings(url, init);
    } catch (error) {
      if (isAbortError(error) || init.signal?.aborted || error instanceof RegistryError) throw error;
      throw unreachableError(this.registry, error);
    }
  }

  private fetchWithSettings(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: Buffer; signal?: AbortSignal },
  ): Promise<RegistryResponse> {
    return undiciFetch(url, { ...init, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) });
  }
}

/** Frees the connection of a response whose body is not needed. */
export async function discard(response: RegistryResponse): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already consumed or broken: nothing holds the connection.
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
