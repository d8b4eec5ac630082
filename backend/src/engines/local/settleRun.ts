import type { FailureReason } from '@aiplat/api';
import type { JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import type { JobRun } from './jobRun.js';

/**
 * Records how a run that is over ended: Succeeded, Stopped, back in its queue after a preemption
 * or within its restart limit, or Failed. Returns the job when it goes back to its queue.
 */
export function settleRun(lifecycle: JobLifecycle, run: JobRun, job: JobRecord): JobRecord | undefined {
  const id = job.id;
  // Instances a stop or a failure kept from starting.
  run.handles.forEach((handle, index) => {
    if (!handle && run.exits[index] === undefined) lifecycle.updateInstance(id, index, { state: 'Stopped' });
  });
  const stopping = run.stopping;
  if (!stopping) {
    lifecycle.transition(id, 'Succeeded', { type: 'succeeded', message: 'every instance exited with code 0' });
    return undefined;
  }
  if (stopping.cause === 'completed') {
    lifecycle.transition(id, 'Succeeded', {
      type: 'succeeded',
      message: 'the launcher (instance 0) exited with code 0; the instances waiting for it were stopped',
    });
    return undefined;
  }
  if (stopping.cause === 'user') {
    lifecycle.transition(id, 'Stopped', { type: 'stopped', message: 'stopped by the user' });
    return undefined;
  }
  if (stopping.cause === 'preempt') {
    return lifecycle.transition(id, 'Queued', {
      type: 'queued',
      message: `back in queue ${job.spec.queue} after being preempted by ${stopping.by ?? 'a higher-priority job'}`,
    });
  }
  const failure = stopping.failure ?? { kind: 'exit-code' as const, message: 'an instance failed' };
  const max = job.spec.autoRestart.maxRestarts;
  if (failure.kind !== 'start-failed' && job.restarts < max) {
    return lifecycle.transition(id, 'Queued', {
      type: 'restarting',
      message: `${failure.message}; restart ${job.restarts + 1} of ${max}`,
      ...(failure.instance !== undefined ? { instance: failure.instance } : {}),
      patch: { restarts: job.restarts + 1 },
    });
  }
  const reason: FailureReason =
    max > 0 && failure.kind !== 'start-failed'
      ? { ...failure, kind: 'restart-limit', message: `${failure.message}; gave up after ${max} restart(s)` }
      : failure;
  lifecycle.transition(id, 'Failed', {
    type: 'failed',
    message: reason.message,
    reason,
    ...(reason.instance !== undefined ? { instance: reason.instance } : {}),
  });
  return undefined;
}
