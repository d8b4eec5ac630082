import type { ReplicaState, ServiceEvent, ServiceState } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';

/** A service state for people, in the UI language. */
export function serviceStateLabel(state: ServiceState, trans: TranslationBundle): string {
  const labels: Record<ServiceState, string> = {
    Deploying: trans.__('Deploying'),
    Running: trans.__('Running'),
    Updating: trans.__('Updating'),
    Stopped: trans.__('Stopped'),
    Failed: trans.__('Failed'),
    Sleeping: trans.__('Sleeping'),
  };
  return labels[state];
}

export function replicaStateLabel(state: ReplicaState, trans: TranslationBundle): string {
  const labels: Record<ReplicaState, string> = {
    Pending: trans.__('Pending'),
    Installing: trans.__('Installing'),
    Starting: trans.__('Starting'),
    Ready: trans.__('Ready'),
    NotReady: trans.__('Not ready'),
    Restarting: trans.__('Restarting'),
    Failed: trans.__('Failed'),
    Stopped: trans.__('Stopped'),
  };
  return labels[state];
}

export function serviceEventLabel(type: ServiceEvent['type'], trans: TranslationBundle): string {
  const labels: Record<ServiceEvent['type'], string> = {
    'deploy-requested': trans.__('Deploy requested'),
    queued: trans.__('Queued'),
    installing: trans.__('Installing'),
    'replica-started': trans.__('Replica started'),
    'replica-ready': trans.__('Replica ready'),
    'replica-not-ready': trans.__('Replica not ready'),
    'liveness-failed': trans.__('Liveness failed'),
    'replica-restarted': trans.__('Replica restarted'),
    'replica-exited': trans.__('Replica exited'),
    running: trans.__('Running'),
    'update-requested': trans.__('Update requested'),
    updated: trans.__('Updated'),
    'scale-requested': trans.__('Scale requested'),
    'restart-requested': trans.__('Restart requested'),
    'stop-requested': trans.__('Stop requested'),
    stopped: trans.__('Stopped'),
    sleeping: trans.__('Sleeping'),
    failed: trans.__('Failed'),
  };
  return labels[type];
}
