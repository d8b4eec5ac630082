import {
  Connection,
  createEventSocket,
  type ConnectionState,
  type EventSocket,
  type EventSocketOptions,
} from '@aiplat/api';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { IConnectionModel } from '../tokens.js';

export interface IConnectionModelOptions {
  serverUrl: string;
  /** Leave out to use the page's `fetch`. */
  fetch?: typeof fetch;
  /** Leave out to use the page's `WebSocket`. */
  createWebSocket?: EventSocketOptions['createWebSocket'];
}

/**
 * DOM-free model of the connection: the shared `Connection` state machine from `@aiplat/api`
 * (which checks the API version through `client.connect()`) behind a Lumino signal.
 */
export class ConnectionModel implements IConnectionModel, IDisposable {
  private readonly _connection: Connection;
  private readonly _stateChanged = new Signal<this, ConnectionState>(this);
  private _serverUrl: string;
  private _token: string | undefined;
  private _events: EventSocket | undefined;
  private readonly _createWebSocket: IConnectionModelOptions['createWebSocket'];

  constructor(options: IConnectionModelOptions) {
    this._serverUrl = options.serverUrl;
    this._createWebSocket = options.createWebSocket;
    this._connection = new Connection({
      serverUrl: () => this._serverUrl,
      token: () => this._token,
      fetch: options.fetch,
    });
    this._connection.onDidChangeState((state) => {
      if (state.status !== 'connected') this.closeEvents();
      this._stateChanged.emit(state);
    });
  }

  get events(): EventSocket | undefined {
    if (this.state.status !== 'connected') return undefined;
    this._events ??= createEventSocket({
      baseUrl: this._serverUrl,
      token: () => this._token,
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

  get hasToken(): boolean {
    return this._token !== undefined;
  }

  /** Kept in memory for this page only: never in settings or local storage. Empty clears it. */
  setToken(token: string | undefined): void {
    this._token = token?.trim() || undefined;
  }

  connect(): Promise<ConnectionState> {
    return this._connection.connect();
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
