import type { ApiClient, Service, ServiceChange } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import { Emitter, type Subscription } from '../model/emitter.js';

export interface ServicesModelOptions {
  /** The client of the current connection; undefined while disconnected. */
  client: () => ApiClient | undefined;
  events: EventSource;
}

/**
 * The user's online services, free of `vscode`: `GET /api/services`, kept live by the `services`
 * topic (`updated` upserts, `deleted` removes), newest first.
 */
export class ServicesModel {
  private _services: Service[] = [];
  private _loaded = false;
  private _error: unknown;
  private readonly changed = new Emitter<void>();
  private readonly subscription: Subscription;
  /** Only the newest read applies its answer. */
  private reads = 0;

  readonly onDidChange = this.changed.event;

  constructor(private readonly options: ServicesModelOptions) {
    this.subscription = options.events.subscribe(
      'services',
      (event) => {
        if (event.kind === 'services') this.apply(event.data);
      },
      // Every (re)subscription re-reads the list, so nothing changed in between is missed.
      { onSubscribed: () => void this.refresh() },
    );
  }

  get services(): readonly Service[] {
    return this._services;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  /** The last listing error, cleared by a successful refresh. */
  get error(): unknown {
    return this._error;
  }

  find(name: string): Service | undefined {
    return this._services.find((service) => service.name === name);
  }

  async refresh(): Promise<void> {
    const client = this.options.client();
    if (!client) return;
    const read = ++this.reads;
    try {
      const { services } = await client.listServices();
      if (read !== this.reads) return;
      this._services = newestFirst(services);
      this._error = undefined;
    } catch (error) {
      if (read !== this.reads) return;
      this._error = error;
    }
    this._loaded = true;
    this.changed.fire();
  }

  /** Forgets everything (the connection was lost or changed). */
  clear(): void {
    this._services = [];
    this._loaded = false;
    this._error = undefined;
    this.changed.fire();
  }

  /** Applies a change from the topic, or the answer of an action the user just took. */
  apply(change: ServiceChange): void {
    if (change.change === 'deleted') {
      const before = this._services.length;
      this._services = this._services.filter((service) => service.name !== change.name);
      if (this._services.length !== before) this.changed.fire();
      return;
    }
    const current = this.find(change.service.name);
    // Changes may overtake each other (an action's answer and the topic): the newer one stays.
    if (current && current.updatedAt > change.service.updatedAt) return;
    const others = this._services.filter((service) => service.name !== change.service.name);
    this._services = newestFirst([...others, change.service]);
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function newestFirst(services: Service[]): Service[] {
  return [...services].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name));
}
