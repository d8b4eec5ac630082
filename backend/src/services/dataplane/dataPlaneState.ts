import type { ServiceAuthKind, ServiceLimits } from '@aiplat/api';
import type { ReadyReplica } from '../engine.js';
import type { DataPlaneService, DataPlaneState } from './controlClient.js';

/** A service as the data plane's state is made from it. */
export interface ServiceForDataPlane {
  name: string;
  auth: readonly ServiceAuthKind[];
  limits: ServiceLimits;
  state: string;
  domainHost?: string;
}

const SERVING = new Set(['Running', 'Updating', 'Deploying']);

/**
 * What the data plane may serve: services that serve, with a ready replica on a TCP address, take
 * AppKey signatures or anyone (not bearer tokens) and have no own domain (those are all the
 * backend's, on both its listeners, so that their replays and limits stay in one place); the
 * AppKeys and their secrets; the own domains, whose calls it hands over.
 */
export function dataPlaneState(input: {
  windowMs: number;
  services: readonly ServiceForDataPlane[];
  ready: (name: string) => readonly ReadyReplica[];
  appKeys: readonly { appKey: string; secret: string; enabled: boolean; services: readonly string[] }[];
}): DataPlaneState {
  const services: Record<string, DataPlaneService> = {};
  const hosts: string[] = [];
  for (const service of input.services) {
    if (service.domainHost) {
      hosts.push(service.domainHost);
      continue;
    }
    // Bearer tokens and their LLM budgets are the backend's: a service that takes them is all the
    // backend's, so that its limits and budgets are counted in one place without a round trip.
    if (!SERVING.has(service.state) || service.auth.includes('token')) continue;
    const all = input.ready(service.name);
    const ready = all.flatMap((replica) =>
      'host' in replica.target
        ? [{ key: replica.key, version: replica.version, index: replica.index, ...replica.target }]
        : [],
    );
    // A replica on a Unix socket (a container's) is the backend's to reach: all of the service is.
    if (ready.length === 0 || ready.length < all.length) continue;
    const { limits } = service;
    services[service.name] = {
      anyone: service.auth.includes('none'),
      appkey: service.auth.includes('appkey'),
      ready,
      qps: limits.qpsPerReplica,
      concurrency: limits.concurrencyPerReplica,
      qpsText: String(limits.qpsPerReplica),
      concurrencyText: String(limits.concurrencyPerReplica),
      maxBodyBytes: limits.maxBodyBytes,
      timeoutSeconds: limits.upstreamTimeoutSeconds,
    };
  }
  const appKeys: DataPlaneState['appKeys'] = {};
  for (const key of input.appKeys) {
    appKeys[key.appKey] = { secret: key.secret, enabled: key.enabled, services: [...key.services] };
  }
  return { windowMs: input.windowMs, services, appKeys, hosts };
}
