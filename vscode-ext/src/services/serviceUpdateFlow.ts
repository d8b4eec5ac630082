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
 * Auth and Change Limits (prefilled, with TI-ONE's defaults shown). Each answer is checked by the
 * contract's rule for its field; a 400's issues bring the flow back to the step they name.
 */

const updateFields = UpdateServiceBodySchema.shape;
const limitFields = ServiceLimitsSchema.shape;

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

export const LIMIT_STEPS = [
  { id: 'qpsPerReplica' },
  { id: 'concurrencyPerReplica' },
  { id: 'maxBodyBytes' },
  { id: 'upstreamTimeoutSeconds' },
] as const satisfies readonly FlowStep<string>[];
export type LimitStepId = (typeof LIMIT_STEPS)[number]['id'];

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A size typed as bytes or with a unit ("10MiB", "512 KiB", "1.5M"), in bytes; undefined if not one. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  return match && unit !== undefined ? Math.round(Number(match[1]) * unit) : undefined;
}

/** Bytes in the largest unit that divides them: 10485760 → "10MiB". */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** How each limit is asked: its meaning, TI-ONE's default, the contract's check. */
export function limitStepPrompt(id: LimitStepId): StepPrompt {
  switch (id) {
    case 'qpsPerReplica':
      return input(
        vscode.l10n.t(
          'Requests per second each ready replica takes (TI-ONE default {0})',
          SERVICE_LIMITS.defaultQpsPerReplica,
        ),
        String(SERVICE_LIMITS.defaultQpsPerReplica),
        (v) =>
          v.trim() === '' || Number.isNaN(Number(v))
            ? vscode.l10n.t('A number, e.g. {0}', SERVICE_LIMITS.defaultQpsPerReplica)
            : fieldCheck(limitFields.qpsPerReplica)(Number(v)),
      );
    case 'concurrencyPerReplica':
      return input(
        vscode.l10n.t(
          'Requests in flight per ready replica (TI-ONE default {0})',
          SERVICE_LIMITS.defaultConcurrencyPerReplica,
        ),
        String(SERVICE_LIMITS.defaultConcurrencyPerReplica),
        wholeNumber(fieldCheck(limitFields.concurrencyPerReplica), String(SERVICE_LIMITS.defaultConcurrencyPerReplica)),
      );
    case 'maxBodyBytes':
      return input(
        vscode.l10n.t(
          'Largest request body, in bytes or with a unit such as 10MiB (default {0})',
          formatSize(SERVICE_LIMITS.defaultMaxBodyBytes),
        ),
        formatSize(SERVICE_LIMITS.defaultMaxBodyBytes),
        (v) => {
          const bytes = parseSize(v);
          return bytes === undefined
            ? vscode.l10n.t('A size such as 10MiB, 512KiB or 1048576')
            : fieldCheck(limitFields.maxBodyBytes)(bytes);
        },
      );
    case 'upstreamTimeoutSeconds':
      return input(
        vscode.l10n.t(
          'Seconds the gateway waits for a replica’s response headers (default {0})',
          SERVICE_LIMITS.defaultUpstreamTimeoutSeconds,
        ),
        String(SERVICE_LIMITS.defaultUpstreamTimeoutSeconds),
        wholeNumber(
          fieldCheck(limitFields.upstreamTimeoutSeconds),
          String(SERVICE_LIMITS.defaultUpstreamTimeoutSeconds),
        ),
      );
  }
}

/** The answers a service's limits give (the flow's prefill). */
export function limitAnswers(limits: ServiceLimits): Answers<LimitStepId> {
  return {
    qpsPerReplica: String(limits.qpsPerReplica),
    concurrencyPerReplica: String(limits.concurrencyPerReplica),
    maxBodyBytes: formatSize(limits.maxBodyBytes),
    upstreamTimeoutSeconds: String(limits.upstreamTimeoutSeconds),
  };
}

/** The limits the answers describe, before the contract's validation. */
export function limitsInput(answers: Answers<LimitStepId>): Record<string, unknown> {
  return {
    qpsPerReplica: Number(answers.qpsPerReplica),
    concurrencyPerReplica: Number(answers.concurrencyPerReplica),
    maxBodyBytes: parseSize(answers.maxBodyBytes ?? '') ?? Number.NaN,
    upstreamTimeoutSeconds: Number(answers.upstreamTimeoutSeconds),
  };
}

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

/** The steps of Change Limits an issue may be about (`body.limits.qpsPerReplica` → qpsPerReplica). */
export function limitStepsOfIssue(path: string): LimitStepId[] {
  const field = path.replace(/^(body\.)?limits\.?/, '');
  return LIMIT_STEPS.map((s) => s.id).filter((id) => id === field);
}

/** The step of Scale an issue may be about. */
export function scaleStepsOfIssue(path: string): ScaleStepId[] {
  return /(^|\.)replicas$/.test(path) ? ['replicas'] : [];
}
