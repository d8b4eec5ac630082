import type { DevMachineSpec } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { DevMachineLifecycle } from '../../../devmachines/engine.js';
import { placementDevicesEnv } from '../environment/placementDevices.js';
import { singleInstanceRequest } from '../jobRequest.js';
import type { JobRequest, Placement, SchedulerNode, SchedulerQueue } from '../scheduler/index.js';
import type { HeldResources, SchedulingClient, SchedulingLoop } from '../schedulingLoop.js';
import { validateRequest } from '../validateSpec.js';
import type { HeldAccelerators } from './idleSampler.js';

export interface DevMachineQueueDeps {
  /** The queues and capacity the machine's jobs use too. */
  scheduling: SchedulingLoop;
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  lifecycle: DevMachineLifecycle;
}

/**
 * Dev machines on the local engine's queues, like jobs: one request with the spec's resources, in
 * the spec's queue at its priority. A queued dev machine says why it waits; a placed one holds its
 * resources until it has stopped, and no job preempts it (someone works in it).
 */
export class DevMachineQueue implements SchedulingClient {
  private readonly held = new Map<string, HeldResources>();
  /** Queued dev machines: what they asked for, and whom to tell once placed. */
  private readonly queued = new Map<string, { request: JobRequest; onPlaced: (placement: Placement) => void }>();
  private readonly told = new Set<string>();

  constructor(private readonly deps: DevMachineQueueDeps) {
    deps.scheduling.register(this);
  }

  /** Refuses a spec that can never run here: an unknown queue, or more than its nodes hold. */
  validate(spec: DevMachineSpec): void {
    validateRequest(request('probe', spec, 0), 'this dev machine', this.deps.nodes, this.deps.queues);
  }

  /** Queues the dev machine; `onPlaced` gets its place once there is room. */
  enqueue(machine: DevMachineRecord, onPlaced: (placement: Placement) => void): void {
    const queued = { request: request(machine.id, machine.spec, Date.now()), onPlaced };
    this.queued.set(machine.id, queued);
    this.told.delete(machine.id);
    this.deps.scheduling.enqueue(queued.request, this);
  }

  /** Takes a dev machine out of the queue; false when it was not waiting there. */
  cancel(id: string): boolean {
    this.queued.delete(id);
    if (!this.deps.scheduling.isQueued(id)) return false;
    this.deps.scheduling.dequeue(id);
    this.deps.scheduling.requestPass();
    return true;
  }

  /** The dev machine has stopped: what it held is free for whatever waits. */
  release(id: string): void {
    if (this.held.delete(id)) this.deps.scheduling.requestPass();
  }

  /** The devices a placement gives the dev machine, as the variables CUDA and CANN read. */
  devicesEnv(placement: Placement): Record<string, string> {
    return placementDevicesEnv(placement, this.deps.nodes);
  }

  /** The accelerators a placement gives the dev machine (for its idle policy), when it has any. */
  accelerators(placement: Placement): HeldAccelerators | undefined {
    const instance = placement.instances[0];
    const kind = this.deps.nodes.find((node) => node.name === instance?.node)?.accelerator.type;
    if (!instance || !kind || kind === 'none' || instance.devices.length === 0) return undefined;
    return { kind, devices: instance.devices };
  }

  holding(): Iterable<HeldResources> {
    return this.held.values();
  }

  waiting(id: string, position: number, reason: string): void {
    const first = !this.told.has(id);
    this.told.add(id);
    const queue = this.queued.get(id)?.request.queue ?? '?';
    this.deps.lifecycle.observed(id, {
      waitReason: { message: `${ordinal(position)} in queue ${queue}: ${reason}` },
      ...(first ? { event: { type: 'queued', message: `Waiting for room in queue ${queue}: ${reason}.` } } : {}),
    });
  }

  start(placement: Placement): void {
    const queued = this.queued.get(placement.jobId);
    this.queued.delete(placement.jobId);
    if (!queued) return;
    const { id, queue, priority, submittedAt } = queued.request;
    this.held.set(id, { id, queue, priority, submittedAt, placement, preemptible: false });
    queued.onPlaced(placement);
  }

  preempt(): void {
    // Dev machines are held as not preemptible: the scheduler never names one.
  }
}

function request(id: string, spec: DevMachineSpec, submittedAt: number): JobRequest {
  return singleInstanceRequest(id, spec, submittedAt);
}

function ordinal(position: number): string {
  return position === 1 ? 'next' : `number ${position}`;
}
