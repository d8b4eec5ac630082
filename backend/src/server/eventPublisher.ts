import type { TopicKind, TopicPayload } from '@aiplat/api';

export interface PublishOptions {
  /** Deliver only to this user's connections (per-user topics such as uploads). */
  user?: string;
}

/** What services use to push events to WebSocket subscribers; the hub implements it. */
export interface EventPublisher {
  publish<K extends TopicKind>(topic: string, kind: K, data: TopicPayload<K>, options?: PublishOptions): void;
}

/** Drops every event; for services used outside a server (CLI, benchmarks). */
export const NULL_PUBLISHER: EventPublisher = { publish: () => undefined };
