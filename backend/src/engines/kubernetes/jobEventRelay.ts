import type { JobEventType } from '@aiplat/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import { clusterMessage, type KubeCluster } from './cluster.js';
import { podFailure, podRoles, type ClusterObject, type PodObject } from './stateMapping.js';

/*
 * What the cluster says about a job's objects, told as the job's events, each once: the Kubernetes
 * Events of its resource, Workload and pods (scheduling, image pulls, OOM kills...), and a pod that
 * cannot start.
 */

/** Events are listed per namespace: a job's changes coming in a burst list them once. */
const MIN_POLL_INTERVAL_MS = 1_000;

export interface JobEventRelayOptions {
  cluster: KubeCluster;
  lifecycle: Pick<JobLifecycle, 'event'>;
  log: Logger;
  /** Asks for the job to be reconciled (and so polled) again: a poll that came too soon is made later. */
  schedule?: (jobId: string) => void;
}

/** A job's objects as the informers show them now. */
export interface JobObjectsSeen {
  namespace: string;
  resource: ClusterObject | undefined;
  workload: ClusterObject | undefined;
  pods: readonly PodObject[];
}

type CoreEvent = KubernetesObject & {
  involvedObject?: { uid?: string; kind?: string; name?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string | Date;
  eventTime?: string | Date;
};

export class JobEventRelay {
  /** Per job, the keys of what has been told. */
  private readonly told = new Map<string, Set<string>>();
  /** Per job, the time from which Kubernetes Events are the current run's. */
  private readonly since = new Map<string, string>();
  private readonly polledAt = new Map<string, number>();
  /** Per job, the poll put off because it came too soon after the last. */
  private readonly putOff = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: JobEventRelayOptions) {}

  /** The job's objects are being created again: Events before `since` are an earlier run's. */
  startRun(jobId: string, since: string): void {
    this.since.set(jobId, since);
    this.told.delete(jobId);
  }

  /** Events before `since` are not told (after a backend restart: the process before told them). */
  tellSince(jobId: string, since: string): void {
    this.since.set(jobId, since);
  }

  forget(jobId: string): void {
    this.told.delete(jobId);
    this.since.delete(jobId);
    this.polledAt.delete(jobId);
    clearTimeout(this.putOff.get(jobId));
    this.putOff.delete(jobId);
  }

  /** A pod that cannot start (image pull, bad config) is said once, as a warning, while the job waits on it. */
  warnStartFailures(job: JobRecord, pods: readonly PodObject[], planned: ReturnType<typeof plannedInstances>): void {
    for (const [pod, role] of podRoles(job.spec.mode, pods, planned)) {
      const index = role.stateOf ?? role.logTo;
      if (index === undefined || !pod.metadata?.uid) continue;
      const failure = podFailure(index, pod);
      if (failure?.kind === 'start-failed')
        this.tellOnce(job.id, `start:${pod.metadata.uid}`, 'warning', failure.message, index);
    }
  }

  /** Kubernetes Events of the job's objects (scheduling, image pulls, OOM kills...) as job events. */
  async poll(job: JobRecord, seen: JobObjectsSeen): Promise<void> {
    const last = this.polledAt.get(job.id) ?? 0;
    const now = Date.now();
    if (now - last < MIN_POLL_INTERVAL_MS) {
      // Not dropped: an Event written since the last poll may come with no later change to the job's objects.
      this.pollLater(job.id, last + MIN_POLL_INTERVAL_MS - now);
      return;
    }
    this.polledAt.set(job.id, now);
    const { resource, workload, pods } = seen;
    const planned = plannedInstances(job.spec);
    const roles = podRoles(job.spec.mode, pods, planned);
    const instanceOf = new Map<string, number | undefined>();
    for (const [pod, role] of roles)
      if (pod.metadata?.uid) instanceOf.set(pod.metadata.uid, role.stateOf ?? role.logTo);
    const uids = new Set([resource?.metadata?.uid, workload?.metadata?.uid, ...instanceOf.keys()].filter(Boolean));
    let events: KubernetesObject[];
    try {
      events = (await this.options.cluster.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: seen.namespace }))
        .items;
    } catch (error) {
      this.options.log.debug({ reason: clusterMessage(error), job: job.id }, 'listing events failed');
      return;
    }
    // An Event's lastTimestamp has whole seconds: one from the run's first second is the run's.
    const since = wholeSecond(this.since.get(job.id) ?? job.createdAt);
    const relevant = (events as CoreEvent[])
      .filter((e) => uids.has(e.involvedObject?.uid))
      .map((e) => ({
        event: e,
        time: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).toISOString(),
      }))
      .filter((e) => e.time >= since)
      .sort((a, b) => a.time.localeCompare(b.time));
    for (const { event } of relevant) {
      const key = `${event.metadata?.uid ?? ''}:${event.count ?? 1}`;
      const about = `${event.involvedObject?.kind ?? ''} ${event.involvedObject?.name ?? ''}`.trim();
      this.tellOnce(
        job.id,
        key,
        event.type === 'Warning' ? 'warning' : 'engine',
        `${about}: ${event.reason ?? ''}${event.message ? `: ${event.message}` : ''}`,
        instanceOf.get(event.involvedObject?.uid ?? ''),
      );
    }
  }

  private pollLater(jobId: string, delayMs: number): void {
    const { schedule } = this.options;
    if (!schedule || this.putOff.has(jobId)) return;
    const timer = setTimeout(() => {
      this.putOff.delete(jobId);
      schedule(jobId);
    }, delayMs);
    timer.unref();
    this.putOff.set(jobId, timer);
  }

  private tellOnce(jobId: string, key: string, type: JobEventType, message: string, instance?: number): void {
    let told = this.told.get(jobId);
    if (!told) this.told.set(jobId, (told = new Set()));
    if (told.has(key)) return;
    told.add(key);
    this.options.lifecycle.event(jobId, type, message, instance);
  }
}

/** `time` (ISO 8601) without its fraction of a second, as the API server keeps an Event's timestamps. */
function wholeSecond(time: string): string {
  const at = new Date(time);
  at.setUTCMilliseconds(0);
  return at.toISOString();
}
