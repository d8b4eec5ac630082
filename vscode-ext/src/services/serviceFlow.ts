import {
  ProbeSchema,
  ResourcesSchema,
  ServiceSpecSchema,
  ServiceVersionSpecSchema,
  type ServiceAuthKind,
  type ServiceSpec,
} from '@aiplat/api';
import * as vscode from 'vscode';
import { runMultiStepInput, type StepPrompt } from '../training/multiStepInput.js';
import { acceleratorItems } from '../training/trainingFlow.js';
import { StepFlow, type Answers, type FlowStep } from '../training/stepFlow.js';

/** The steps of Deploy Service, in order. */
export const SERVICE_STEPS = [
  { id: 'name' },
  { id: 'model' },
  { id: 'code' },
  { id: 'command' },
  { id: 'environment' },
  { id: 'image' },
  { id: 'port' },
  { id: 'cpu' },
  { id: 'memory' },
  { id: 'accelerator' },
  { id: 'acceleratorCount', applies: (a) => a.accelerator !== undefined && a.accelerator !== 'none' },
  { id: 'replicas' },
  { id: 'readiness' },
  { id: 'readinessPath', applies: (a) => a.readiness === 'http' },
  { id: 'auth' },
] as const satisfies readonly FlowStep<string>[];

export type ServiceStepId = (typeof SERVICE_STEPS)[number]['id'];

/** What the flow starts from: the model folder when deployed from the Workspace view. */
export interface ServiceDefaults {
  name?: string;
  /** A folder relative to /work. */
  model?: string;
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
 * user does not confirm a service anyone may call.
 */
export async function askServiceSpec(title: string, defaults: ServiceDefaults = {}): Promise<ServiceSpec | undefined> {
  const flow = new StepFlow<ServiceStepId>(SERVICE_STEPS as readonly FlowStep<ServiceStepId>[]);
  const done = await runMultiStepInput(title, flow, (id) => serviceStepPrompt(id, defaults));
  if (!done) return undefined;
  const parsed = ServiceSpecSchema.safeParse(serviceInput(flow.values()));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(spec)'}: ${issue.message}`);
    await vscode.window.showErrorMessage(vscode.l10n.t('The service is not valid: {0}', problems.join('; ')));
    return undefined;
  }
  if (parsed.data.auth.includes('none')) {
    const deploy = vscode.l10n.t('Deploy Without Auth');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Anyone who can reach the server may call {0}, with no key or token. Deploy it anyway?',
        parsed.data.name,
      ),
      { modal: true },
      deploy,
    );
    if (answer !== deploy) return undefined;
  }
  return parsed.data;
}

/** The contract's message for a value of one field, or undefined when the field takes it. */
function fieldCheck(schema: {
  safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } };
}) {
  return (value: unknown): string | undefined => {
    const parsed = schema.safeParse(value);
    return parsed.success ? undefined : (parsed.error?.issues[0]?.message ?? vscode.l10n.t('Not a valid value'));
  };
}

const fields = ServiceSpecSchema.shape;
const versionFields = ServiceVersionSpecSchema.shape;
const resourceFields = ResourcesSchema.shape;
const optional = (check: (v: string) => string | undefined) => (v: string) =>
  v.trim() === '' ? undefined : check(v.trim());
const wholeNumber = (check: (v: unknown) => string | undefined, example: string) => (v: string) =>
  /^\s*\d+\s*$/.test(v) ? check(Number(v)) : vscode.l10n.t('A whole number, e.g. {0}', example);

/** A name the contract takes, made from a folder's last part ("tiny_GPT2" → "tiny-gpt2"). */
export function nameFromFolder(folder: string | undefined): string {
  const last = folder?.split('/').filter(Boolean).at(-1) ?? '';
  const name = last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return name || 'my-service';
}

