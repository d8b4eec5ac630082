import {
  Connection,
  createEventSocket,
  type ConnectionState,
  type EventSocket,
  type EventSocketOptions,
} from '@aiplat/api';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { IConnectionModel, TokenProblem } from '../tokens.js';
import { memoryTokenStore, type TokenStore } from './tokenStore.js';

export interface IConnectionModelOptions {
  serverUrl: string;
  /** Leave out to use the page's `fetch`. */
  fetch?: typeof fetch;
  /** Leave out to use the page's `WebSocket`. */
  createWebSocket?: EventSocketOptions['createWebSocket'];
  /** Where a typed token is kept; leave out to keep it in memory (the page passes session storage). */
  tokenStore?: TokenStore;
}

/** Asks the user for a token; undefined when they cancel. */
export type AskToken = (problem: TokenProblem) => Promise<string | undefined>;

/**
 * DOM-free model of the connection: the shared `Connection` state machine from `@aiplat/api`
 * (which checks the API version through `client.connect()`) behind a Lumino signal.
 */
export class ConnectionModel implements IConnectionModel, IDisposable {
  private readonly _connection: Connection;
  private readonly _stateChanged = new Signal<this, ConnectionState>(this);
  private _serverUrl: string;
  private _settingsToken: string | undefined;
  private _settingsTokenRead = false;
  private readonly _tokens: TokenStore;
  /** The token the latest attempt sent, to tell "none sent" from "rejected". */
  private _sentToken: string | undefined;
  private _events: EventSocket | undefined;
  private readonly _createWebSocket: IConnectionModelOptions['createWebSocket'];

  constructor(options: IConnectionModelOptions) {
    this._serverUrl = options.serverUrl;
    this._createWebSocket = options.createWebSocket;
    this._tokens = options.tokenStore ?? memoryTokenStore();
    this._connection = new Connection({
      serverUrl: () => this._serverUrl,
      token: () => (this._sentToken = this.token),
      fetch: options.fetch,
    });
    this._connection.onDidChangeState((state) => {
      if (state.status !== 'connected') this.closeEvents();
      // A rejected typed token is of no use after a reload either.
      if (this.tokenProblem === 'rejected' && this._sentToken === this._tokens.get(this._serverUrl)) {
        this._tokens.set(this._serverUrl, undefined);
      }
      this._stateChanged.emit(state);
    });
  }

  get events(): EventSocket | undefined {
    if (this.state.status !== 'connected') return undefined;
    this._events ??= createEventSocket({
      baseUrl: this._serverUrl,
      token: () => this.token,
      reconnect: { initialDelayMs: 500, maxDelayMs: 10_000 },
      ...(this._createWebSocket ? { createWebSocket: this._createWebSocket } : {}),
    });
    return this._events;
  }

  private closeEvents(): void {
    this._events?.close();
    this._events = undefined;
  }

  get stateChanged(): ISignal<this, ConnectionState> {
    return this._stateChanged;
  }

  get state(): ConnectionState {
    return this._connection.state;
  }

  get client(): IConnectionModel['client'] {
    return this._connection.client;
  }

  get serverUrl(): string {
    return this._serverUrl;
  }

  /** A new URL drops the current connection: it no longer describes the configured server. */
  set serverUrl(serverUrl: string) {
    if (serverUrl === this._serverUrl) return;
    this._serverUrl = serverUrl;
    this._connection.disconnect();
  }

  /** The token typed for this server in this tab, else the one stored in the settings. */
  private get token(): string | undefined {
    return this._tokens.get(this._serverUrl) ?? this._settingsToken;
  }

  /** The token this connection sends (IConnectionModel.bearerToken). */
  get bearerToken(): string | undefined {
    return this.token;
  }

  get hasToken(): boolean {
    return this.token !== undefined;
  }

  /** Why the server refused the latest attempt, if it wanted a token: none was sent, or it was wrong. */
  get tokenProblem(): TokenProblem | undefined {
    const state = this.state;
    if (state.status !== 'error' || state.error.code !== 'unauthorized') return undefined;
    return this._sentToken === undefined ? 'missing' : 'rejected';
  }

  /**
   * The token the user stored in the settings (empty: none). Changing it afterwards replaces the
   * token typed in this tab (the later, deliberate choice); the first value, read as the page
   * loads, does not.
   */
  set settingsToken(token: string | undefined) {
    const next = token?.trim() || undefined;
    const changed = this._settingsTokenRead && next !== this._settingsToken;
    this._settingsTokenRead = true;
    this._settingsToken = next;
    if (changed) this._tokens.set(this._serverUrl, undefined);
  }

  /** A token typed by the user: kept in the token store for this server (empty forgets it). */
  setToken(token: string | undefined): void {
    this._tokens.set(this._serverUrl, token?.trim() || undefined);
  }

  connect(): Promise<ConnectionState> {
    return this._connection.connect();
  }

  /**
   * Connects, and while the server wants a token (none sent, or a rejected one) asks for one and
   * tries again; stops when connected, on another outcome, or when the user cancels.
   */
  async connectAsking(ask: AskToken): Promise<ConnectionState> {
    let state = await this.connect();
    for (let problem = this.tokenProblem; problem && !this.isDisposed; problem = this.tokenProblem) {
      const token = await ask(problem);
      if (token === undefined) break;
      this.setToken(token);
      state = await this.connect();
    }
    return state;
  }

  disconnect(): void {
    this._connection.disconnect();
  }

  get isDisposed(): boolean {
    return this._connection.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.closeEvents();
    this._connection.dispose();
    Signal.clearData(this);
  }
}
