import { isTerminalJobState, JOB_TRANSITIONS, type JobEventType, type JobState } from '@aiplat/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { JobFiles, JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import { clusterMessage } from './cluster.js';
import type { JobEventRelay } from './jobEventRelay.js';
import { failJob, runtimeOf, type JobObjects, type KubernetesJobRuntime } from './jobObjects.js';
import { crdFor } from './manifests/index.js';
import type { PodLogFollowers } from './podLogFollowers.js';
import {
  observeJob,
  podRoles,
  transitionPath,
  type ClusterObject,
  type ObservedInstance,
  type PodObject,
} from './stateMapping.js';

/*
 * Brings a job's state in line with what the informers show of its objects (the cluster is the
 * source of truth, the store only remembers what it last showed): its instances, its state through
 * every step between, an automatic restart of a failed TrainJob, a finish once the last log lines
 * are in. Also follows the logs of its started pods and relays what the cluster says about them.
 */

/** What the informers hold of a job's objects. */
export interface InformedObjects {
  resourceOf(runtime: KubernetesJobRuntime): (KubernetesObject & ClusterObject) | undefined;
  podsOf(runtime: KubernetesJobRuntime, jobId: string): PodObject[];
  workloadOf(resource: ClusterObject | undefined): ClusterObject | undefined;
  /** Why Kueue's Workloads cannot be seen (list or watch refused), while that lasts. */
  workloadsUnseen?(): string | undefined;
}

export interface JobReconcilerOptions {
  lifecycle: JobLifecycle;
  files: Pick<JobFiles, 'logFile'>;
  log: Logger;
  informed: InformedObjects;
  objects: Pick<JobObjects, 'create' | 'delete'>;
  events: Pick<JobEventRelay, 'warnStartFailures' | 'poll'>;
  logs: Pick<PodLogFollowers, 'ensure' | 'drain'>;
  /** How long a finished job waits for its pods' last log lines before it is marked finished. */
  logDrainMs: number;
  now: () => Date;
}

const EVENT_OF: Partial<Record<JobState, JobEventType>> = {
  Queued: 'queued',
  Starting: 'scheduled',
  Running: 'started',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Stopped: 'stopped',
};

export class JobReconciler {
  private readonly pending = new Set<string>();
  private readonly finishing = new Set<string>();
  /** Jobs being re-created for an automatic restart: what the cluster shows of the old run is not news. */
  private readonly restarting = new Set<string>();
  /** Jobs whose resource this process has seen in the cluster: its absence now means deleted. */
  private readonly seen = new Set<string>();
  /** Jobs being stopped before they started: their resource going away is the stop, not a loss. */
  private readonly stoppingEarly = new Set<string>();
  private closed = false;

  constructor(private readonly options: JobReconcilerOptions) {}

  /** Reconciles a job soon, once however many changes arrive together. */
  schedule(id: string): void {
    if (this.pending.has(id) || this.closed) return;
    this.pending.add(id);
    setImmediate(() => {
      this.pending.delete(id);
      void this.reconcile(id).catch((error: unknown) =>
        this.options.log.error({ err: error, job: id }, 'following the job in the cluster failed'),
      );
    });
  }

  /** The job's resource is there, or was and is known to be gone: from now on its absence means deleted. */
  expectResource(id: string): void {
    this.seen.add(id);
  }

  /** A new run's resource is being created: until it is seen, its absence means nothing. */
  startRun(id: string): void {
    this.seen.delete(id);
    this.stoppingEarly.delete(id);
  }

  /**
   * The job is stopped before it started: its resource is being deleted, and the watch may tell
   * before the delete call returns (over a real API server it does), which must not read as "lost".
   */
  stopBeforeStart(id: string): void {
    this.seen.delete(id);
    this.stoppingEarly.add(id);
  }

  /** The early stop did not happen (the delete failed): watch the job as before. */
  keepWatching(id: string): void {
    this.stoppingEarly.delete(id);
  }

  forget(id: string): void {
    this.seen.delete(id);
    this.stoppingEarly.delete(id);
  }

  close(): void {
    this.closed = true;
  }