/** How each step is asked, and checked. */
export function serviceStepPrompt(id: ServiceStepId, defaults: ServiceDefaults): StepPrompt {
  const input = (prompt: string, initial: string, validate: (v: string) => string | undefined): StepPrompt => ({
    kind: 'input',
    prompt,
    initial,
    validate,
  });
  switch (id) {
    case 'name':
      return input(
        vscode.l10n.t('Service name: the path /services/<name>/ (lowercase letters, digits and -)'),
        defaults.name ?? nameFromFolder(defaults.model),
        (v) => fieldCheck(fields.name)(v),
      );
    case 'model':
      return input(
        vscode.l10n.t('Model folder, relative to /work (read-only at /data/model, named by MODEL_DIR)'),
        defaults.model ?? 'mount/models/',
        (v) => fieldCheck(versionFields.model)(v.trim()),
      );
    case 'code':
      return input(
        vscode.l10n.t('Code folder the command runs in, relative to /work (empty: the model folder)'),
        '',
        optional((v) => fieldCheck(versionFields.code)(v)),
      );
    case 'command':
      return input(
        vscode.l10n.t('Command that starts the server, listening on $PORT (e.g. python3 serve.py)'),
        '',
        (v) => fieldCheck(versionFields.command)(v),
      );
    case 'environment':
      return input(
        vscode.l10n.t('Python environment on the server, local engine (empty: the server default)'),
        '',
        optional((v) => fieldCheck(versionFields.environment)(v)),
      );
    case 'image':
      return input(
        vscode.l10n.t('Container image (used on Kubernetes; optional on the local engine)'),
        '',
        optional((v) => fieldCheck(versionFields.image)(v)),
      );
    case 'port':
      return input(
        vscode.l10n.t('Port the server listens on (Kubernetes; the local engine picks a free one as $PORT)'),
        '8080',
        wholeNumber(fieldCheck(versionFields.port), '8080'),
      );
    case 'cpu':
      return input(vscode.l10n.t('CPU cores per replica'), '1', (v) =>
        v.trim() === '' ? vscode.l10n.t('A number of cores, e.g. 2 or 0.5') : fieldCheck(resourceFields.cpu)(Number(v)),
      );
    case 'memory':
      return input(vscode.l10n.t('Memory per replica'), '2Gi', (v) => fieldCheck(resourceFields.memory)(v));
    case 'accelerator':
      return { kind: 'pick', placeholder: vscode.l10n.t('Accelerator per replica'), items: acceleratorItems() };
    case 'acceleratorCount':
      return input(vscode.l10n.t('Devices per replica (or a share of one, from 0.1 to 1)'), '1', (v) =>
        fieldCheck(resourceFields.accelerator)({ type: 'nvidia', count: Number(v) }),
      );
    case 'replicas':
      return input(
        vscode.l10n.t('Replicas'),
        '1',
        wholeNumber((v) => fieldCheck(versionFields.replicas)(v), '2'),
      );
    case 'readiness':
      return {
        kind: 'pick',
        placeholder: vscode.l10n.t('When a replica is ready for traffic'),
        items: [
          { label: vscode.l10n.t('When its port accepts connections'), description: 'TCP', value: 'tcp' },
          { label: vscode.l10n.t('When an HTTP path answers 2xx or 3xx'), description: 'HTTP', value: 'http' },
        ],
      };
    case 'readinessPath':
      return input(vscode.l10n.t('Readiness path, e.g. /health'), '/health', (v) =>
        fieldCheck(ProbeSchema)({ type: 'http', path: v.trim() }),
      );
    case 'auth':
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
}

/** The spec the answers describe, before the contract's validation. */
export function serviceInput(answers: Answers<ServiceStepId>): Record<string, unknown> {
  const type = answers.accelerator ?? 'none';
  const text = (value: string | undefined) => value?.trim() ?? '';
  const code = text(answers.code);
  const environment = text(answers.environment);
  const image = text(answers.image);
  return {
    name: text(answers.name),
    auth: AUTH_CHOICES[answers.auth ?? 'both'] ?? AUTH_CHOICES.both,
    version: {
      model: text(answers.model),
      ...(code ? { code } : {}),
      command: answers.command ?? '',
      ...(environment ? { environment } : {}),
      ...(image ? { image } : {}),
      port: Number(answers.port ?? 8080),
      resources: {
        cpu: Number(answers.cpu),
        memory: text(answers.memory),
        accelerator: { type, count: type === 'none' ? 0 : Number(answers.acceleratorCount) },
      },
      replicas: Number(answers.replicas ?? 1),
      ...(answers.readiness === 'http'
        ? { probes: { readiness: { type: 'http', path: text(answers.readinessPath) } } }
        : {}),
    },
  };
}
