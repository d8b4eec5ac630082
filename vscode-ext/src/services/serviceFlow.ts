import {
  ApiError,
  serviceNameFromFolder,
  ServiceSpecSchema,
  type Image,
  type ServiceAuthKind,
  type ServiceSpec,
} from '@aiplat/api';
import * as vscode from 'vscode';
import { runMultiStepInput, type StepPrompt } from '../training/multiStepInput.js';
import { StepFlow, type Answers, type FlowStep } from '../training/stepFlow.js';
import {
  fieldCheck,
  input,
  VERSION_STEPS,
  versionStepPrompt,
  type VersionStepContext,
  type VersionStepId,
} from './serviceVersionSteps.js';
import { versionInput, versionStepsOfIssue } from './serviceVersionSpec.js';

/** The steps of Deploy Service, in order: the name, the version's steps, who may call it. */
export const SERVICE_STEPS = [
  { id: 'name' },
  ...VERSION_STEPS,
  { id: 'auth' },
] as const satisfies readonly FlowStep<string>[];

export type ServiceStepId = (typeof SERVICE_STEPS)[number]['id'];

/** What the flow starts from: the model folder when deployed from the Workspace view. */
export interface ServiceDefaults {
  name?: string;
  /** A folder relative to /work. */
  model?: string;
}

/** Where the flow stands when it is run again after a 400: the answers, and the issues by step. */
export interface FlowRetry<Id extends string> {
  answers: Answers<Id>;
  problems: Partial<Record<Id, string>>;
}

/** The auth choices, each a list the contract takes. */
export const AUTH_CHOICES: Readonly<Record<string, ServiceAuthKind[]>> = {
  both: ['appkey', 'token'],
  token: ['token'],
  appkey: ['appkey'],
  none: ['none'],
};

/**
 * Deploy Service: a multi-step quick input, each answer checked at its step by the contract's own
 * rule for that field, then the whole spec by the contract. `undefined` when cancelled, or when the
 * user does not confirm a service anyone may call. With `retry` (the server refused the spec) the
 * flow opens at the first step an issue names, with the issue shown there.
 */
export async function askServiceSpec(
  title: string,
  defaults: ServiceDefaults = {},
  retry?: FlowRetry<ServiceStepId>,
  images: readonly Image[] = [],
): Promise<{ spec: ServiceSpec; answers: Answers<ServiceStepId> } | undefined> {
  const steps = SERVICE_STEPS as readonly FlowStep<ServiceStepId>[];
  const flow = new StepFlow<ServiceStepId>(steps, retry?.answers);
  if (retry) goToFirstProblem(flow, steps, retry.problems);
  const context = { requirementFiles: await requirementFiles(), images };
  const done = await runMultiStepInput(title, flow, (id) =>
    withProblem(serviceStepPrompt(id, defaults, context), retry?.problems[id]),
  );
  if (!done) return undefined;
  const answers = flow.values();
  const requirements = await requirementsOf(answers);
  if (requirements instanceof Error) {
    await vscode.window.showErrorMessage(requirements.message);
    return undefined;
  }
  const parsed = ServiceSpecSchema.safeParse(serviceInput(answers, requirements));
  if (!parsed.success) {
    await vscode.window.showErrorMessage(vscode.l10n.t('The service is not valid: {0}', issuesText(parsed.error)));
    return undefined;
  }
  if (parsed.data.auth.includes('none') && !(await confirmNoAuth(parsed.data.name))) return undefined;
  return { spec: parsed.data, answers };
}

/** The contract's issues in one line: `where: what; ...`. */
export function issuesText(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Asks before a service anyone may call: true when the user says so. */
export async function confirmNoAuth(name: string, yes = vscode.l10n.t('Deploy Without Auth')): Promise<boolean> {
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Anyone who can reach the server may call {0}, with no key or token. Deploy it anyway?', name),
    { modal: true },
    yes,
  );
  return answer === yes;
}

/** A prompt with the server's issue about its step, if any. */
export function withProblem(prompt: StepPrompt, problem: string | undefined): StepPrompt {
  return problem === undefined ? prompt : { ...prompt, problem };
}

