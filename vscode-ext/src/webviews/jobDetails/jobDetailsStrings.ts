import { isTerminalJobState, JOB_STATES, type Job, type JobState } from '@aiplat/api';
import * as vscode from 'vscode';
import { etaSeconds, formatDuration, progressText, stateLabel } from '../../jobs/jobPresentation.js';
import { jobOverview } from './jobOverview.js';
import type { JobAction, JobDetailsStrings, JobSummary } from './protocol.js';

export function jobDetailsStrings(): JobDetailsStrings {
  return {
    state: vscode.l10n.t('State'),
    progress: vscode.l10n.t('Progress'),
    eta: vscode.l10n.t('Time left'),
    created: vscode.l10n.t('Created'),
    started: vscode.l10n.t('Started'),
    finished: vscode.l10n.t('Finished'),
    reason: vscode.l10n.t('Reason'),
    waiting: vscode.l10n.t('Waiting'),
    instances: vscode.l10n.t('Instances'),
    events: vscode.l10n.t('Events'),
    overview: vscode.l10n.t('Overview'),
    metrics: vscode.l10n.t('Metrics'),
    charts: {
      cpu: vscode.l10n.t('CPU (100% = one core)'),
      memory: vscode.l10n.t('Memory'),
      accelerator: vscode.l10n.t('Accelerator utilization'),
      acceleratorMemory: vscode.l10n.t('Accelerator memory'),
      loss: vscode.l10n.t('Loss (from the logs)'),
    },
    time: vscode.l10n.t('Time'),
    noMetrics: vscode.l10n.t('No metrics yet.'),
    deleted: vscode.l10n.t('This job was deleted.'),
    instanceName: vscode.l10n.t('Instance'),
    instanceState: vscode.l10n.t('State'),
    host: vscode.l10n.t('Host'),
    exitCode: vscode.l10n.t('Exit code'),
    actions: {
      stop: vscode.l10n.t('Stop'),
      forceStop: vscode.l10n.t('Force Stop'),
      startAgain: vscode.l10n.t('Start Again'),
      copy: vscode.l10n.t('Copy'),
      delete: vscode.l10n.t('Delete'),
      showLogs: vscode.l10n.t('Show Logs'),
      tensorboard: vscode.l10n.t('TensorBoard'),
    },
    forceStopHint: vscode.l10n.t('Stop at once, without the grace period'),
    states: Object.fromEntries(JOB_STATES.map((state) => [state, stateLabel(state)])) as Record<JobState, string>,
    instanceStates: {
      Pending: vscode.l10n.t('Pending'),
      Starting: stateLabel('Starting'),
      Running: stateLabel('Running'),
      Succeeded: stateLabel('Succeeded'),
      Failed: stateLabel('Failed'),
      Stopped: stateLabel('Stopped'),
    },
    queuePosition: vscode.l10n.t('Place in queue'),
    eventTypes: {
      submitted: vscode.l10n.t('Submitted'),
      queued: stateLabel('Queued'),
      scheduled: vscode.l10n.t('Scheduled'),
      started: vscode.l10n.t('Job started'),
      'instance-started': vscode.l10n.t('Instance started'),
      'instance-exited': vscode.l10n.t('Instance exited'),
      preempted: vscode.l10n.t('Preempted'),
      restarting: vscode.l10n.t('Restarting'),
      'stop-requested': vscode.l10n.t('Stop requested'),
      stopped: stateLabel('Stopped'),
      succeeded: stateLabel('Succeeded'),
      failed: stateLabel('Failed'),
      engine: vscode.l10n.t('Engine'),
      warning: vscode.l10n.t('Warning'),
    },
  };
}

/** The actions a job's state allows (the server decides in the end; this only greys out buttons). */
export function allowedActions(job: Job): JobAction[] {
  return isTerminalJobState(job.state)
    ? ['startAgain', 'copy', 'delete', 'showLogs', 'tensorboard']
    : job.state === 'Stopping'
      ? ['forceStop', 'copy', 'showLogs', 'tensorboard']
      : ['stop', 'forceStop', 'copy', 'showLogs', 'tensorboard'];
}

export function jobSummary(job: Job): JobSummary {
  const summary: JobSummary = {
    stateLabel: stateLabel(job.state),
    overview: jobOverview(job),
    actions: allowedActions(job),
  };
  // The ETA has a row of its own on the page.
  const progress = progressText(job, { eta: false });
  if (progress) summary.progressText = progress;
  const eta = etaSeconds(job);
  if (eta !== undefined) summary.etaText = formatDuration(eta);
  return summary;
}
