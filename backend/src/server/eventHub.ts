import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  API_VERSION,
  ApiError,
  ClientMessageSchema,
  topicKind,
  WS_CLOSE,
  WS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PROTOCOL_PREFIX,
  type ServerMessage,
  type TopicKind,
  type TopicPayload,
} from '@aiplat/api';
import type { EventPublisher, PublishOptions } from './eventPublisher.js';
import type { User } from './handlers.js';
import type { ServerMetrics } from './metrics.js';

export interface EventHubOptions {
  heartbeatIntervalMs: number;
  maxBufferedBytes: number;
  maxSubscriptions: number;
  /** How long a cut-off client gets to read the close frame before the socket is destroyed. */
  closeTimeoutMs?: number;
  authenticate: (token: string | undefined) => User | undefined;
  /** A browser's session (its cookie) when it sends no token: pages the platform serves itself. */
  sessionUser?: (req: IncomingMessage) => User | undefined;
  isOriginAllowed: (origin: string | undefined, host: string | undefined) => boolean;
  metrics: ServerMetrics;
  log: Logger;
}

/** One subscription to a streamed topic, e.g. a log follow starting at a cursor. */
export interface StreamSubscription<K extends TopicKind> {
  user: User;
  topic: string;
  /** The part after `<kind>/`. */
  id: string;
  cursor: string | undefined;
  /**
   * Sends one event to this subscriber. Resolves when the connection can take more: a stream is
   * slowed to its reader's pace instead of being cut off. Rejects once the connection is gone.
   */
  send(data: TopicPayload<K>): Promise<void>;
  /** `send` for a payload already serialised as JSON (it must match the topic's schema). */
  sendEncoded(dataJson: string): Promise<void>;
}

/**
 * Starts a stream; throws (or rejects with) an ApiError to refuse it. Returns the disposer, or a
 * promise of it when the check needs I/O (the subscription is acknowledged once it settles).
 */
export type StreamOpener<K extends TopicKind> = (
  subscription: StreamSubscription<K>,
) => (() => void) | Promise<() => void>;

interface Connection {
  socket: WebSocket;
  user: User;
  topics: Set<string>;
  /** Disposers of this connection's streamed subscriptions, by topic. */
  streams: Map<string, () => void>;
  alive: boolean;
  closing: boolean;
}

/** Acknowledged topics and streams still opening. */
function subscriptionCount(connection: Connection): number {
  let count = connection.topics.size;
  for (const topic of connection.streams.keys()) if (!connection.topics.has(topic)) count++;
  return count;
}