/** Opens the flow at the first step (in the flow's order, `steps`) that has a problem and applies. */
export function goToFirstProblem<Id extends string>(
  flow: StepFlow<Id>,
  steps: readonly FlowStep<Id>[],
  problems: Partial<Record<Id, string>>,
): void {
  for (const { id } of steps) if (problems[id] !== undefined && flow.goTo(id)) return;
}

/**
 * The issues of a refused request by the step they name (the first step of each issue's candidates
 * that the answers reach); issues no step names are returned apart, to be shown as a message.
 */
export function problemsByStep<Id extends string>(
  error: unknown,
  stepsOf: (path: string) => Id[],
  applies: (id: Id) => boolean,
): { problems: Partial<Record<Id, string>>; unplaced: string[] } | undefined {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed' || !error.issues?.length) return undefined;
  const problems: Partial<Record<Id, string>> = {};
  const unplaced: string[] = [];
  for (const issue of error.issues) {
    const id = stepsOf(issue.path).find(applies);
    if (id === undefined) unplaced.push(`${issue.path}: ${issue.message}`);
    else problems[id] = problems[id] ? `${problems[id]}; ${issue.message}` : issue.message;
  }
  return { problems, unplaced };
}

/** The steps of Deploy Service an issue may be about. */
export function serviceStepsOfIssue(path: string): ServiceStepId[] {
  const field = path.replace(/^(body\.)?(spec\.)?/, '');
  if (field === 'name') return ['name'];
  if (field === 'auth' || field.startsWith('auth.')) return ['auth'];
  return versionStepsOfIssue(field);
}

/** The workspace's requirements files, offered by the requirements step. */
export async function requirementFiles(): Promise<{ label: string; uri: string }[]> {
  const found = await vscode.workspace.findFiles('**/requirements*.txt', '**/node_modules/**', 50);
  return found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri: uri.toString() }));
}

/** The text of the requirements file chosen, if one was; an Error when it cannot be read. */
export async function requirementsOf(answers: Answers<string>): Promise<string | undefined | Error> {
  if (answers.requirements !== 'file' || !answers.requirementsFile) return undefined;
  try {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.parse(answers.requirementsFile));
    return new TextDecoder().decode(bytes);
  } catch (error) {
    return new Error(
      vscode.l10n.t('Cannot read {0}: {1}', answers.requirementsFile, error instanceof Error ? error.message : ''),
    );
  }
}

const fields = ServiceSpecSchema.shape;

/** How each step is asked, and checked. */
export function serviceStepPrompt(
  id: ServiceStepId,
  defaults: ServiceDefaults,
  context: VersionStepContext = {},
): StepPrompt {
  switch (id) {
    case 'name':
      return input(
        vscode.l10n.t('Service name: the path /services/<name>/ (lowercase letters, digits and -)'),
        defaults.name ?? (serviceNameFromFolder(defaults.model) || 'my-service'),
        (v) => fieldCheck(fields.name)(v),
      );
    case 'model':
      return { ...versionStepPrompt(id, context), initial: defaults.model ?? 'mount/models/' } as StepPrompt;
    case 'auth':
      return authPrompt();
    default:
      return versionStepPrompt(id, context);
  }
}

function authPrompt(): StepPrompt {
  return {
    kind: 'pick',
    placeholder: vscode.l10n.t('Who may call it'),
    items: [
      {
        label: vscode.l10n.t('AppKey signatures and bearer tokens'),
        description: vscode.l10n.t('default'),
        value: 'both',
      },
      { label: vscode.l10n.t('Bearer tokens only (TI-ONE)'), value: 'token' },
      { label: vscode.l10n.t('AppKey signatures only (慧聚)'), value: 'appkey' },
      { label: vscode.l10n.t('Anyone (no auth)'), description: vscode.l10n.t('not recommended'), value: 'none' },
    ],
  };
}

/** The spec the answers describe, before the contract's validation. */
export function serviceInput(answers: Answers<ServiceStepId>, requirements?: string): Record<string, unknown> {
  return {
    name: answers.name?.trim() ?? '',
    auth: AUTH_CHOICES[answers.auth ?? 'both'] ?? AUTH_CHOICES.both,
    version: versionInput(answers as Answers<VersionStepId>, requirements),
  };
}
