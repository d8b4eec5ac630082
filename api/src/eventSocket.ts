import {
  ServerMessageSchema,
  WS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PROTOCOL_PREFIX,
  type ClientMessage,
  type EventMessage,
  type ServerMessage,
} from './schemas/events.js';

/** The part of the WebSocket API we use, so browsers, VS Code and `ws` all fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export interface EventSocketOptions {
  baseUrl: string;
  token?: string | (() => string | undefined);
  /** Defaults to the global `WebSocket`. */
  createWebSocket?: WebSocketFactory;
  /** Reconnect after an unexpected close; off by default in tests. */
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
  onClose?: (code: number, reason: string) => void;
  onMessage?: (message: ServerMessage) => void;
}

export interface EventSocket {
  /**
   * Calls `handler` with each event of `topic`. For streamed topics (`job-logs/<id>`) `cursor`
   * says where to start; after a reconnect the socket resubscribes from the last batch received.
   */
  subscribe(topic: string, handler: (event: EventMessage) => void, options?: { cursor?: string }): () => void;
  /** Resolves with the server's hello once the socket is open and authenticated. */
  ready(): Promise<Extract<ServerMessage, { type: 'hello' }>>;
  close(): void;
}

/** Base64url, so any token fits the subprotocol token grammar. */
function encodeToken(token: string): string {
  const bytes = new TextEncoder().encode(token);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function tokenProtocol(token: string): string {
  return WS_TOKEN_PROTOCOL_PREFIX + encodeToken(token);
}

export function createEventSocket(options: EventSocketOptions): EventSocket {
  const url = options.baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '') + WS_PATH;
  const factory: WebSocketFactory =
    options.createWebSocket ??
    ((u, protocols) =>
      new (globalThis as unknown as { WebSocket: new (u: string, p: string[]) => WebSocketLike }).WebSocket(
        u,
        protocols,
      ));
  const handlers = new Map<string, Set<(event: EventMessage) => void>>();
  /** Streamed topics: where a (re)subscription starts. */
  const cursors = new Map<string, string>();
  let socket: WebSocketLike | undefined;
  let closedByUser = false;
  let attempt = 0;
  let helloWaiters: { resolve: (m: Extract<ServerMessage, { type: 'hello' }>) => void; reject: (e: Error) => void }[] =
    [];
  let hello: Extract<ServerMessage, { type: 'hello' }> | undefined;

  const send = (message: ClientMessage) => {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
  };
  const subscribeMessage = (topic: string): ClientMessage => {
    const cursor = cursors.get(topic);
    return cursor === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, cursor };
  };

  function open() {
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const protocols = [WS_PROTOCOL, ...(token ? [tokenProtocol(token)] : [])];
    const ws = factory(url, protocols);
    socket = ws;
    ws.onmessage = (ev) => {
      let message: ServerMessage;
      try {
        message = ServerMessageSchema.parse(JSON.parse(String(ev.data)));
      } catch {
        return;
      }
      options.onMessage?.(message);
      if (message.type === 'hello') {
        attempt = 0;
        hello = message;
        for (const topic of handlers.keys()) send(subscribeMessage(topic));
        for (const w of helloWaiters) w.resolve(message);
        helloWaiters = [];
      } else if (message.type === 'event') {
        const event = message as EventMessage;
        // Log topics resume where they were after a reconnect.
        if (
          (event.kind === 'job-logs' || event.kind === 'service-logs' || event.kind === 'devmachine-logs') &&
          handlers.has(event.topic)
        ) {
          cursors.set(event.topic, event.data.cursor);
        }
        for (const handler of handlers.get(event.topic) ?? []) handler(event);
      }
    };
    ws.onclose = (ev) => {
      hello = undefined;
      options.onClose?.(ev.code, ev.reason);
      const reconnect = options.reconnect;
      if (closedByUser || !reconnect) {
        for (const w of helloWaiters) w.reject(new Error(`socket closed: ${ev.code} ${ev.reason}`));
        helloWaiters = [];
        return;
      }
      const delay = Math.min(reconnect.maxDelayMs, reconnect.initialDelayMs * 2 ** attempt++);
      setTimeout(() => closedByUser || open(), delay);
    };
    ws.onerror = () => undefined;
  }
  open();

  return {
    subscribe(topic, handler, subscribeOptions) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
        if (subscribeOptions?.cursor !== undefined) cursors.set(topic, subscribeOptions.cursor);
        if (hello) send(subscribeMessage(topic));
      }
      set.add(handler);
      return () => {
        const current = handlers.get(topic);
        if (!current) return;
        current.delete(handler);
        if (current.size === 0) {
          handlers.delete(topic);
          cursors.delete(topic);
          if (hello) send({ type: 'unsubscribe', topic });
        }
      };
    },
    ready() {
      if (hello) return Promise.resolve(hello);
      return new Promise((resolve, reject) => helloWaiters.push({ resolve, reject }));
    },
    close() {
      closedByUser = true;
      socket?.close(1000, 'client closed');
    },
  };
}
