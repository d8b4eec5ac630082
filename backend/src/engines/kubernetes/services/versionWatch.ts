import type { ReplicaState } from '@aiplat/api';
import type { ServiceObservation } from '../../../services/engine.js';
import { createdAtMs } from '../clusterObjects.js';
import { servicePodView, type ServicePod } from './servicePodState.js';

/** What one replica slot last reported, and the pod that holds it. */
interface Slot {
  pod?: string;
  state: ReplicaState;
  /** The replica's restarts: its pods' container restarts, summed over the pods it has had. */
  restarts: number;
  /** The restart count of the pod in the slot when last read. */
  podRestarts: number;
  message?: string;
  /** The pod in the slot has been Ready: not ready any more is NotReady, not Starting. */
  wasReady: boolean;
}

export interface WatchedVersion {
  name: string;
  version: number;
  queue: string;
  replicas: number;
}

/**
 * A version's pods as its replicas 0..replicas-1. Each pod keeps its slot while it lives; a new pod
 * (a replacement, a rolling restart's) takes the lowest free one, so a replica's number, events and
 * log file stay put. Surge pods beyond the replica count wait for a slot. Reports only news: a
 * replica's state or restart count changing (with replica-ready, replica-not-ready and
 * replica-restarted events), the version starting or ending a wait for Kueue or a node, and the
 * first failure, after which it reports nothing more.
 */
export class VersionWatch {
  private readonly slots: Slot[] = [];
  private readonly pods = new Map<string, ServicePod>();
  private waiting?: string;
  private failed = false;

  constructor(
    private readonly version: WatchedVersion,
    private readonly report: (observation: ServiceObservation) => void,
  ) {}

  /** Every replica Pending until its pod shows up. */
  begin(): void {
    this.resize(this.version.replicas);
  }

  /** Reads the version's live pods; answers the failure's message once the version has failed. */
  observe(pods: readonly ServicePod[]): string | undefined {
    if (this.failed) return undefined;
    this.pods.clear();
    for (const pod of pods) if (pod.metadata?.name) this.pods.set(pod.metadata.name, pod);
    for (const slot of this.slots) {
      if (slot.pod && !this.pods.has(slot.pod)) {
        slot.pod = undefined;
        slot.wasReady = false;
        slot.podRestarts = 0;
      }
    }
    const taken = new Set(this.slots.map((slot) => slot.pod));
    const newcomers = [...this.pods.values()]
      .filter((pod) => !taken.has(pod.metadata?.name))
      .sort(
        (a, b) => createdAtMs(a) - createdAtMs(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
      );
    for (const slot of this.slots) {
      if (!slot.pod && newcomers.length) slot.pod = newcomers.shift()!.metadata!.name;
    }
    let wait: string | undefined;
    for (const [index, slot] of this.slots.entries()) {
      const pod = slot.pod ? this.pods.get(slot.pod) : undefined;
      if (!pod) {
        this.set(index, { state: 'Pending', podRestarts: 0 });
        continue;
      }
      const view = servicePodView(pod, slot.wasReady, this.version.queue);
      if (view.kind === 'failed') {
        this.failed = true;
        this.report({ versionFailed: { version: this.version.version, message: view.message } });
        return view.message;
      }
      if (view.kind === 'waiting') {
        wait ??= view.message;
        this.set(index, { state: 'Pending', podRestarts: view.restarts, message: view.message });
      } else {
        this.set(index, {
          state: view.state,
          podRestarts: view.restarts,
          ...(view.message ? { message: view.message } : {}),
        });
      }
    }
    this.waitIs(wait);
    return undefined;
  }

  /** A new replica count: new slots Pending, the slots beyond it Stopped. */
  resize(replicas: number): void {
    this.version.replicas = replicas;
    while (this.slots.length > replicas) {
      const index = this.slots.length - 1;
      this.slots.pop();
      this.report({ replica: { version: this.version.version, index, state: 'Stopped', restarts: 0 } });
    }
    while (this.slots.length < replicas) {
      const index = this.slots.length;
      this.slots.push({ state: 'Pending', restarts: 0, podRestarts: 0, wasReady: false });
      this.report({ replica: { version: this.version.version, index, state: 'Pending', restarts: 0 } });
    }
  }

  /** The version's objects are deleted: every replica Stopped, the wait (if any) over. */
  stopped(): void {
    this.waitIs(undefined);
    this.resize(0);
  }

  /** The replicas that are Ready, with their pods' IPs when the cluster has given them one. */
  readySlots(): { index: number; podIP?: string }[] {
    return this.slots.flatMap((slot, index) => {
      if (slot.state !== 'Ready') return [];
      const podIP = slot.pod ? this.pods.get(slot.pod)?.status?.podIP : undefined;
      return [{ index, ...(podIP ? { podIP } : {}) }];
    });
  }

  /** The pod holding each replica slot (for following their logs). */
  slottedPods(): { index: number; pod: ServicePod }[] {
    return this.slots.flatMap((slot, index) => {
      const pod = slot.pod ? this.pods.get(slot.pod) : undefined;
      return pod ? [{ index, pod }] : [];
    });
  }

  private set(index: number, next: { state: ReplicaState; podRestarts: number; message?: string }): void {
    const slot = this.slots[index]!;
    const added = Math.max(0, next.podRestarts - slot.podRestarts);
    const restarts = slot.restarts + added;
    const changed = slot.state !== next.state || added > 0 || slot.message !== next.message;
    const before = slot.state;
    slot.state = next.state;
    slot.restarts = restarts;
    slot.podRestarts = next.podRestarts;
    slot.message = next.message;
    if (next.state === 'Ready') slot.wasReady = true;
    if (!changed) return;
    const { version } = this.version;
    const replica = { version, index, state: next.state, restarts, ...(next.message ? { message: next.message } : {}) };
    const event =
      added > 0
        ? { type: 'replica-restarted' as const, message: `Replica ${index} restarted (${restarts} in all).` }
        : before !== 'Ready' && next.state === 'Ready'
          ? { type: 'replica-ready' as const, message: `Replica ${index} is ready.` }
          : before === 'Ready' && next.state === 'NotReady'
            ? {
                type: 'replica-not-ready' as const,
                message: `Replica ${index} is not ready: ${next.message ?? ''}`.trim(),
              }
            : undefined;
    this.report({ replica, ...(event ? { event: { ...event, version, replica: index } } : {}) });
  }

  private waitIs(message: string | undefined): void {
    if (message === this.waiting) return;
    const started = this.waiting === undefined;
    this.waiting = message;
    const { version } = this.version;
    if (message === undefined) this.report({ waitReason: null });
    else
      this.report({
        waitReason: { message },
        ...(started ? { event: { type: 'queued' as const, message: `Version ${version} ${message}.`, version } } : {}),
      });
  }
}
