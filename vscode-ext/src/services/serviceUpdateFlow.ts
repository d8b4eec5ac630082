import {
  SERVICE_AUTH_KINDS,
  SERVICE_LIMITS,
  ServiceLimitsSchema,
  ServiceVersionSpecSchema,
  UpdateServiceBodySchema,
  type Service,
  type ServiceAuthKind,
  type Image,
  type ServiceLimits,
  type ServiceVersion,
  type ServiceVersionSpec,
} from '@aiplat/api';
import * as vscode from 'vscode';
import { runMultiStepInput, type StepPrompt } from '../training/multiStepInput.js';
import { StepFlow, type Answers, type FlowStep } from '../training/stepFlow.js';
import {
  confirmNoAuth,
  goToFirstProblem,
  issuesText,
  requirementFiles,
  requirementsOf,
  withProblem,
  type FlowRetry,
} from './serviceFlow.js';
import { LIMIT_STEPS, limitAnswers, limitsInput, limitStepPrompt, type LimitStepId } from './serviceLimitSteps.js';
import {
  fieldCheck,
  input,
  VERSION_STEPS,
  versionStepPrompt,
  wholeNumber,
  type VersionStepId,
} from './serviceVersionSteps.js';
import { versionAnswers, versionInput } from './serviceVersionSpec.js';

/*
 * Updating a service (PATCH /api/services/:name): Scale (the serving version's replicas), Roll Out
 * New Version (the version steps of Deploy Service, prefilled from the serving version), Change
 * Auth and Change Limits (prefilled, with TI-ONE's defaults shown; its steps in
 * serviceLimitSteps.ts). Each answer is checked at its step; a 400's issues bring the flow back to
 * the step they name.
 */

const updateFields = UpdateServiceBodySchema.shape;

/** The version serving (or being rolled out), whose settings a new one starts from. */
export function servingVersion(service: Service): ServiceVersion | undefined {
  return service.versions.find((v) => v.version === service.version) ?? service.versions.at(-1);
}

/** Runs a flow (again after a 400, at the step an issue names); the answers, or undefined when cancelled. */
async function runFlow<Id extends string>(
  title: string,
  steps: readonly FlowStep<Id>[],
  initial: Answers<Id>,
  prompt: (id: Id) => StepPrompt,
  retry?: FlowRetry<Id>,
): Promise<Answers<Id> | undefined> {
  const flow = new StepFlow<Id>(steps, retry?.answers ?? initial);
  if (retry) goToFirstProblem(flow, steps, retry.problems);
  const done = await runMultiStepInput(title, flow, (id) => withProblem(prompt(id), retry?.problems[id]));
  return done ? flow.values() : undefined;
}

/* ---- Scale ---- */

export type ScaleStepId = 'replicas';
const SCALE_STEPS: readonly FlowStep<ScaleStepId>[] = [{ id: 'replicas' }];

export function scaleStepPrompt(): StepPrompt {
  return input(
    vscode.l10n.t('Replicas of the serving version (1 to {0})', SERVICE_LIMITS.replicas),
    '1',
    wholeNumber((v) => fieldCheck(updateFields.replicas)(v), '2'),
  );
}

/** Scale…: the serving version's replica count. */
export async function askReplicas(
  service: Service,
  retry?: FlowRetry<ScaleStepId>,
): Promise<{ body: { replicas: number }; answers: Answers<ScaleStepId> } | undefined> {
  const current = String(servingVersion(service)?.spec.replicas ?? 1);
  const title = vscode.l10n.t('Scale {0}', service.name);
  const answers = await runFlow(title, SCALE_STEPS, { replicas: current }, scaleStepPrompt, retry);
  return answers && { body: { replicas: Number(answers.replicas) }, answers };
}

/* ---- Roll Out New Version ---- */

