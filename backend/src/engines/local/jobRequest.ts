import { instanceGroups, parseMemory, type JobSpec, type Resources } from '@aiplat/api';
import type { InstanceRequest, JobRequest } from './scheduler/index.js';

/** What the scheduler needs of a job: one request per instance, in index order. */
export function jobRequest(id: string, spec: JobSpec, submittedAt: number): JobRequest {
  const instances: InstanceRequest[] = [];
  for (const group of instanceGroups(spec)) {
    const request = instanceRequest(id, group.resources);
    for (let i = 0; i < group.replicas; i++) instances.push(request);
  }
  return { id, queue: spec.queue, priority: spec.priority, submittedAt, instances };
}

/** What the scheduler needs of one process in a queue at a priority: a service replica, a dev machine. */
export function singleInstanceRequest(
  id: string,
  wants: { queue: string; priority: number; resources: Resources },
  submittedAt: number,
): JobRequest {
  return {
    id,
    queue: wants.queue,
    priority: wants.priority,
    submittedAt,
    instances: [instanceRequest(id, wants.resources)],
  };
}

/** One instance's resources in the scheduler's terms. */
export function instanceRequest(id: string, resources: Resources): InstanceRequest {
  const { cpu, memory, accelerator } = resources;
  // The schema has already refused a memory it cannot parse; never let one become a zero request.
  const memoryBytes = parseMemory(memory);
  if (memoryBytes === undefined) throw new Error(`${id}: memory ${String(memory)} is not a memory amount`);
  return { cpu, memoryBytes, accelerator: { type: accelerator.type, count: accelerator.count } };
}
