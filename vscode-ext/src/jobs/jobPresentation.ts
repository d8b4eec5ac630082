import { isTerminalJobState, type Job, type JobState } from '@aiplat/api';
import * as vscode from 'vscode';

/** A job state for people, translated. */
export function stateLabel(state: JobState): string {
  switch (state) {
    case 'Submitting':
      return vscode.l10n.t('Submitting');
    case 'Queued':
      return vscode.l10n.t('Queued');
    case 'Starting':
      return vscode.l10n.t('Starting');
    case 'Running':
      return vscode.l10n.t('Running');
    case 'Succeeded':
      return vscode.l10n.t('Succeeded');
    case 'Failed':
      return vscode.l10n.t('Failed');
    case 'Stopping':
      return vscode.l10n.t('Stopping');
    case 'Stopped':
      return vscode.l10n.t('Stopped');
  }
}

/** A codicon for each state. */
export function stateIcon(state: JobState): string {
  switch (state) {
    case 'Submitting':
    case 'Starting':
      return 'loading~spin';
    case 'Queued':
      return 'clock';
    case 'Running':
      return 'play-circle';
    case 'Succeeded':
      return 'pass';
    case 'Failed':
      return 'error';
    case 'Stopping':
      return 'debug-stop';
    case 'Stopped':
      return 'circle-slash';
  }
}

/**
 * `42% · ETA 3m 20s`, or undefined when the job printed no progress. A finished job (Succeeded,
 * Failed, Stopped) shows its final progress and never an ETA, whatever the server still sends.
 */
export function progressText(
  job: Pick<Job, 'state' | 'progress'>,
  options: { eta?: boolean } = {},
): string | undefined {
  const { progress } = job;
  if (!progress) return undefined;
  const parts: string[] = [];
  if (progress.percent !== undefined) parts.push(`${Math.round(progress.percent)}%`);
  else if (progress.step !== undefined && progress.totalSteps) parts.push(`${progress.step}/${progress.totalSteps}`);
  if (progress.epoch !== undefined && progress.totalEpochs) {
    parts.push(vscode.l10n.t('epoch {0}/{1}', progress.epoch, progress.totalEpochs));
  }
  const eta = etaSeconds(job);
  if (eta !== undefined && options.eta !== false) parts.push(vscode.l10n.t('ETA {0}', formatDuration(eta)));
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** The seconds left of a live job, as the job last said; undefined for a finished job. */
export function etaSeconds(job: Pick<Job, 'state' | 'progress'>): number | undefined {
  return isTerminalJobState(job.state) ? undefined : job.progress?.etaSeconds;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${rest}s`;
  return `${rest}s`;
}

/** The `contextValue` of a job item: which actions its context menu offers. */
export function jobContextValue(job: Job): string {
  return isTerminalJobState(job.state) ? 'aiplat.job.finished' : 'aiplat.job.active';
}

/** One line naming a job, for quick picks and titles. */
export function jobTitle(job: Job): string {
  return `${job.spec.name} (${job.id})`;
}
