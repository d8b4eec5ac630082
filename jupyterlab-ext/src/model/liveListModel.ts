import { isApiError, type ApiClient, type EventMessage } from '@aiplat/api';
import type { IConnectionModel } from '../tokens.js';
import { ChangingModel } from './changingModel.js';

/** An error as the user reads it. */
export function errorMessage(e: unknown): string {
  return isApiError(e) || e instanceof Error ? e.message : String(e);
}

/**
 * What an event of the list's topic says: an item is new or changed, one (by its key) is gone, or
 * the list is to be read again (the event tells of a change it does not carry).
 */
export type ListChange<T> = { put: T } | { removed: string } | { reload: true } | undefined;

export interface LiveListOptions<T> {
  /** The topic that keeps the list live (`services`, `devmachines`...). */
  topic: string;
  /** Reads the whole list. */
  load: (client: ApiClient) => Promise<readonly T[]>;
  /** What an event of the topic says; undefined for events of another kind. */
  changeOf: (event: EventMessage) => ListChange<T>;
  keyOf: (item: T) => string;
  /** The list's order (newest first...). */
  order: (a: T, b: T) => number;
}

/**
 * The user's items of one kind: read once, then kept live from their topic (no polling), with the
 * actions on them and what the last action on each failed with. Reloads when the connection comes
 * back; empties when it is gone.
 */
export class LiveListModel<T> extends ChangingModel {
  private _items: T[] = [];
  private _loading = false;
  private _error: string | undefined;
  /** What the last action on each item failed with, shown on its row. */
  private readonly _actionErrors = new Map<string, string>();
  private _unsubscribe: (() => void) | undefined;
  private _generation = 0;

  constructor(
    protected readonly connection: IConnectionModel,
    private readonly _options: LiveListOptions<T>,
  ) {
    super();
    connection.stateChanged.connect(this._onConnection, this);
    if (connection.state.status === 'connected') void this.refresh();
  }

  get items(): readonly T[] {
    return this._items;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | undefined {
    return this._error;
  }

  get connected(): boolean {
    return this.connection.state.status === 'connected';
  }

  actionError(key: string): string | undefined {
    return this._actionErrors.get(key);
  }

  async refresh(): Promise<void> {
    const client = this.connection.client;
    if (!client || this.isDisposed) return;
    this._subscribe();
    const generation = ++this._generation;
    this._loading = true;
    this.emit();
    try {
      const items = await this._options.load(client);
      if (generation !== this._generation) return;
      this._items = [...items].sort(this._options.order);
      this._error = undefined;
    } catch (e) {
      if (generation !== this._generation) return;
      this._error = errorMessage(e);
    } finally {
      if (generation === this._generation) this._loading = false;
    }
    this.emit();
  }

  /** Puts a new or changed item in the list at once (the topic says the same soon after). */
  put(item: T): void {
    const key = this._options.keyOf(item);
    this._items = [...this._items.filter((i) => this._options.keyOf(i) !== key), item].sort(this._options.order);
    this.emit();
  }

  /** Runs an action on one item; what it fails with is kept as the item's action error. */
  protected async act(key: string, action: (client: ApiClient) => Promise<void>): Promise<void> {
    const client = this.connection.client;
    if (!client) return;
    this._actionErrors.delete(key);
    try {
      await action(client);
    } catch (e) {
      this._actionErrors.set(key, errorMessage(e));
    }
    this.emit();
  }

  /** Takes an item out of the list (deleted). */
  protected remove(key: string): void {
    const before = this._items.length;
    this._items = this._items.filter((i) => this._options.keyOf(i) !== key);
    this._actionErrors.delete(key);
    if (this._items.length !== before) this.emit();
  }

  private _subscribe(): void {
    if (this._unsubscribe) return;
    const events = this.connection.events;
    if (!events) return;
    this._unsubscribe = events.subscribe(this._options.topic, (event) => {
      const change = this._options.changeOf(event);
      if (!change) return;
      if ('put' in change) this.put(change.put);
      else if ('removed' in change) this.remove(change.removed);
      else void this.refresh();
    });
  }

  private _onConnection(): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    if (this.connection.state.status === 'connected') void this.refresh();
    else if (this.connection.state.status === 'disconnected') {
      this._items = [];
      this.emit();
    }
  }

  protected override onDispose(): void {
    this._unsubscribe?.();
    this.connection.stateChanged.disconnect(this._onConnection, this);
  }
}
