import type { InstanceState, JobEventType, JobMode, JobState } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';

/** A job state for people, in the UI language. */
export function jobStateLabel(state: JobState, trans: TranslationBundle): string {
  switch (state) {
    case 'Submitting':
      return trans.__('Submitting');
    case 'Queued':
      return trans.__('Queued');
    case 'Starting':
      return trans.__('Starting');
    case 'Running':
      return trans.__('Running');
    case 'Succeeded':
      return trans.__('Succeeded');
    case 'Failed':
      return trans.__('Failed');
    case 'Stopping':
      return trans.__('Stopping');
    case 'Stopped':
      return trans.__('Stopped');
  }
}

export function instanceStateLabel(state: InstanceState, trans: TranslationBundle): string {
  switch (state) {
    case 'Pending':
      return trans.__('Pending');
    case 'Starting':
      return trans.__('Starting');
    case 'Running':
      return trans.__('Running');
    case 'Succeeded':
      return trans.__('Succeeded');
    case 'Failed':
      return trans.__('Failed');
    case 'Stopped':
      return trans.__('Stopped');
  }
}

export function jobModeLabel(mode: JobMode, trans: TranslationBundle): string {
  switch (mode) {
    case 'ddp':
      return trans.__('DDP (PyTorch distributed)');
    case 'mpi':
      return trans.__('MPI');
    case 'horovod':
      return trans.__('Horovod');
    case 'ray':
      return trans.__('Ray');
    case 'ps-worker':
      return trans.__('Parameter server and workers');
  }
}

export function eventTypeLabel(type: JobEventType, trans: TranslationBundle): string {
  switch (type) {
    case 'submitted':
      return trans.__('Submitted');
    case 'queued':
      return trans.__('Queued');
    case 'scheduled':
      return trans.__('Scheduled');
    case 'started':
      return trans.__('Started');
    case 'instance-started':
      return trans.__('Instance started');
    case 'instance-exited':
      return trans.__('Instance exited');
    case 'preempted':
      return trans.__('Preempted');
    case 'restarting':
      return trans.__('Restarting');
    case 'stop-requested':
      return trans.__('Stop requested');
    case 'stopped':
      return trans.__('Stopped');
    case 'succeeded':
      return trans.__('Succeeded');
    case 'failed':
      return trans.__('Failed');
    case 'engine':
      return trans.__('Engine');
    case 'warning':
      return trans.__('Warning');
  }
}

/** `home/a.b` → `home-a-b`: a field key as a data-testid part. */
export function testIdPart(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]+/g, '-');
}

/** A local, short date and time. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
