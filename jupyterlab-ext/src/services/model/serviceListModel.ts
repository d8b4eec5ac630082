import { isApiError, type Service } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import type { IConnectionModel } from '../../tokens.js';

function newestFirst(a: Service, b: Service): number {
  return b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);
}

export function errorMessage(e: unknown): string {
  return isApiError(e) || e instanceof Error ? e.message : String(e);
}

/** The serving version's replicas: how many are ready out of how many. */
export function readyReplicas(service: Service): { ready: number; total: number } {
  const serving = service.replicas.filter((r) => r.version === service.version && r.state !== 'Stopped');
  return { ready: serving.filter((r) => r.state === 'Ready').length, total: serving.length };
}

/** Which actions a service's state allows. */
export function serviceActions(service: Service): { start: boolean; stop: boolean; restart: boolean; delete: boolean } {
  const { state } = service;
  return {
    start: state === 'Stopped' || state === 'Failed' || state === 'Sleeping',
    stop: state === 'Deploying' || state === 'Running' || state === 'Updating' || state === 'Sleeping',
    restart: state === 'Running',
    delete: state === 'Stopped' || state === 'Failed',
  };
}

/**
 * The user's services: `listServices`, then kept live from the `services` topic (no polling), and
 * the actions on them. Reloads when the connection comes back.
 */
export class ServiceListModel extends ChangingModel {
  private _services: Service[] = [];
  private _loading = false;
  private _error: string | undefined;
  private readonly _actionErrors = new Map<string, string>();
  private _unsubscribe: (() => void) | undefined;
  private _generation = 0;

  constructor(private readonly _connection: IConnectionModel) {
    super();
    _connection.stateChanged.connect(this._onConnection, this);
    if (_connection.state.status === 'connected') void this.refresh();
  }

  get services(): readonly Service[] {
    return this._services;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | undefined {
    return this._error;
  }

  get connected(): boolean {
    return this._connection.state.status === 'connected';
  }

  /** The service's full URL through the gateway, e.g. `http://server:8080/services/chat/`. */
  gatewayUrl(service: Service): string {
    return new URL(service.url, `${this._connection.serverUrl.replace(/\/+$/, '')}/`).toString();
  }

  actionError(name: string): string | undefined {
    return this._actionErrors.get(name);
  }

  async refresh(): Promise<void> {
    const client = this._connection.client;
    if (!client || this.isDisposed) return;
    this._subscribe();
    const generation = ++this._generation;
    this._loading = true;
    this.emit();
    try {
      const { services } = await client.listServices();
      if (generation !== this._generation) return;
      this._services = [...services].sort(newestFirst);
      this._error = undefined;
    } catch (e) {
      if (generation !== this._generation) return;
      this._error = errorMessage(e);
    } finally {
      if (generation === this._generation) this._loading = false;
    }
    this.emit();
  }

  start(name: string): Promise<void> {
    return this._act(name, async (client) => this.put(await client.startService({ params: { name } })));
  }

  stop(name: string): Promise<void> {
    return this._act(name, async (client) => this.put(await client.stopService({ params: { name }, body: {} })));
  }

  restart(name: string): Promise<void> {
    return this._act(name, async (client) => this.put(await client.restartService({ params: { name } })));
  }

  delete(name: string): Promise<void> {
    return this._act(name, async (client) => {
      await client.deleteService({ params: { name } });
      this._remove(name);
    });
  }

  /** Puts a deployed or changed service in the list at once (the topic says the same soon after). */
  put(service: Service): void {
    this._services = [...this._services.filter((s) => s.name !== service.name), service].sort(newestFirst);
    this.emit();
  }

  private async _act(name: string, action: (client: NonNullable<IConnectionModel['client']>) => Promise<void>) {
    const client = this._connection.client;
    if (!client) return;
    this._actionErrors.delete(name);
    try {
      await action(client);
    } catch (e) {
      this._actionErrors.set(name, errorMessage(e));
    }
    this.emit();
  }

  private _remove(name: string): void {
    const before = this._services.length;
    this._services = this._services.filter((s) => s.name !== name);
    this._actionErrors.delete(name);
    if (this._services.length !== before) this.emit();
  }

  private _subscribe(): void {
    if (this._unsubscribe) return;
    const events = this._connection.events;
    if (!events) return;
    this._unsubscribe = events.subscribe('services', (event) => {
      if (event.kind !== 'services') return;
      if (event.data.change === 'deleted') this._remove(event.data.name);
      else this.put(event.data.service);
    });
  }

  private _onConnection(): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    if (this._connection.state.status === 'connected') void this.refresh();
    else if (this._connection.state.status === 'disconnected') {
      this._services = [];
      this.emit();
    }
  }

  protected override onDispose(): void {
    this._unsubscribe?.();
    this._connection.stateChanged.disconnect(this._onConnection, this);
  }
}