function decodeTokenProtocol(value: string): string | undefined {
  try {
    return Buffer.from(value.slice(WS_TOKEN_PROTOCOL_PREFIX.length), 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/**
 * The one WebSocket endpoint: authenticated connections subscribe to topics and receive events.
 * Each connection's unsent data is bounded; a client that reads too slowly is closed with a reason
 * instead of growing the server's memory. Heartbeats detect dead peers.
 */
export class EventHub implements EventPublisher {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly streamOpeners = new Map<TopicKind, StreamOpener<TopicKind>>();

  constructor(private readonly options: EventHubOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Makes `kind` a streamed topic: each subscription gets its own feed from `open` (with the
   * subscriber's cursor) instead of the events published to everyone.
   */
  registerStream<K extends TopicKind>(kind: K, open: StreamOpener<K>): void {
    this.streamOpeners.set(kind, open as unknown as StreamOpener<TopicKind>);
  }

  /** Wire to the HTTP server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      rejectUpgrade(socket, 404, `no WebSocket endpoint at ${url.pathname}; use ${WS_PATH}`);
      return;
    }
    if (!this.options.isOriginAllowed(req.headers.origin, req.headers.host)) {
      this.options.metrics.wsDisconnects.inc({ reason: 'origin' });
      rejectUpgrade(socket, 403, `origin ${req.headers.origin} is not allowed; add it to allowedOrigins`);
      return;
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const fromProtocol = offered.find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX));
    const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = header ?? (fromProtocol ? decodeTokenProtocol(fromProtocol) : undefined);
    const user = token ? this.options.authenticate(token) : this.options.sessionUser?.(req);
    if (!user) {
      this.options.metrics.wsDisconnects.inc({ reason: 'unauthorized' });
      rejectUpgrade(
        socket,
        401,
        'a valid bearer token is required (Authorization header or the aiplat.bearer.<token> subprotocol)',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, user));
  }

  private accept(socket: WebSocket, user: User): void {
    const connection: Connection = {
      socket,
      user,
      topics: new Set(),
      streams: new Map(),
      alive: true,
      closing: false,
    };
    this.connections.add(connection);
    this.options.metrics.wsConnections.inc();
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data, isBinary) => this.receive(connection, isBinary ? null : data.toString()));
    socket.on('close', () => {
      for (const dispose of connection.streams.values()) dispose();
      connection.streams.clear();
      this.connections.delete(connection);
      this.options.metrics.wsConnections.dec();
    });
    socket.on('error', (err) => this.options.log.debug({ err, user: user.name }, 'websocket error'));
    this.send(connection, {
      type: 'hello',
      apiVersion: API_VERSION,
      user: user.name,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
    });
  }

  private receive(connection: Connection, text: string | null): void {
    let json: unknown;
    try {
      json = text === null ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = ClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
      this.send(connection, { type: 'error', code: 'validation_failed', message: `bad message: ${detail}` });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'subscribe':
        if (!connection.topics.has(message.topic) && subscriptionCount(connection) >= this.options.maxSubscriptions) {
          this.send(connection, {
            type: 'error',
            code: 'bad_request',
            message: `at most ${this.options.maxSubscriptions} subscriptions per connection`,
          });
          return;
        }
        if (connection.topics.has(message.topic)) {
          this.send(connection, { type: 'subscribed', topic: message.topic });
          return;
        }
        if (connection.streams.has(message.topic)) return; // still opening: its answer follows
        this.subscribe(connection, message.topic, message.cursor);
        return;
      case 'unsubscribe':
        connection.streams.get(message.topic)?.();
        connection.streams.delete(message.topic);
        connection.topics.delete(message.topic);
        this.send(connection, { type: 'unsubscribed', topic: message.topic });
        return;
      case 'ping':
        this.send(connection, { type: 'pong', ...(message.id ? { id: message.id } : {}) });
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  private subscribe(connection: Connection, topic: string, cursor: string | undefined): void {
    const acknowledge = () => {
      connection.topics.add(topic);
      this.send(connection, { type: 'subscribed', topic });
    };
    const kind = topicKind(topic);
    const open = this.streamOpeners.get(kind);
    if (!open) {
      acknowledge();
      return;
    }
    const id = topic.slice(kind.length + 1);
    if (!id) {
      this.send(connection, { type: 'error', code: 'bad_request', message: `subscribe to ${kind}/<id>, not ${kind}` });
      return;
    }
    const refuse = (error: unknown) => {
      const code = error instanceof ApiError ? error.code : 'internal';
      const message = error instanceof ApiError ? error.message : 'could not start the stream';
      this.send(connection, { type: 'error', code, message: `${topic}: ${message}` });
    };
    let opened: (() => void) | Promise<() => void>;
    try {
      opened = open({
        user: connection.user,
        topic,
        id,
        cursor,
        send: (data) => this.sendStreamed(connection, topic, JSON.stringify({ type: 'event', topic, kind, data })),
        sendEncoded: (dataJson) =>
          this.sendStreamed(
            connection,
            topic,
            `{"type":"event","topic":${JSON.stringify(topic)},"kind":${JSON.stringify(kind)},"data":${dataJson}}`,
          ),
      });
    } catch (error) {
      refuse(error);
      return;
    }
    if (typeof opened === 'function') {
      connection.streams.set(topic, opened);
      acknowledge();
      return;
    }
    // Until the opener settles, an unsubscribe or a closed connection only marks it cancelled.
    let cancelled = false;
    const pending = () => {
      cancelled = true;
    };
    connection.streams.set(topic, pending);
    opened.then(
      (dispose) => {
        if (cancelled || connection.streams.get(topic) !== pending) {
          dispose();
          return;
        }
        connection.streams.set(topic, dispose);
        acknowledge();
      },
      (error: unknown) => {
        if (connection.streams.get(topic) === pending) connection.streams.delete(topic);
        if (!cancelled) refuse(error);
      },
    );
  }

  private sendStreamed(connection: Connection, topic: string, text: string): Promise<void> {
    const { socket } = connection;
    if (connection.closing || socket.readyState !== socket.OPEN || !connection.streams.has(topic)) {
      return Promise.reject(new Error('subscription closed'));
    }
    this.options.metrics.wsMessagesSent.inc();
    // Below a quarter of the bound, go on at once; above it, wait until this message is written.
    return new Promise((resolve, reject) => {
      let settled = false;
      socket.send(text, (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      });
      if (socket.bufferedAmount < this.options.maxBufferedBytes / 4) {
        settled = true;
        resolve();
      }
    });
  }

  publish<K extends TopicKind>(topic: string, kind: K, data: TopicPayload<K>, options: PublishOptions = {}): void {
    if (topicKind(topic) !== kind) throw new Error(`topic ${topic} is not of kind ${kind}`);
    const message = JSON.stringify({ type: 'event', topic, kind, data });
    for (const connection of this.connections) {
      if (!connection.topics.has(topic)) continue;
      if (options.user !== undefined && connection.user.name !== options.user) continue;
      this.sendRaw(connection, message);
    }
  }

  private send(connection: Connection, message: ServerMessage): void {
    this.sendRaw(connection, JSON.stringify(message));
  }

  private sendRaw(connection: Connection, text: string): void {
    const { socket } = connection;
    if (connection.closing || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + Buffer.byteLength(text) > this.options.maxBufferedBytes) {
      this.cut(connection, WS_CLOSE.slowConsumer, 'slow consumer: send buffer limit exceeded', 'slow_consumer');
      return;
    }
    socket.send(text);
    this.options.metrics.wsMessagesSent.inc();
  }

  private cut(connection: Connection, code: number, reason: string, metric: string): void {
    connection.closing = true;
    this.options.metrics.wsDisconnects.inc({ reason: metric });
    this.options.log.warn({ user: connection.user.name, reason }, 'closing websocket');
    connection.socket.close(code, reason);
    // The close frame waits behind the unread data; do not wait for it forever.
    setTimeout(() => connection.socket.terminate(), this.options.closeTimeoutMs ?? 2000).unref();
  }

  private beat(): void {
    const time = new Date().toISOString();
    for (const connection of this.connections) {
      if (!connection.alive) {
        this.cut(connection, WS_CLOSE.heartbeatTimeout, 'heartbeat timeout: no pong received', 'heartbeat');
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
      this.send(connection, { type: 'heartbeat', time });
    }
  }

  /** Closes every connection (server shutdown). */
  async close(reason = 'server shutting down'): Promise<void> {
    clearInterval(this.heartbeat);
    for (const connection of this.connections) {
      connection.closing = true;
      connection.socket.close(WS_CLOSE.goingAway, reason);
    }
    const deadline = setTimeout(() => {
      for (const connection of this.connections) connection.socket.terminate();
    }, 1000);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    while (this.connections.size > 0) await new Promise((r) => setTimeout(r, 10));
    clearTimeout(deadline);
  }
}
