import { jobSummaryDir, type Job, type ScalarSource } from '@aiplat/api';
import * as vscode from 'vscode';
import { stateLabel } from '../../jobs/jobPresentation.js';
import type { JobsModel } from '../../jobs/jobsModel.js';

/** A job's log directory (its summaries), labelled with the job's name. */
export function jobSource(job: Job): ScalarSource {
  return { path: jobSummaryDir(job), label: job.spec.name, jobId: job.id };
}

/** A folder under /work (relative path, as the API takes it), labelled with its name. */
export function folderSource(path: string): ScalarSource {
  const clean = path
    .trim()
    .replace(/^\/?(work(\/|$))?/, '')
    .replace(/\/+$/, '');
  return { path: clean, label: clean.split('/').pop() || clean };
}

/**
 * Asks which log directory to show: one of the jobs, or a folder under /work typed in. Sources
 * already shown (`exclude`, by path) are left out of the list.
 */
export async function pickSource(
  jobs: JobsModel,
  title: string,
  exclude: readonly string[] = [],
): Promise<ScalarSource | undefined> {
  if (!jobs.loaded) await jobs.refresh();
  const folder = { label: `$(folder) ${vscode.l10n.t('A folder under /work…')}`, source: undefined };
  const items = jobs.jobs
    .map(jobSource)
    .filter((source) => !exclude.includes(source.path))
    .map((source) => {
      const job = jobs.find(source.jobId ?? '');
      return {
        label: source.label,
        description: job ? `${stateLabel(job.state)} · ${job.id}` : source.jobId,
        detail: `/work/${source.path}`,
        source: source as ScalarSource | undefined,
      };
    });
  const chosen = await vscode.window.showQuickPick([...items, folder], { title, matchOnDescription: true });
  if (!chosen) return undefined;
  if (chosen.source) return chosen.source;
  const path = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('A folder under /work holding TensorBoard event files, e.g. home/runs'),
    validateInput: (value) => (folderSource(value).path ? undefined : vscode.l10n.t('Name a folder under /work.')),
  });
  return path ? folderSource(path) : undefined;
}
