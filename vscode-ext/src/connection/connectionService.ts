import { Connection, type ConnectionState } from '@aiplat/api';

/** The part of VS Code's `SecretStorage` the service needs; an in-memory map in tests. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export interface ConnectionServiceOptions {
  /** Read on every connect (the `aiplat.serverUrl` setting). */
  serverUrl: () => string;
  /** Where tokens live: `ExtensionContext.secrets`, never the settings. */
  secrets: SecretStore;
  fetch?: typeof fetch;
}

/** One token per server, so switching `aiplat.serverUrl` does not send a token to the wrong server. */
export function tokenKey(serverUrl: string): string {
  return `aiplat.token:${serverUrl.trim().replace(/\/+$/, '')}`;
}

/**
 * The extension's connection to the server, free of the `vscode` module: the shared
 * `Connection` state machine from `@aiplat/api` plus token storage.
 */
export class ConnectionService {
  private readonly connection: Connection;
  private readonly secrets: SecretStore;

  constructor(options: ConnectionServiceOptions) {
    this.secrets = options.secrets;
    this.connection = new Connection({
      serverUrl: options.serverUrl,
      token: () => this.secrets.get(tokenKey(this.serverUrl)),
      fetch: options.fetch,
    });
  }

  /** Assignable to `vscode.Event<ConnectionState>`. */
  get onDidChangeState(): Connection['onDidChangeState'] {
    return this.connection.onDidChangeState;
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  get client(): Connection['client'] {
    return this.connection.client;
  }

  get serverUrl(): string {
    return this.connection.serverUrl;
  }

  /** The stored token of the current server, for the event socket. */
  token(): PromiseLike<string | undefined> {
    return this.secrets.get(tokenKey(this.serverUrl));
  }

  async hasToken(): Promise<boolean> {
    return (await this.secrets.get(tokenKey(this.serverUrl))) !== undefined;
  }

  /** Stores the token of the current server; an empty token removes it. */
  async setToken(token: string): Promise<void> {
    const key = tokenKey(this.serverUrl);
    if (token.trim()) await this.secrets.store(key, token.trim());
    else await this.secrets.delete(key);
  }

  connect(): Promise<ConnectionState> {
    return this.connection.connect();
  }

  disconnect(): void {
    this.connection.disconnect();
  }

  dispose(): void {
    this.connection.dispose();
  }
}
