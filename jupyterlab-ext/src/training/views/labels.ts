import type { InstanceState, JobEventType, JobMode, JobState } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';

/** The labels of the states a job and an instance share. */
function runStateLabels(trans: TranslationBundle) {
  return {
    Starting: trans.__('Starting'),
    Running: trans.__('Running'),
    Succeeded: trans.__('Succeeded'),
    Failed: trans.__('Failed'),
    Stopped: trans.__('Stopped'),
  };
}

/** A job state for people, in the UI language. */
export function jobStateLabel(state: JobState, trans: TranslationBundle): string {
  const labels: Record<JobState, string> = {
    ...runStateLabels(trans),
    Submitting: trans.__('Submitting'),
    Queued: trans.__('Queued'),
    Stopping: trans.__('Stopping'),
  };
  return labels[state];
}

export function instanceStateLabel(state: InstanceState, trans: TranslationBundle): string {
  const labels: Record<InstanceState, string> = { ...runStateLabels(trans), Pending: trans.__('Pending') };
  return labels[state];
}

export function jobModeLabel(mode: JobMode, trans: TranslationBundle): string {
  const labels: Record<JobMode, string> = {
    ddp: trans.__('DDP (PyTorch distributed)'),
    mpi: trans.__('MPI'),
    horovod: trans.__('Horovod'),
    deepspeed: trans.__('DeepSpeed'),
    ray: trans.__('Ray'),
    'ps-worker': trans.__('Parameter server and workers'),
  };
  return labels[mode];
}

export function eventTypeLabel(type: JobEventType, trans: TranslationBundle): string {
  const labels: Record<JobEventType, string> = {
    submitted: trans.__('Submitted'),
    queued: trans.__('Queued'),
    scheduled: trans.__('Scheduled'),
    started: trans.__('Started'),
    'instance-started': trans.__('Instance started'),
    'instance-exited': trans.__('Instance exited'),
    preempted: trans.__('Preempted'),
    restarting: trans.__('Restarting'),
    'stop-requested': trans.__('Stop requested'),
    stopped: trans.__('Stopped'),
    succeeded: trans.__('Succeeded'),
    failed: trans.__('Failed'),
    engine: trans.__('Engine'),
    warning: trans.__('Warning'),
  };
  return labels[type];
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

/** The accelerator choices of a resources field, each a value and its label. */
export function acceleratorOptions(
  trans: TranslationBundle,
): readonly (readonly ['none' | 'nvidia' | 'ascend', string])[] {
  return [
    ['none', trans.__('None')],
    ['nvidia', trans.__('NVIDIA GPU')],
    ['ascend', trans.__('Ascend NPU')],
  ];
}
