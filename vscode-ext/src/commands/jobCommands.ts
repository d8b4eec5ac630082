import { jobSpecToYaml, type ApiClient, type Job, type JobDetail } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import { jobTitle, stateLabel } from '../jobs/jobPresentation.js';
import type { JobsModel } from '../jobs/jobsModel.js';
import type { JobNode } from '../jobs/jobsTreeProvider.js';
import { StopWatcher } from '../jobs/stopWatcher.js';
import type { JobLogChannels } from '../logs/jobLogChannels.js';
import type { JobDetailsPanels } from '../webviews/jobDetails/jobDetailsPanels.js';
import { CommandIds } from './commandIds.js';
import { requireClient } from './requireClient.js';

export interface JobCommandDeps {
  connection: ConnectionService;
  jobs: JobsModel;
  logs: JobLogChannels;
  details: JobDetailsPanels;
}

/** What Stop Job takes after the job: `force` skips the grace period (the details page's Force Stop). */
export interface StopOptions {
  force?: boolean;
}

/** What job commands accept: a Jobs view item, a job id (webview, notifications), or nothing (asks). */
export type JobArgument = JobNode | string | undefined;

/** Registers the job commands (details, logs, stop, start again, copy, delete). */
export function registerJobCommands(deps: JobCommandDeps): vscode.Disposable[] {
  const withJob =
    (run: (client: ApiClient, job: Job, options?: unknown) => Promise<unknown>, filter?: (job: Job) => boolean) =>
    async (arg?: JobArgument, options?: unknown) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const job = await resolveJob(client, deps.jobs, arg, filter);
        if (!job) return;
        await run(client, job, options);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    };

  const stops = new StopWatcher(deps.jobs, (job) => {
    const showDetails = vscode.l10n.t('Show Details');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('{0} stopped.', jobTitle(job)), showDetails)
      .then((choice) =>
        choice === showDetails ? vscode.commands.executeCommand(CommandIds.showJobDetails, job.id) : undefined,
      );
  });

  return [
    stops,
    vscode.commands.registerCommand(CommandIds.refreshJobs, () => deps.jobs.refresh()),
    vscode.commands.registerCommand(
      CommandIds.showJobDetails,
      withJob(async (_client, job) => {
        await deps.details.show(job.id);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.showJobLogs,
      withJob(async (client, job) => {
        const detail = await client.getJob({ params: { id: job.id } });
        const instance = await pickInstance(detail);
        if (instance === undefined) return;
        await deps.logs.show(client, detail, instance);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.searchJobLogs,
      withJob(async (client, job) => {
        const text = await vscode.window.showInputBox({
          title: vscode.l10n.t('Search the logs of {0}', jobTitle(job)),
          prompt: vscode.l10n.t('Text the lines must contain (case-insensitive)'),
        });
        if (!text) return;
        const detail = await client.getJob({ params: { id: job.id } });
        const { matches } = await deps.logs.search(client, detail, text);
        if (matches === 0)
          await vscode.window.showInformationMessage(vscode.l10n.t('No log line contains "{0}".', text));
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.stopJob,
      withJob(
        async (client, job, options) => {
          const force = (options as StopOptions | undefined)?.force === true;
          const stopped = await client.stopJob({ params: { id: job.id }, body: force ? { force } : {} });
          const applied = deps.jobs.applyAnswer(stopped);
          stops.expect(job.id); // a notification when it is Stopped
          await applied;
        },
        (job) => job.state !== 'Stopping' && !isFinished(job),
      ),
    ),
    vscode.commands.registerCommand(
      CommandIds.startJobAgain,
      withJob(async (client, job) => {
        const started = await client.startJobAgain({ params: { id: job.id }, body: {} });
        deps.logs.close(job.id);
        await deps.jobs.applyAnswer(started);
      }, isFinished),
    ),
    vscode.commands.registerCommand(
      CommandIds.copyJob,
      withJob(async (client, job) => {
        const { spec } = await client.copyJob({ params: { id: job.id } });
        const document = await vscode.workspace.openTextDocument({ content: jobSpecToYaml(spec), language: 'yaml' });
        await vscode.window.showTextDocument(document);
        await vscode.window.showInformationMessage(
          vscode.l10n.t('A copy of {0}: edit it, save it as job.yaml and run "Submit job.yaml".', job.spec.name),
        );
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.deleteJob,
      withJob(async (client, job) => {
        const confirm = vscode.l10n.t('Delete');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t('Delete {0} and its logs? This cannot be undone.', jobTitle(job)),
          { modal: true },
          confirm,
        );
        if (answer !== confirm) return;
        await client.deleteJob({ params: { id: job.id } });
        deps.logs.close(job.id);
        deps.jobs.apply({ change: 'deleted', id: job.id });
      }, isFinished),
    ),
  ];
}

function isFinished(job: Job): boolean {
  return job.state === 'Succeeded' || job.state === 'Failed' || job.state === 'Stopped';
}

async function resolveJob(
  client: ApiClient,
  jobs: JobsModel,
  arg: JobArgument,
  filter: (job: Job) => boolean = () => true,
): Promise<Job | undefined> {
  if (typeof arg === 'object' && arg.kind === 'job') return arg.job;
  if (typeof arg === 'string') return jobs.find(arg) ?? (await client.getJob({ params: { id: arg } }));
  if (!jobs.loaded) await jobs.refresh();
  const candidates = jobs.jobs.filter(filter);
  if (candidates.length === 0) {
    await vscode.window.showInformationMessage(vscode.l10n.t('No job to choose from.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    candidates.map((job) => ({ label: jobTitle(job), description: stateLabel(job.state), job })),
    { title: vscode.l10n.t('Choose a job'), matchOnDescription: true },
  );
  return chosen?.job;
}

async function pickInstance(job: JobDetail): Promise<number | undefined> {
  if (job.instances.length <= 1) return job.instances[0]?.index ?? 0;
  const chosen = await vscode.window.showQuickPick(
    job.instances.map((i) => ({ label: i.name, description: i.state, index: i.index })),
    { title: vscode.l10n.t('Logs of which instance of {0}?', jobTitle(job)) },
  );
  return chosen?.index;
}
