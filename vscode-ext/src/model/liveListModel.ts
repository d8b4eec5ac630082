import type { ApiClient, EventMessage } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import { Emitter, type Subscription } from './emitter.js';

/** A change of a live list: an item upserted, or the item with this key removed. */
export type ListChange<T> = { change: 'updated'; item: T } | { change: 'deleted'; key: string };

/** What one kind of live list reads, listens to and keys its items by; `C` is its topic's change. */
export interface LiveListSource<T, C> {
  /** The topic whose events change the list. */
  topic: string;
  /** The topic's change in an event; undefined for an event of another kind. */
  changeOf(event: EventMessage): C | undefined;
  /** A topic's change (or an action's answer, told as one) as a change of the list. */
  listChange(change: C): ListChange<T>;
  /** The whole list, read at each (re)subscription and on refresh. */
  list(client: ApiClient): Promise<T[]>;
  key(item: T): string;
  /** Whether `incoming` is older than `current` (changes may overtake each other): it is then dropped. */
  isStale?(current: T, incoming: T): boolean;
}

export interface LiveListOptions {
  /** The client of the current connection; undefined while disconnected. */
  client: () => ApiClient | undefined;
  events: EventSource;
}

/**
 * A list of the user's things, free of `vscode`: read over HTTP, kept live by a topic (`updated`
 * upserts, `deleted` removes), newest first. The services and dev machines models are its kinds.
 */
export class LiveListModel<T extends { createdAt: string }, C> {
  private _items: T[] = [];
  private _loaded = false;
  private _error: unknown;
  private readonly changed = new Emitter<void>();
  private readonly subscription: Subscription;
  /** Only the newest read applies its answer. */
  private reads = 0;

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly options: LiveListOptions,
    private readonly source: LiveListSource<T, C>,
  ) {
    this.subscription = options.events.subscribe(
      source.topic,
      (event) => {
        const change = source.changeOf(event);
        if (change) this.apply(change);
      },
      // Every (re)subscription re-reads the list, so nothing changed in between is missed.
      { onSubscribed: () => void this.refresh() },
    );
  }

  /** Newest first. */
  get items(): readonly T[] {
    return this._items;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  /** The last listing error, cleared by a successful refresh. */
  get error(): unknown {
    return this._error;
  }

  find(key: string): T | undefined {
    return this._items.find((item) => this.source.key(item) === key);
  }

  async refresh(): Promise<void> {
    const client = this.options.client();
    if (!client) return;
    const read = ++this.reads;
    try {
      const items = await this.source.list(client);
      if (read !== this.reads) return;
      this._items = this.newestFirst(items);
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
    this._items = [];
    this._loaded = false;
    this._error = undefined;
    this.changed.fire();
  }

  /** Applies a change from the topic, or the answer of an action the user just took. */
  apply(topicChange: C): void {
    const { key } = this.source;
    const change = this.source.listChange(topicChange);
    if (change.change === 'deleted') {
      const before = this._items.length;
      this._items = this._items.filter((item) => key(item) !== change.key);
      if (this._items.length !== before) this.changed.fire();
      return;
    }
    const current = this.find(key(change.item));
    if (current && this.source.isStale?.(current, change.item)) return;
    const others = this._items.filter((item) => key(item) !== key(change.item));
    this._items = this.newestFirst([...others, change.item]);
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private newestFirst(items: T[]): T[] {
    const { key } = this.source;
    return [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || key(a).localeCompare(key(b)));
  }
}

/** How a view shows a live list's top level: a node per item, or one message. */
export interface LiveListRootNodes<T, N> {
  item(item: T): N;
  message(text: string): N;
  /** The listing error for people. */
  describe(error: unknown): string;
  /** What the view says when the list is empty. */
  empty: string;
}

/** A live list's top-level nodes: its items; the listing error while none; nothing while loading; or `empty`. */
export function liveListRoots<T extends { createdAt: string }, N>(
  model: LiveListModel<T, unknown>,
  nodes: LiveListRootNodes<T, N>,
): N[] {
  if (model.error !== undefined && model.items.length === 0) return [nodes.message(nodes.describe(model.error))];
  if (!model.loaded) return [];
  return model.items.length > 0 ? model.items.map(nodes.item) : [nodes.message(nodes.empty)];
}
