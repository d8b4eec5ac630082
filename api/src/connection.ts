import { createClient, type ApiClient } from './client.js';
import { ApiError } from './errors.js';
import type { ServerInfo } from './schemas/system.js';

/**
 * Where a surface (JupyterLab, VS Code) stands with the server. The host-agnostic part of both
 * extensions' connection models: they wrap it in a Lumino signal or a VS Code event and add their
 * own token storage, nothing else.
 */
export type ConnectionState =
  | { readonly status: 'disconnected' }
  | { readonly status: 'connecting'; readonly serverUrl: string }
  | { readonly status: 'connected'; readonly serverUrl: string; readonly info: ServerInfo }
  /** The server answered with another API major version (`ApiError` code `version_mismatch`). */
  | { readonly status: 'version-mismatch'; readonly serverUrl: string; readonly error: ApiError }
  | { readonly status: 'error'; readonly serverUrl: string; readonly error: ApiError };

export type ConnectionStatus = ConnectionState['status'];

export interface ConnectionOptions {
  /** Read on every `connect()`, so a changed setting applies to the next attempt. */
  serverUrl: () => string;
  /** Read on every `connect()`; may be async (VS Code's SecretStorage is). */
  token: () => string | undefined | PromiseLike<string | undefined>;
  /** Passed to `createClient`; leave out to use the global `fetch`. */
  fetch?: typeof fetch;
}

export interface ConnectionListenerDisposable {
  dispose(): void;
}

const DISCONNECTED: ConnectionState = { status: 'disconnected' };

function toApiError(cause: unknown): ApiError {
  if (cause instanceof ApiError) return cause;
  return new ApiError('internal', cause instanceof Error ? cause.message : String(cause), { cause });
}

function checkServerUrl(serverUrl: string): void {
  let protocol: string;
  try {
    protocol = new URL(serverUrl).protocol;
  } catch {
    throw new ApiError('bad_request', `not a URL: "${serverUrl}"`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ApiError('bad_request', `not an http(s) URL: "${serverUrl}"`);
  }
}

/**
 * Connects with `createClient(...).connect()` (which checks the API version) and tracks the state.
 * `connect()` never throws: failures become the `error` / `version-mismatch` states. A newer
 * `connect()` or `disconnect()` supersedes an attempt still in flight.
 */
export class Connection {
  private _state: ConnectionState = DISCONNECTED;
  private _client: ApiClient | undefined;
  private _attempt = 0;
  private _disposed = false;
  private readonly _listeners = new Set<(state: ConnectionState) => void>();

  constructor(private readonly options: ConnectionOptions) {}

  get state(): ConnectionState {
    return this._state;
  }

  /** The client of the current connection; undefined unless `state.status` is `connected`. */
  get client(): ApiClient | undefined {
    return this._client;
  }

  get serverUrl(): string {
    return this.options.serverUrl().trim();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Shaped like a VS Code `Event`, so it can be exposed as one without an adapter. */
  readonly onDidChangeState = (listener: (state: ConnectionState) => void): ConnectionListenerDisposable => {
    const wrapped = (state: ConnectionState) => listener(state);
    this._listeners.add(wrapped);
    return { dispose: () => this._listeners.delete(wrapped) };
  };

  async connect(): Promise<ConnectionState> {
    if (this._disposed) return this._state;
    const attempt = ++this._attempt;
    const serverUrl = this.serverUrl;
    this._client = undefined;
    this.setState({ status: 'connecting', serverUrl });
    try {
      checkServerUrl(serverUrl);
      const token = await this.options.token();
      const client = createClient({ baseUrl: serverUrl, token, fetch: this.options.fetch });
      const info = await client.connect();
      if (attempt !== this._attempt) return this._state;
      this._client = client;
      this.setState({ status: 'connected', serverUrl, info });
    } catch (cause) {
      if (attempt !== this._attempt) return this._state;
      const error = toApiError(cause);
      this.setState({ status: error.code === 'version_mismatch' ? 'version-mismatch' : 'error', serverUrl, error });
    }
    return this._state;
  }

  disconnect(): void {
    if (this._disposed) return;
    this._attempt++;
    this._client = undefined;
    this.setState(DISCONNECTED);
  }

  /** Safe to call twice; drops the listeners without notifying them. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._attempt++;
    this._client = undefined;
    this._listeners.clear();
  }

  private setState(state: ConnectionState): void {
    if (state === this._state) return;
    this._state = state;
    for (const listener of [...this._listeners]) {
      try {
        listener(state);
      } catch (error) {
        // One failing listener must not keep the others from hearing the change (as Lumino does).
        console.error(error);
      }
    }
  }
}
