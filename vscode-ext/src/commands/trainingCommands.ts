import { parseJobYaml, type ApiClient, type JobDetail, type RootInfo } from '@aiplat/api';
import * as vscode from 'vscode';
import { imagesToOffer } from '../images/imagePick.js';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import type { JobsModel } from '../jobs/jobsModel.js';
import { askJobSpec, type TrainingDefaults } from '../training/trainingFlow.js';
import { CommandIds } from './commandIds.js';
import { requireClient } from './requireClient.js';

export interface TrainingCommandDeps {
  connection: ConnectionService;
  jobs: JobsModel;
}

/** `job.yaml` or `<anything>.job.yaml`: the files the schema and "Submit job.yaml" apply to. */
export function isJobYaml(path: string): boolean {
  const name = path.split(/[\\/]/).pop() ?? '';
  return name === 'job.yaml' || name.endsWith('.job.yaml');
}

/** Registers Start Training, Train this script and Submit job.yaml. */
export function registerTrainingCommands(deps: TrainingCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.startTraining, () => startTraining(deps, {})),
    vscode.commands.registerCommand(CommandIds.trainThisScript, (uri?: vscode.Uri) => trainThisScript(deps, uri)),
    vscode.commands.registerCommand(CommandIds.submitJobYaml, (uri?: vscode.Uri) => submitJobYaml(deps, uri)),
  ];
}

async function startTraining(deps: TrainingCommandDeps, defaults: TrainingDefaults): Promise<JobDetail | undefined> {
  const client = await requireClient(deps.connection);
  if (!client) return undefined;
  const spec = await askJobSpec(defaults, await imagesToOffer(client));
  if (!spec) return undefined;
  return submit(deps, client, { spec });
}

/**
 * Where a local file is under /work, when it is: VS Code in the platform (code-server) sees the
 * roots at their display paths (`/work/home/...`). `undefined` for a file outside every root.
 */
export function workPathOf(fsPath: string, roots: readonly RootInfo[]): string | undefined {
  const normalised = fsPath.replace(/\\/g, '/');
  for (const root of roots) {
    const prefix = root.displayPath.replace(/\/+$/, '');
    if (normalised.startsWith(`${prefix}/`)) return `${root.name}/${normalised.slice(prefix.length + 1)}`;
  }
  return undefined;
}

/** The command that runs a script, by its extension. */
export function scriptCommand(fileName: string): string {
  if (fileName.endsWith('.sh')) return `bash ${fileName}`;
  if (fileName.endsWith('.py')) return `python ${fileName}`;
  return `./${fileName}`;
}

async function trainThisScript(deps: TrainingCommandDeps, uri: vscode.Uri | undefined): Promise<JobDetail | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    await vscode.window.showWarningMessage(
      vscode.l10n.t('Open the training script first, then run "Train this script".'),
    );
    return undefined;
  }
  const client = await requireClient(deps.connection);
  if (!client) return undefined;
  const state = deps.connection.state;
  const roots = state.status === 'connected' ? state.info.roots : [];
  const workPath = workPathOf(target.fsPath, roots);
  if (!workPath) {
    await vscode.window.showErrorMessage(
      vscode.l10n.t(
        '{0} is not under /work, so the platform cannot run it. Save it under one of: {1}',
        target.fsPath,
        roots.map((r) => r.displayPath).join(', '),
      ),
    );
    return undefined;
  }
  const parts = workPath.split('/');
  const fileName = parts.pop() ?? '';
  const name =
    fileName
      .replace(/\.[^.]+$/, '')
      .replace(/[^\p{L}\p{N}_-]/gu, '-')
      .replace(/^[^\p{L}\p{N}]+/u, '') || 'job';
  return startTraining(deps, { name, command: scriptCommand(fileName), workingDir: parts.join('/') });
}

async function submitJobYaml(deps: TrainingCommandDeps, uri: vscode.Uri | undefined): Promise<JobDetail | undefined> {
  const target = uri ?? (await chooseJobYaml());
  if (!target) return undefined;
  const client = await requireClient(deps.connection);
  if (!client) return undefined;
  // The open document, so unsaved edits are what gets submitted.
  const text = (await vscode.workspace.openTextDocument(target)).getText();
  const parsed = parseJobYaml(text);
  if ('errors' in parsed) {
    await vscode.window.showErrorMessage(
      vscode.l10n.t(
        '{0} is not a valid job: {1}',
        target.fsPath,
        parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      ),
    );
    return undefined;
  }
  return submit(deps, client, { yaml: text });
}

async function chooseJobYaml(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isJobYaml(active.path)) return active;
  const found = await vscode.workspace.findFiles('**/{job.yaml,*.job.yaml}', '**/node_modules/**', 200);
  if (found.length === 0) {
    await vscode.window.showWarningMessage(
      vscode.l10n.t('No job.yaml in this workspace. Copy a job or write one first.'),
    );
    return undefined;
  }
  if (found.length === 1) return found[0];
  const chosen = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: vscode.l10n.t('Which job.yaml?') },
  );
  return chosen?.uri;
}

async function submit(
  deps: TrainingCommandDeps,
  client: ApiClient,
  body: { spec: NonNullable<Awaited<ReturnType<typeof askJobSpec>>> } | { yaml: string },
): Promise<JobDetail | undefined> {
  let job: JobDetail;
  try {
    job = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Submitting the job…') },
      () => client.createJob({ body }),
    );
  } catch (error) {
    await vscode.window.showErrorMessage(vscode.l10n.t('The job was not submitted. {0}', describeError(error)));
    return undefined;
  }
  void deps.jobs.applyAnswer(job);
  const showLogs = vscode.l10n.t('Show Logs');
  const showDetails = vscode.l10n.t('Show Details');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Submitted {0} as job {1}.', job.spec.name, job.id), showLogs, showDetails)
    .then((choice) => {
      if (choice === showLogs) return vscode.commands.executeCommand(CommandIds.showJobLogs, job.id);
      if (choice === showDetails) return vscode.commands.executeCommand(CommandIds.showJobDetails, job.id);
      return undefined;
    });
  return job;
}
