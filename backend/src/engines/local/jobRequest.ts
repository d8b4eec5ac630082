import { instanceGroups, parseMemory, type JobSpec } from '@aiplat/api';
import type { InstanceRequest, JobRequest } from './scheduler/index.js';

/** What the scheduler needs of a job: one request per instance, in index order. */
export function jobRequest(id: string, spec: JobSpec, submittedAt: number): JobRequest {
  const instances: InstanceRequest[] = [];
  for (const group of instanceGroups(spec)) {
    const { cpu, memory, accelerator } = group.resources;
    const request: InstanceRequest = {
      cpu,
      // The schema has already refused a memory it cannot parse.
      memoryBytes: parseMemory(memory) ?? 0,
      accelerator: { type: accelerator.type, count: accelerator.count },
    };
    for (let i = 0; i < group.replicas; i++) instances.push(request);
  }
  return { id, queue: spec.queue, priority: spec.priority, submittedAt, instances };
}
