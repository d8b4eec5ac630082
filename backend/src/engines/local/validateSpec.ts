import { ApiError, type JobSpec } from '@aiplat/api';
import { jobRequest } from './jobRequest.js';
import { schedule, type JobRequest, type SchedulerNode, type SchedulerQueue } from './scheduler/index.js';

/**
 * Refuses a spec the local engine can never run: an unknown queue, or more than the queue's nodes
 * could ever hold (a pass of the scheduler on empty nodes is the judge).
 */
export function validateSpec(spec: JobSpec, nodes: readonly SchedulerNode[], queues: readonly SchedulerQueue[]): void {
  validateRequest(jobRequest('probe', spec, 0), 'this job', nodes, queues);
}

/** The same judgement for any request (`what` names it for people: "this job", "this dev machine"). */
export function validateRequest(
  request: JobRequest,
  what: string,
  nodes: readonly SchedulerNode[],
  queues: readonly SchedulerQueue[],
): void {
  const queue = queues.find((q) => q.name === request.queue);
  if (!queue) {
    const names = queues.map((q) => q.name).join(', ');
    throw new ApiError('validation_failed', `queue ${request.queue} does not exist; the queues are: ${names}`, {
      issues: [{ path: 'body.spec.queue', message: `one of ${names}` }],
    });
  }
  const probe = schedule({ nodes, queues: [queue], running: [], pending: [{ ...request, id: 'probe' }] });
  if (probe.start.length === 0) {
    const reason = probe.waiting[0]?.reason ?? 'it does not fit';
    throw new ApiError('validation_failed', `${what} can never run in queue ${request.queue}: ${reason}`, {
      issues: [{ path: 'body.spec.resources', message: reason }],
    });
  }
}