  private async reconcile(id: string): Promise<void> {
    const { lifecycle, informed, events } = this.options;
    const job = lifecycle.getJob(id);
    if (!job || job.engine !== 'kubernetes' || this.closed) return;
    const runtime = runtimeOf(job);
    if (!runtime) return;
    if (this.restarting.has(id) || this.stoppingEarly.has(id)) return;
    const cached = informed.resourceOf(runtime);
    const resource = runtime.uid === undefined || cached?.metadata?.uid === runtime.uid ? cached : undefined;
    if (resource) this.seen.add(id);
    const planned = plannedInstances(job.spec);
    const pods = informed.podsOf(runtime, id);
    this.followLogs(job, pods, planned);
    events.warnStartFailures(job, pods, planned);
    if (isTerminalJobState(job.state) || job.state === 'Submitting') return;
    void events.poll(job, {
      namespace: runtime.namespace,
      resource,
      workload: informed.workloadOf(resource),
      pods,
    });

    if (!resource || resource.metadata?.deletionTimestamp) {
      if (job.state === 'Stopping') {
        if (pods.length === 0)
          await this.finish(job, 'Stopped', {
            type: 'stopped',
            message: `stopped: ${runtime.kind} ${runtime.name} and its pods are deleted`,
          });
        return;
      }
      if (!resource && this.seen.has(id)) {
        const message = `its ${runtime.kind} ${runtime.name} was deleted from namespace ${runtime.namespace} outside the platform`;
        await this.finish(job, 'Failed', { type: 'failed', message, reason: { kind: 'lost', message } });
      }
      return;
    }
    if (job.state === 'Stopping') return;

    const observed = observeJob({
      mode: job.spec.mode,
      planned,
      cr: resource,
      workload: informed.workloadOf(resource),
      workloadsUnseen: informed.workloadsUnseen?.(),
      pods,
    });
    if (!observed) return;
    this.applyInstances(job, observed.instances);
    if (observed.state === job.state) {
      if (observed.state === 'Queued' && observed.waitReason?.message !== job.waitReason?.message) {
        lifecycle.update(id, { waitReason: observed.waitReason });
      }
      return;
    }
    const path = transitionPath(job.state, observed.state, JOB_TRANSITIONS);
    if (!path) return;
    for (const state of path) {
      const last = state === observed.state;
      const preempted = state === 'Queued' && (job.state === 'Running' || job.state === 'Starting');
      const change = {
        type: preempted ? ('preempted' as const) : (EVENT_OF[state] ?? 'engine'),
        message: last ? observed.message : passingMessage(state),
        ...(last && observed.reason ? { reason: observed.reason } : {}),
        ...(last && observed.waitReason ? { patch: { waitReason: observed.waitReason } } : {}),
      };
      if (state === 'Failed' && restartsItself(job)) {
        await this.restart(job, runtime, observed.reason?.message ?? observed.message);
        return;
      }
      if (isTerminalJobState(state)) {
        await this.finish(job, state, change);
        return;
      }
      lifecycle.transition(id, state, change);
    }
  }

  /** An automatic restart: back to Queued, the failed run's objects deleted, new ones created. */
  private async restart(job: JobRecord, runtime: KubernetesJobRuntime, why: string): Promise<void> {
    const { lifecycle, objects } = this.options;
    const restarts = job.restarts + 1;
    this.restarting.add(job.id);
    try {
      await this.options.logs.drain(job.id, this.options.logDrainMs);
      const message = `${why}; restarting (${restarts} of ${job.spec.autoRestart.maxRestarts})`;
      let next: JobRecord | undefined;
      if (job.state === 'Queued') {
        next = lifecycle.update(job.id, { restarts });
        lifecycle.event(job.id, 'restarting', message);
      } else {
        next = lifecycle.transition(job.id, 'Queued', { type: 'restarting', message, patch: { restarts } });
      }
      if (!next) return;
      for (const instance of lifecycle.listInstances(job.id)) {
        lifecycle.updateInstance(job.id, instance.index, {
          state: 'Pending',
          exitCode: undefined,
          finishedAt: undefined,
        });
      }
      await objects.delete(job.id, runtime, false);
      await objects.create(next, true);
    } catch (error) {
      failJob(lifecycle, job.id, `the restart failed: ${clusterMessage(error)}`);
    } finally {
      this.restarting.delete(job.id);
      this.schedule(job.id);
    }
  }

