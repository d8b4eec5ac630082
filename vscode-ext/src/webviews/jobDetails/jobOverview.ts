import type { Job, Resources } from '@aiplat/api';
import * as vscode from 'vscode';
import type { OverviewRow } from './protocol.js';

/** One node's resources: `1 CPU · 2Gi · 1 nvidia`. */
export function resourcesText(resources: Resources): string {
  const parts = [vscode.l10n.t('{0} CPU', resources.cpu), resources.memory];
  if (resources.accelerator.type !== 'none') parts.push(`${resources.accelerator.count} ${resources.accelerator.type}`);
  return parts.join(' · ');
}

/** What runs on how many instances: `2 × (1 CPU · 2Gi)`, per role for ps-worker and ray. */
export function topologyText(job: Job): string {
  const times = (count: number, resources: Resources) => `${count} × (${resourcesText(resources)})`;
  const spec = job.spec;
  switch (spec.mode) {
    case 'ps-worker':
      return [
        vscode.l10n.t('parameter servers: {0}', times(spec.ps, spec.psResources ?? spec.resources)),
        vscode.l10n.t('workers: {0}', times(spec.workers, spec.resources)),
      ].join('; ');
    case 'ray':
      return [
        vscode.l10n.t('head: {0}', resourcesText(spec.head.resources)),
        ...spec.workerGroups.map((g) => `${g.name}: ${times(g.replicas, g.resources)}`),
      ].join('; ');
    default:
      return times(spec.nodes, spec.resources);
  }
}

/** The overview of a job, as JupyterLab's job view shows it: what it runs, where, with what. */
export function jobOverview(job: Job): OverviewRow[] {
  return [
    { key: 'mode', label: vscode.l10n.t('Mode'), value: job.spec.mode },
    { key: 'command', label: vscode.l10n.t('Command'), value: job.spec.command },
    { key: 'workingDir', label: vscode.l10n.t('Working folder'), value: `/work/${job.spec.workingDir}` },
    {
      key: 'image',
      label: vscode.l10n.t('Image'),
      value: job.spec.image ?? vscode.l10n.t("(none: the engine's default)"),
    },
    { key: 'resources', label: vscode.l10n.t('Resources'), value: topologyText(job) },
    { key: 'engine', label: vscode.l10n.t('Engine'), value: job.engine },
    { key: 'queue', label: vscode.l10n.t('Queue'), value: job.spec.queue },
    { key: 'priority', label: vscode.l10n.t('Priority'), value: `P${job.spec.priority}` },
    { key: 'owner', label: vscode.l10n.t('Owner'), value: job.user },
    { key: 'restarts', label: vscode.l10n.t('Restarts'), value: String(job.restarts) },
  ];
}
