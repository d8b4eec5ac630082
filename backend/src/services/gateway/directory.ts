import type { ServiceAuthKind, ServiceLimits } from '@aiplat/api';
import type { ReadyReplica } from '../engine.js';

/** What the gateway knows of one service on each request (kept in memory: no store read per call). */
export interface GatewayService {
  name: string;
  owner: string;
  auth: readonly ServiceAuthKind[];
  limits: ServiceLimits;
  /**
   * Whether it serves at all (Deploying, Running or Updating: a Deploying one answers "no ready
   * replica yet" until one is); a Stopped/Failed service answers 503 "not running".
   */
  serving: boolean;
  /** Sleeping: the first request wakes it and waits for a ready replica. */
  sleeping: boolean;
  ready(): readonly ReadyReplica[];
}

/** How the gateway finds services and the keys and tokens that may call them. */
export interface GatewayDirectory {
  byName(name: string): GatewayService | undefined;
  /** A service given its own domain, by the request's Host (lowercase, without the port). */
  byHost(host: string): GatewayService | undefined;
  /** Asks a sleeping service to start again. */
  wake(name: string): void;
  /** An AppKey's secret (decrypted), state and services; undefined when there is no such key. */
  appKey(appKey: string): { secret: string; enabled: boolean; owner: string; services: readonly string[] } | undefined;
  /** An AppKey's signature was accepted at `atMs` (its "last used"; the directory decides how often to keep it). */
  appKeyUsed(appKey: string, atMs: number): void;
  /** A bearer token by the SHA-256 hex of its text. */
  tokenByHash(
    hash: string,
  ): { id: string; service: string; enabled: boolean; tokensPerMinute?: number; tokensPerDay?: number } | undefined;
  /** TLS pairs of the services that have a domain with one, for the HTTPS listener (SNI). */
  tlsPairs(): readonly { host: string; certificate: string; privateKey: string }[];
}
