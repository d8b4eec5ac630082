import {
  createEventSocket,
  type ConnectionState,
  type EventMessage,
  type EventSocket,
  type WebSocketFactory,
} from '@aiplat/api';
import type { Subscription } from '../model/emitter.js';

/** What the live models need of the event stream; a fake in some tests, `LiveEvents` otherwise. */
export interface EventSource {
  /**
   * Calls `handler` with each event of `topic`, across reconnects and connection changes. For
   * streamed topics `cursor()` is read at each (re)subscription, so a follower resumes where it is.
   */
  subscribe(topic: string, handler: (event: EventMessage) => void, options?: SubscribeOptions): Subscription;
}

export interface SubscribeOptions {
  /** For streamed topics: where to (re)start, read at each (re)subscription. */
  cursor?: () => string | undefined;
  /**
   * Called each time the server confirms the subscription (after every (re)connect): read the
   * current state over HTTP then, so no change falls between the read and the subscription.
   */
  onSubscribed?: () => void;
}

export interface LiveEventsOptions {
  onDidChangeState: (listener: (state: ConnectionState) => void) => Subscription;
  state: () => ConnectionState;
  token: () => PromiseLike<string | undefined>;
  createWebSocket: WebSocketFactory;
  /** Told when the server closes the socket (e.g. 4401 token refused). */
  onClose?: (code: number, reason: string) => void;
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
}

interface Entry extends SubscribeOptions {
  topic: string;
  handler: (event: EventMessage) => void;
  unsubscribe?: () => void;
}

/**
 * One shared WebSocket per connection: opened when the connection is established, closed when it
 * is lost; subscriptions outlive it and are re-made on the next socket.
 */
export class LiveEvents implements EventSource {
  private socket: EventSocket | undefined;
  /** Settles once the socket of the latest connection exists (its token read), or was given up. */
  private opening: Promise<void> | undefined;
  private readonly entries = new Set<Entry>();
  private readonly stateWatch: Subscription;
  private generation = 0;
  private disposed = false;

  constructor(private readonly options: LiveEventsOptions) {
    this.stateWatch = options.onDidChangeState((state) => void (this.opening = this.apply(state)));
    this.opening = this.apply(options.state());
  }

  /** Resolves when the current socket (if any) said hello; for tests and the status bar. */
  async ready(): Promise<boolean> {
    await this.opening;
    if (!this.socket) return false;
    await this.socket.ready();
    return true;
  }

  subscribe(topic: string, handler: (event: EventMessage) => void, options: SubscribeOptions = {}): Subscription {
    const entry: Entry = { topic, handler, ...options };
    this.entries.add(entry);
    this.attach(entry);
    return {
      dispose: () => {
        entry.unsubscribe?.();
        this.entries.delete(entry);
      },
    };
  }

  private attach(entry: Entry): void {
    if (!this.socket) return;
    const cursor = entry.cursor?.();
    entry.unsubscribe = this.socket.subscribe(entry.topic, entry.handler, cursor === undefined ? {} : { cursor });
  }

  private async apply(state: ConnectionState): Promise<void> {
    const generation = ++this.generation;
    this.closeSocket();
    if (state.status !== 'connected' || this.disposed) return;
    const token = await this.options.token();
    if (generation !== this.generation || this.disposed) return;
    this.socket = createEventSocket({
      baseUrl: state.serverUrl,
      token,
      createWebSocket: this.options.createWebSocket,
      reconnect: this.options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 15_000 },
      onClose: this.options.onClose,
      onMessage: (message) => {
        if (message.type !== 'subscribed') return;
        for (const entry of this.entries) if (entry.topic === message.topic) entry.onSubscribed?.();
      },
    });
    for (const entry of this.entries) this.attach(entry);
  }

  private closeSocket(): void {
    for (const entry of this.entries) {
      entry.unsubscribe?.();
      entry.unsubscribe = undefined;
    }
    this.socket?.close();
    this.socket = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stateWatch.dispose();
    this.closeSocket();
    this.entries.clear();
  }
}
