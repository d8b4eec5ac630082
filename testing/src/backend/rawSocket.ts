import WebSocket from 'ws';
import {
  tokenProtocol,
  WS_PATH,
  WS_PROTOCOL,
  type ServerMessage,
  type TopicKind,
  type TopicPayload,
} from '@aiplat/api';
import { TOKENS, type PlatformFixture, type TestUser } from './platformFixture.js';

export interface RawSocket {
  ws: WebSocket;
  messages: ServerMessage[];
  subscribe(topic: string): void;
  /** The next event of this kind (taken out of `messages`). */
  event<K extends TopicKind>(kind: K): Promise<TopicPayload<K>>;
  acknowledged(topic: string): Promise<ServerMessage>;
  error(): Promise<Extract<ServerMessage, { type: 'error' }>>;
}

/** A raw WebSocket to the platform, to see the server's acknowledgements and refusals as they are. */
export async function rawSocket(fx: PlatformFixture, user: TestUser = 'alice'): Promise<RawSocket> {
  const ws = new WebSocket(fx.baseUrl.replace(/^http/, 'ws') + WS_PATH, [WS_PROTOCOL, tokenProtocol(TOKENS[user])]);
  const messages: ServerMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as ServerMessage));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = async <T extends ServerMessage>(match: (m: ServerMessage) => m is T, what: string): Promise<T> => {
    for (let i = 0; i < 1000; i++) {
      const index = messages.findIndex(match);
      if (index >= 0) return messages.splice(index, 1)[0] as T;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${what}; got ${JSON.stringify(messages)}`);
  };
  return {
    ws,
    messages,
    subscribe: (topic) => ws.send(JSON.stringify({ type: 'subscribe', topic })),
    event: <K extends TopicKind>(kind: K) =>
      next(
        (m): m is Extract<ServerMessage, { type: 'event' }> => m.type === 'event' && m.kind === kind,
        `${kind} event`,
      ).then((m) => m.data as TopicPayload<K>),
    acknowledged: (topic) =>
      next(
        (m): m is Extract<ServerMessage, { type: 'subscribed' }> => m.type === 'subscribed' && m.topic === topic,
        topic,
      ),
    error: () => next((m): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error', 'error'),
  };
}
