import { serviceUrl, type Service, type ServiceReplica, type ServiceSpec } from '@aiplat/api';
import type { ServiceObservation, VersionLaunch } from './engine.js';
import type { ServiceRecord } from './serviceStore.js';

/** What a service record shows through the API: its URL added, its domain's TLS pair reduced to a flag. */
export function toService(record: ServiceRecord): Service {
  const { runtime: _runtime, domain, ...shown } = record;
  return {
    ...shown,
    ...(domain ? { domain: { host: domain.host, tls: Boolean(domain.tls) } } : {}),
    url: serviceUrl(record.name),
  };
}

/** One version of a service as its engine is asked to run it. */
export function launchOf(record: ServiceRecord, version: number): VersionLaunch {
  const entry = record.versions.find((v) => v.version === version);
  if (!entry) throw new Error(`service ${record.name} has no version ${version}`);
  return { service: record, version, spec: entry.spec };
}

/** The spec a service would be deployed with now: its settings and its serving version. */
export function specOf(record: ServiceRecord): ServiceSpec {
  const serving = record.versions.find((v) => v.version === record.version)!;
  return {
    name: record.name,
    tags: record.tags,
    auth: record.auth,
    limits: record.limits,
    priority: record.priority,
    queue: record.queue,
    engine: record.engine,
    version: serving.spec,
    ...(record.description ? { description: record.description } : {}),
  };
}

/** The version being rolled out beside the serving one, if any (a version that failed is not). */
export function pendingVersion(record: ServiceRecord): number | undefined {
  const newest = Math.max(...record.versions.filter((v) => !v.failed).map((v) => v.version));
  return newest > record.version ? newest : undefined;
}

/** The next version number: after every version ever tried, failed ones included. */
export function nextVersion(record: ServiceRecord): number {
  return Math.max(...record.versions.map((v) => v.version)) + 1;
}

/** "1 replica", "2 replicas": event messages count replicas in words. */
export function replicasText(count: number): string {
  return `${count} replica${count === 1 ? '' : 's'}`;
}

export function wantedReplicas(record: ServiceRecord, version: number): number {
  return record.versions.find((v) => v.version === version)?.spec.replicas ?? 0;
}

/** Whether every replica the version asks for is Ready. */
export function allReady(record: ServiceRecord, version: number): boolean {
  const wanted = wantedReplicas(record, version);
  const ready = record.replicas.filter((r) => r.version === version && r.state === 'Ready').length;
  return wanted > 0 && ready >= wanted;
}

/** Every version that may have replicas: the serving one, one being rolled out, any with replicas left. */
export function liveVersions(record: ServiceRecord): number[] {
  const live = new Set([
    record.version,
    ...record.replicas.map((r) => r.version),
    ...record.versions.filter((v) => !v.failed).map((v) => v.version),
  ]);
  return [...live].sort((a, b) => a - b);
}

/** The versions kept once nothing runs: up to the serving one, and the failed ones (with why). */
export function settledVersions(record: ServiceRecord): ServiceRecord['versions'] {
  return record.versions.filter((v) => v.version <= record.version || v.failed);
}

/**
 * The replica list with one replica's news: added, changed, or removed once Stopped. Its start time
 * is its current process's: the engine's when it says, else `now` when it turns Starting (a new
 * process: a restart, a rolling restart's replacement), else the one it had.
 */
export function withReplica(
  replicas: readonly ServiceReplica[],
  news: NonNullable<ServiceObservation['replica']>,
  now: Date,
): ServiceReplica[] {
  const others = replicas.filter((r) => !(r.version === news.version && r.index === news.index));
  if (news.state === 'Stopped') return others;
  const before = replicas.find((r) => r.version === news.version && r.index === news.index);
  const newProcess = news.state === 'Starting' && before?.state !== 'Starting';
  const startedAt = news.startedAt ?? (newProcess ? now.toISOString() : before?.startedAt);
  const replica: ServiceReplica = {
    index: news.index,
    version: news.version,
    state: news.state,
    restarts: news.restarts ?? before?.restarts ?? 0,
    ...(startedAt ? { startedAt } : {}),
    ...(news.message ? { message: news.message } : {}),
  };
  return [...others, replica].sort((a, b) => a.version - b.version || a.index - b.index);
}
