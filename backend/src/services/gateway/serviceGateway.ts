import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServiceMetricsQuery, ServiceMetricsResponse } from '@aiplat/api';
import type { ServedByDataPlane } from './sharedState.js';

/**
 * The services gateway as the rest of the backend sees it: it takes the requests that are its own
 * (`/services/<name>/...`, or any path on a service's own domain), authenticates and limits them,
 * forwards them to ready replicas and counts them.
 */
export interface ServiceGateway {
  /** True when the request was the gateway's (it answers it); false to let the platform's app have it. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** True when the WebSocket upgrade was the gateway's. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** A service's traffic per time bucket (every version and replica, or one). */
  metrics(name: string, query: ServiceMetricsQuery): ServiceMetricsResponse;
  /** LLM tokens a bearer token spent in the current minute and UTC day. */
  tokenUsage(tokenId: string): { usedThisMinute: number; usedToday: number };
  /**
   * The HTTPS listener of services with their own domain (`services.httpsPort`), when there is one:
   * where it listens once it does (rejected when it cannot).
   */
  readonly https?: { readonly listening: Promise<AddressInfo> };
  /** What a data plane in front of it served since the last time (see Gateway.absorb). */
  absorb(served: ServedByDataPlane): void;
  /** Drops what it keeps of a deleted service (metrics, replay cache entries, counters). */
  forget(name: string): void;
  close(): Promise<void>;
}
