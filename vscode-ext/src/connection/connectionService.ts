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
  /**
   * The server and token the platform hands a dev machine's code-server in its environment
   * (AIPLAT_SERVER, AIPLAT_TOKEN, as the CLI reads them): used when no token is stored, and only
   * for that server.
   */
  handedOver?: { server?: string; token?: string };
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

  private readonly handedOver: { server?: string; token?: string };

  constructor(options: ConnectionServiceOptions) {
    this.secrets = options.secrets;
    this.handedOver = options.handedOver ?? {};
    this.connection = new Connection({
      serverUrl: options.serverUrl,
      token: () => this.token(),
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

  /** The token of the current server: the stored one, else the one the platform handed over for it. */
  async token(): Promise<string | undefined> {
    const stored = await this.secrets.get(tokenKey(this.serverUrl));
    if (stored !== undefined) return stored;
    const { server, token } = this.handedOver;
    return server && token && tokenKey(server) === tokenKey(this.serverUrl) ? token : undefined;
  }

  async hasToken(): Promise<boolean> {
    return (await this.token()) !== undefined;
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
