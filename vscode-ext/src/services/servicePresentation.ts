import type { ReplicaState, Service, ServiceEvent, ServiceState } from '@aiplat/api';
import * as vscode from 'vscode';

/** A service state for people, translated. */
export function serviceStateLabel(state: ServiceState): string {
  switch (state) {
    case 'Deploying':
      return vscode.l10n.t('Deploying');
    case 'Running':
      return vscode.l10n.t('Running');
    case 'Updating':
      return vscode.l10n.t('Updating');
    case 'Stopped':
      return vscode.l10n.t('Stopped');
    case 'Failed':
      return vscode.l10n.t('Failed');
    case 'Sleeping':
      return vscode.l10n.t('Sleeping');
  }
}

/** A replica state for people, translated. */
export function replicaStateLabel(state: ReplicaState): string {
  switch (state) {
    case 'Pending':
      return vscode.l10n.t('Pending');
    case 'Installing':
      return vscode.l10n.t('Installing');
    case 'Starting':
      return vscode.l10n.t('Starting');
    case 'Ready':
      return vscode.l10n.t('Ready');
    case 'NotReady':
      return vscode.l10n.t('Not ready');
    case 'Restarting':
      return vscode.l10n.t('Restarting');
    case 'Failed':
      return vscode.l10n.t('Failed');
    case 'Stopped':
      return vscode.l10n.t('Stopped');
  }
}

/** A codicon for each service state; a Deploying one that waits for room shows a clock. */
export function serviceIcon(service: Pick<Service, 'state' | 'waitReason'>): string {
  switch (service.state) {
    case 'Deploying':
      return service.waitReason ? 'clock' : 'loading~spin';
    case 'Updating':
      return 'sync~spin';
    case 'Running':
      return 'pass-filled';
    case 'Sleeping':
      return 'debug-pause';
    case 'Stopped':
      return 'circle-slash';
    case 'Failed':
      return 'error';
  }
}

export function replicaIcon(state: ReplicaState): string {
  switch (state) {
    case 'Ready':
      return 'pass';
    case 'Pending':
    case 'Installing':
    case 'Starting':
    case 'Restarting':
      return 'loading~spin';
    case 'NotReady':
      return 'warning';
    case 'Failed':
      return 'error';
    case 'Stopped':
      return 'circle-slash';
  }
}

/** Whether the service has replicas to stop. */
export function serviceIsActive(service: Pick<Service, 'state'>): boolean {
  return service.state === 'Deploying' || service.state === 'Running' || service.state === 'Updating';
}

/** Whether Start applies (and Delete: the server deletes only what does not run). */
export function serviceIsIdle(service: Pick<Service, 'state'>): boolean {
  return service.state === 'Stopped' || service.state === 'Failed' || service.state === 'Sleeping';
}

/** The `contextValue` of a service item: which actions its menus offer. */
export function serviceContextValue(service: Pick<Service, 'state'>): string {
  if (service.state === 'Running') return 'aiplat.service.running';
  return serviceIsActive(service) ? 'aiplat.service.active' : 'aiplat.service.idle';
}

/** The replicas of the serving version, ready and in all: "1/2". */
export function replicasText(service: Pick<Service, 'replicas' | 'version'>): string {
  const serving = service.replicas.filter((replica) => replica.version === service.version);
  return `${serving.filter((replica) => replica.state === 'Ready').length}/${serving.length}`;
}

/** What an item says beside the name: the state, ready replicas, and why it waits or failed. */
export function serviceDescription(service: Service): string {
  const why = service.state === 'Failed' ? service.failure?.message : service.waitReason?.message;
  const replicas = service.replicas.length > 0 ? vscode.l10n.t('{0} ready', replicasText(service)) : undefined;
  return [serviceStateLabel(service.state), replicas, why].filter(Boolean).join(' · ');
}

/** The serving version's resources in one line: "0.5 CPU · 256Mi · 1 nvidia". */
export function serviceResourcesText(service: Service): string {
  const version = service.versions.find((v) => v.version === service.version) ?? service.versions.at(-1);
  if (!version) return '';
  const { cpu, memory, accelerator } = version.spec.resources;
  const parts = [vscode.l10n.t('{0} CPU', cpu), memory];
  if (accelerator.type !== 'none' && accelerator.count > 0) parts.push(`${accelerator.count} ${accelerator.type}`);
  return parts.join(' · ');
}

/** The service's full URL on the platform's server: `<server>/services/<name>/`. */
export function serviceFullUrl(serverUrl: string, service: Pick<Service, 'url'>): string {
  return `${serverUrl.replace(/\/+$/, '')}${service.url}`;
}

/** One line of an event: its message, and which version or replica it is about. */
export function serviceEventText(event: ServiceEvent): string {
  const about = [
    event.version !== undefined ? `v${event.version}` : undefined,
    event.replica !== undefined ? `#${event.replica}` : undefined,
  ].filter(Boolean);
  return about.length > 0 ? `${about.join(' ')} · ${event.message}` : event.message;
}

export function eventIcon(event: ServiceEvent): string {
  switch (event.type) {
    case 'failed':
    case 'liveness-failed':
    case 'replica-exited':
      return 'error';
    case 'replica-not-ready':
      return 'warning';
    case 'replica-ready':
    case 'running':
    case 'updated':
      return 'pass';
    default:
      return 'history';
  }
}