  /** A finished job: its last log lines are written before the state says so (followers get every line). */
  private async finish(
    job: JobRecord,
    state: JobState,
    change: Parameters<JobLifecycle['transition']>[2],
  ): Promise<void> {
    if (this.finishing.has(job.id)) return;
    this.finishing.add(job.id);
    try {
      await this.options.logs.drain(job.id, this.options.logDrainMs);
      this.options.lifecycle.transition(job.id, state, change);
    } finally {
      this.finishing.delete(job.id);
    }
  }

  private applyInstances(job: JobRecord, observed: readonly ObservedInstance[]): void {
    const { lifecycle } = this.options;
    const stored = new Map(lifecycle.listInstances(job.id).map((i) => [i.index, i]));
    const time = this.options.now().toISOString();
    for (const instance of observed) {
      const before = stored.get(instance.index);
      if (!before) continue;
      const changed =
        before.state !== instance.state ||
        before.pod !== instance.pod ||
        before.node !== instance.node ||
        before.exitCode !== instance.exitCode;
      if (!changed) continue;
      lifecycle.updateInstance(job.id, instance.index, {
        state: instance.state,
        ...(instance.pod !== undefined ? { pod: instance.pod } : {}),
        ...(instance.node !== undefined ? { node: instance.node } : {}),
        ...(instance.exitCode !== undefined ? { exitCode: instance.exitCode } : {}),
        ...(instance.state === 'Running' && before.state !== 'Running' ? { startedAt: time } : {}),
        ...(instance.state === 'Succeeded' || instance.state === 'Failed' ? { finishedAt: time } : {}),
      });
      if (instance.state === 'Running' && before.state !== 'Running') {
        lifecycle.event(
          job.id,
          'instance-started',
          `instance ${instance.index} running in pod ${instance.pod ?? '?'} on node ${instance.node ?? '?'}`,
          instance.index,
        );
      }
      if ((instance.state === 'Succeeded' || instance.state === 'Failed') && before.state !== instance.state) {
        lifecycle.event(
          job.id,
          'instance-exited',
          `instance ${instance.index} (pod ${instance.pod ?? '?'}) exited${instance.exitCode !== undefined ? ` with code ${instance.exitCode}` : ''}`,
          instance.index,
        );
      }
    }
  }

  private followLogs(job: JobRecord, pods: readonly PodObject[], planned: ReturnType<typeof plannedInstances>): void {
    for (const [pod, role] of podRoles(job.spec.mode, pods, planned)) {
      if (role.logTo === undefined) continue;
      const phase = pod.status?.phase;
      const status = pod.status?.containerStatuses?.[0];
      const started =
        phase === 'Running' || phase === 'Succeeded' || phase === 'Failed' || status?.state?.terminated !== undefined;
      if (!started || !pod.metadata?.uid || !pod.metadata.name) continue;
      const container = status?.name ?? pod.spec?.containers?.[0]?.name;
      const name = planned[role.logTo]?.name;
      if (!container || !name) continue;
      this.options.logs.ensure(
        {
          jobId: job.id,
          uid: pod.metadata.uid,
          namespace: pod.metadata.namespace ?? '',
          pod: pod.metadata.name,
          container,
          file: this.options.files.logFile(job.id, name),
        },
        phase === 'Succeeded' || phase === 'Failed',
      );
    }
  }
}

/**
 * Whether the platform restarts a failed run itself: a TrainJob has no restart limit of its own
 * (the other kinds get `autoRestart.maxRestarts` as theirs), so the engine re-creates it.
 */
function restartsItself(job: JobRecord): boolean {
  return crdFor(job.spec.mode).kind === 'TrainJob' && job.restarts < job.spec.autoRestart.maxRestarts;
}

/** The message of a state a job passes through on its way to the one observed. */
function passingMessage(state: JobState): string {
  if (state === 'Starting') return 'admitted by Kueue; its pods are starting';
  if (state === 'Running') return 'its pods are running';
  return `now ${state}`;
}