/** Roll Out New Version…: the version steps, prefilled from the serving version. */
export async function askNewVersion(
  service: Service,
  retry?: FlowRetry<VersionStepId>,
  images: readonly Image[] = [],
): Promise<{ body: { version: ServiceVersionSpec }; answers: Answers<VersionStepId> } | undefined> {
  const serving = servingVersion(service);
  const kept = serving?.spec.requirements;
  const context = {
    requirementFiles: await requirementFiles(),
    ...(kept ? { keptRequirements: kept } : {}),
    images,
    ...(serving?.spec.image ? { currentImage: serving.spec.image } : {}),
  };
  const steps = VERSION_STEPS as readonly FlowStep<VersionStepId>[];
  const title = vscode.l10n.t('Roll Out a New Version of {0}', service.name);
  const initial = serving ? versionAnswers(serving.spec) : {};
  const answers = await runFlow(title, steps, initial, (id) => versionStepPrompt(id, context), retry);
  if (!answers) return undefined;
  const read = answers.requirements === 'keep' ? kept : await requirementsOf(answers);
  if (read instanceof Error) {
    await vscode.window.showErrorMessage(read.message);
    return undefined;
  }
  // What the steps do not ask (the environment variables) stays as the serving version has it.
  const parsed = ServiceVersionSpecSchema.safeParse({ env: serving?.spec.env ?? {}, ...versionInput(answers, read) });
  if (!parsed.success) {
    await vscode.window.showErrorMessage(vscode.l10n.t('The version is not valid: {0}', issuesText(parsed.error)));
    return undefined;
  }
  return { body: { version: parsed.data }, answers };
}

/* ---- Change Auth ---- */

/** The auth kinds picked, checked by the contract: the kinds, or what is wrong with them. */
export function authChoice(kinds: readonly string[]): { auth: ServiceAuthKind[] } | { problem: string } {
  const parsed = updateFields.auth.safeParse(kinds);
  if (parsed.success && parsed.data) return { auth: parsed.data };
  return { problem: parsed.error?.issues[0]?.message ?? vscode.l10n.t('Not a valid value') };
}

/**
 * Change Auth…: appkey, token or none, several at once; none alone, and only after an explicit
 * yes (like Deploy). `problem`: the server's word on an earlier choice.
 */
export async function askAuth(service: Service, problem?: string): Promise<{ auth: ServiceAuthKind[] } | undefined> {
  const labels: Record<ServiceAuthKind, { label: string; detail: string }> = {
    appkey: { label: vscode.l10n.t('AppKey signatures (慧聚)'), detail: 'appkey' },
    token: { label: vscode.l10n.t('Bearer tokens (TI-ONE)'), detail: 'token' },
    none: { label: vscode.l10n.t('Anyone (no auth)'), detail: vscode.l10n.t('not recommended') },
  };
  let picked: readonly ServiceAuthKind[] = service.auth;
  let placeHolder = problem ?? vscode.l10n.t('Who may call {0} (pick one or more)', service.name);
  for (;;) {
    const chosen = await vscode.window.showQuickPick(
      SERVICE_AUTH_KINDS.map((authKind) => ({ ...labels[authKind], authKind, picked: picked.includes(authKind) })),
      { title: vscode.l10n.t('Change Auth of {0}', service.name), placeHolder, canPickMany: true },
    );
    if (!chosen) return undefined;
    const choice = authChoice(chosen.map((item) => item.authKind));
    if ('auth' in choice) {
      if (!choice.auth.includes('none')) return choice;
      const yes = vscode.l10n.t('Let Anyone Call It');
      return (await confirmNoAuth(service.name, yes)) ? choice : undefined;
    }
    // Asked again with what is wrong, the kinds chosen still picked.
    picked = chosen.map((item) => item.authKind);
    placeHolder = choice.problem;
  }
}

/* ---- Change Limits ---- */

/** Change Limits…: QPS and concurrency per replica, body size and upstream timeout, prefilled. */
export async function askLimits(
  service: Service,
  retry?: FlowRetry<LimitStepId>,
): Promise<{ body: { limits: ServiceLimits }; answers: Answers<LimitStepId> } | undefined> {
  const title = vscode.l10n.t('Change Limits of {0}', service.name);
  const answers = await runFlow(title, LIMIT_STEPS, limitAnswers(service.limits), limitStepPrompt, retry);
  if (!answers) return undefined;
  const parsed = ServiceLimitsSchema.safeParse(limitsInput(answers));
  if (!parsed.success) {
    await vscode.window.showErrorMessage(vscode.l10n.t('The limits are not valid: {0}', issuesText(parsed.error)));
    return undefined;
  }
  return { body: { limits: parsed.data }, answers };
}

/** The step of Scale an issue may be about. */
export function scaleStepsOfIssue(path: string): ScaleStepId[] {
  return /(^|\.)replicas$/.test(path) ? ['replicas'] : [];
}
