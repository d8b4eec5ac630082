import {
  DEFAULT_JOB_PRIORITY,
  DEFAULT_JOB_QUEUE,
  DEFAULT_WORKING_DIR,
  DevMachineSpecSchema,
  ResourcesSchema,
  type DevMachineSpec,
  type Image,
  type LifecycleConfig,
} from '@aiplat/api';
import * as vscode from 'vscode';
import {
  accessOfAnswers,
  accessStepPrompt,
  accessSteps,
  isAccessStep,
  type AccessChoices,
  type AccessStepId,
} from './accessSteps.js';
import { lifecycleConfigItems, NO_LIFECYCLE_CONFIG } from '../lifecycle/lifecycleConfigPick.js';
import { IMAGE_REF_STEP, imageOfAnswers, imageRefStepPrompt, imageStepPrompt } from '../images/imagePick.js';
import { runMultiStepInput, type StepPrompt } from '../training/multiStepInput.js';
import { acceleratorItems } from '../training/trainingFlow.js';
import { StepFlow, type Answers, type FlowStep } from '../training/stepFlow.js';

/** The steps of Create Dev Machine, in order. */
export const DEV_MACHINE_STEPS = [
  { id: 'name' },
  { id: 'ides' },
  { id: 'cpu' },
  { id: 'memory' },
  { id: 'accelerator' },
  { id: 'acceleratorCount', applies: (a) => a.accelerator !== undefined && a.accelerator !== 'none' },
  { id: 'image' },
  IMAGE_REF_STEP,
  { id: 'queue' },
  { id: 'priority' },
  { id: 'workingDir' },
  { id: 'autoStop' },
  { id: 'idleMinutes' },
  { id: 'idleActivity', applies: (a) => idleMinutesGiven(a) },
  { id: 'idleCpu', applies: (a) => idleMinutesGiven(a) },
] as const satisfies readonly FlowStep<string>[];

/** Whether the idle step was answered with a time: then what counts as activity is asked too. */
function idleMinutesGiven(answers: Readonly<Answers<string>>): boolean {
  return (answers.idleMinutes?.trim() ?? '') !== '';
}

/** The activity signals that keep a machine up, as the idle policy names them. */
export const IDLE_ACTIVITIES = ['kernels', 'terminals', 'codeServer', 'jobs'] as const;
type IdleActivity = (typeof IDLE_ACTIVITIES)[number];

/** The last step, asked when the user has lifecycle configs to choose from. */
export const LIFECYCLE_CONFIG_STEP = { id: 'lifecycleConfig' } as const;

export type DevMachineStepId =
  (typeof DEV_MACHINE_STEPS)[number]['id'] | typeof LIFECYCLE_CONFIG_STEP.id | AccessStepId;

/** What a flow starts from: Copy fills in every answer from the copied dev machine. */
export type DevMachineDefaults = Partial<DevMachineSpec>;

const IDE_CHOICES = {
  both: ['jupyterlab', 'code-server'],
  jupyterlab: ['jupyterlab'],
  'code-server': ['code-server'],
} as const;

/**
 * Create Dev Machine: a multi-step quick input, each answer checked at its step by the contract's
 * own rule for that field, then the whole spec by the contract. `undefined` when cancelled. Last,
 * SSH and the repositories to clone (`access`: the credentials and keys to offer).
 */
export async function askDevMachineSpec(
  title: string,
  defaults: DevMachineDefaults = {},
  images: readonly Image[] = [],
  lifecycleConfigs: readonly LifecycleConfig[] = [],
  access: AccessChoices = {},
): Promise<DevMachineSpec | undefined> {
  const steps: readonly FlowStep<DevMachineStepId>[] = [
    ...DEV_MACHINE_STEPS,
    ...(lifecycleConfigs.length > 0 ? [LIFECYCLE_CONFIG_STEP] : []),
    ...accessSteps(access),
  ];
  const flow = new StepFlow<DevMachineStepId>(steps);
  const done = await runMultiStepInput(title, flow, (id) =>
    devMachineStepPrompt(id, defaults, images, lifecycleConfigs, access, flow.values()),
  );
  if (!done) return undefined;
  const parsed = DevMachineSpecSchema.safeParse(devMachineInput(flow.values(), defaults));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(spec)'}: ${issue.message}`);
  await vscode.window.showErrorMessage(vscode.l10n.t('The dev machine is not valid: {0}', problems.join('; ')));
  return undefined;
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

const fields = DevMachineSpecSchema.shape;
const resourceFields = ResourcesSchema.shape;

/**
 * How each step is asked, and checked; `images`: what the image step offers (none: a box);
 * `lifecycleConfigs`: what the lifecycle config step offers besides none; `access` and `answers`:
 * what the SSH and repository steps offer and the repositories given so far.
 */
export function devMachineStepPrompt(
  id: DevMachineStepId,
  defaults: DevMachineDefaults,
  images: readonly Image[] = [],
  lifecycleConfigs: readonly LifecycleConfig[] = [],
  access: AccessChoices = {},
  answers: Answers<DevMachineStepId> = {},
): StepPrompt {
  if (isAccessStep(id)) return accessStepPrompt(id, defaults, access, answers);
  const input = (prompt: string, initial: string, validate: (v: string) => string | undefined): StepPrompt => ({
    kind: 'input',
    prompt,
    initial,
    validate,
  });
  const resources = defaults.resources;
  switch (id) {
    case 'name':
      return input(
        vscode.l10n.t('Dev machine name (letters, digits, _ and -)'),
        defaults.name ?? 'my-dev-machine',
        (v) => fieldCheck(fields.name)(v),
      );
    case 'ides': {
      const items = [
        { label: vscode.l10n.t('JupyterLab and VS Code'), value: 'both' },
        { label: 'JupyterLab', value: 'jupyterlab' },
        { label: vscode.l10n.t('VS Code (code-server)'), value: 'code-server' },
      ];
      const current = defaults.ides?.length === 1 ? defaults.ides[0] : 'both';
      return {
        kind: 'pick',
        placeholder: vscode.l10n.t('The IDEs it runs'),
        items: [...items.filter((i) => i.value === current), ...items.filter((i) => i.value !== current)],
      };
    }
    case 'cpu':
      return input(vscode.l10n.t('CPU cores'), String(resources?.cpu ?? 2), (v) =>
        v.trim() === '' ? vscode.l10n.t('A number of cores, e.g. 2 or 0.5') : fieldCheck(resourceFields.cpu)(Number(v)),
      );
    case 'memory':
      return input(vscode.l10n.t('Memory'), String(resources?.memory ?? '4Gi'), (v) =>
        fieldCheck(resourceFields.memory)(v),
      );
    case 'accelerator':
      return {
        kind: 'pick',
        placeholder: vscode.l10n.t('Accelerator'),
        items: acceleratorItems(resources?.accelerator.type),
      };
    case 'acceleratorCount':
      return input(
        vscode.l10n.t('Devices (or a share of one, from 0.1 to 1)'),
        String(resources?.accelerator.count || 1),
        (v) => fieldCheck(resourceFields.accelerator)({ type: 'nvidia', count: Number(v) }),
      );
    case 'image':
    case 'imageRef': {
      const image = {
        images,
        current: defaults.image,
        prompt: vscode.l10n.t(
          'Container image (the dev machine runs in a container from it; left empty, the local engine runs it as processes)',
        ),
        validate: (v: string) => (v.trim() === '' ? undefined : fieldCheck(fields.image)(v.trim())),
      };
      return id === 'image' ? imageStepPrompt(image) : imageRefStepPrompt(image);
    }
    case 'queue':
      return input(vscode.l10n.t('Queue'), defaults.queue ?? DEFAULT_JOB_QUEUE, (v) => fieldCheck(fields.queue)(v));
    case 'priority': {
      const current = defaults.priority ?? DEFAULT_JOB_PRIORITY;
      return {
        kind: 'pick',
        placeholder: vscode.l10n.t('Priority (0 is the highest)'),
        items: [current, ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((p) => p !== current)].map((p) => ({
          label: String(p),
          ...(p === DEFAULT_JOB_PRIORITY ? { description: vscode.l10n.t('default') } : {}),
          value: String(p),
        })),
      };
    }
    case 'workingDir':
      return input(
        vscode.l10n.t('Folder the IDEs open, relative to /work'),
        defaults.workingDir ?? DEFAULT_WORKING_DIR,
        (v) => fieldCheck(fields.workingDir)(v),
      );
    case 'autoStop':
      return input(
        vscode.l10n.t('Auto-stop after how many hours? (empty: never)'),
        defaults.autoStop ? String(defaults.autoStop.afterHours) : '',
        autoStopCheck,
      );
    case 'idleMinutes':
      return input(
        vscode.l10n.t('Stop when idle for how many minutes? (empty: never)'),
        defaults.idlePolicy ? String(defaults.idlePolicy.forMinutes) : '',
        idleMinutesCheck,
      );
    case 'idleActivity': {
      const activity = defaults.idlePolicy?.activity;
      return {
        kind: 'pick',
        canPickMany: true,
        placeholder: vscode.l10n.t('What keeps it up while in use (unpicked: not looked at)'),
        items: IDLE_ACTIVITIES.map((value) => ({
          label: idleActivityLabel(value),
          value,
          picked: activity?.[value] ?? true,
        })),
      };
    }
    case 'idleCpu':
      return input(
        vscode.l10n.t(
          'Idle below what CPU %? (empty: CPU not looked at; memory thresholds and excluded processes: set them in the spec)',
        ),
        defaults.idlePolicy?.thresholds.cpuPercent === undefined
          ? ''
          : String(defaults.idlePolicy.thresholds.cpuPercent),
        idleCpuCheck,
      );
    case 'lifecycleConfig':
      return {
        kind: 'pick',
        placeholder: vscode.l10n.t('Lifecycle config: scripts run before the IDEs start'),
        items: lifecycleConfigItems(lifecycleConfigs, defaults.lifecycleConfig),
      };
  }
}

/** The auto-stop step's check: empty (never), or a whole number of hours from 1 to 24. */
export function autoStopCheck(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 24) {
    return vscode.l10n.t('A whole number of hours from 1 to 24, or empty to never stop by itself');
  }
  return fieldCheck(fields.autoStop)({ afterHours: Number(text) });
}

/** An activity signal for people. */
function idleActivityLabel(activity: IdleActivity): string {
  switch (activity) {
    case 'kernels':
      return vscode.l10n.t('Busy notebook kernels');
    case 'terminals':
      return vscode.l10n.t('Open terminals');
    case 'codeServer':
      return vscode.l10n.t('VS Code (code-server) connected');
    case 'jobs':
      return vscode.l10n.t('Jobs submitted from it');
  }
}

/** The idle step's check: empty (never), or a whole number of minutes from 1 to 1440. */
export function idleMinutesCheck(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1440) {
    return vscode.l10n.t('A whole number of minutes from 1 to 1440, or empty to never stop when idle');
  }
  return undefined;
}

/** The CPU threshold step's check: empty (not looked at), or a percentage from 0 to 100. */
export function idleCpuCheck(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const percent = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || percent > 100) {
    return vscode.l10n.t('A percentage from 0 to 100, or empty to not look at the CPU');
  }
  return undefined;
}

/**
 * The idle policy the answers ask for: none when the idle step is empty. Combined with `all`; what
 * the flow does not ask (memory and accelerator thresholds, excluded processes) a copy keeps.
 */
export function idlePolicyOfAnswers(
  answers: Answers<DevMachineStepId>,
  copied?: DevMachineSpec['idlePolicy'],
): DevMachineSpec['idlePolicy'] {
  const minutes = answers.idleMinutes?.trim() ?? '';
  if (minutes === '') return undefined;
  const picked = answers.idleActivity === undefined ? [...IDLE_ACTIVITIES] : answers.idleActivity.split(',');
  const cpu = answers.idleCpu?.trim() ?? '';
  const { cpuPercent: _cpu, ...keptThresholds } = copied?.thresholds ?? {};
  return {
    thresholds: { ...keptThresholds, ...(cpu === '' ? {} : { cpuPercent: Number(cpu) }) },
    combine: copied?.combine ?? 'all',
    forMinutes: Number(minutes),
    excludeProcesses: copied?.excludeProcesses ?? [],
    activity: {
      kernels: picked.includes('kernels'),
      terminals: picked.includes('terminals'),
      codeServer: picked.includes('codeServer'),
      jobs: picked.includes('jobs'),
    },
  };
}

/** The auto-stop an answer asks for: none when empty. */
function autoStopOfAnswer(answer: string | undefined): DevMachineSpec['autoStop'] {
  const text = answer?.trim() ?? '';
  return text === '' ? undefined : { afterHours: Number(text) };
}

/** The spec the answers describe (with what a copy keeps), before the contract's validation. */
export function devMachineInput(
  answers: Answers<DevMachineStepId>,
  defaults: DevMachineDefaults = {},
): Record<string, unknown> {
  const type = answers.accelerator ?? 'none';
  const image = imageOfAnswers(answers);
  const autoStop = autoStopOfAnswer(answers.autoStop);
  const idlePolicy = idlePolicyOfAnswers(answers, defaults.idlePolicy);
  return {
    ...(defaults.description ? { description: defaults.description } : {}),
    ...(defaults.tags ? { tags: defaults.tags } : {}),
    ...(defaults.env ? { env: defaults.env } : {}),
    ...(defaults.environment ? { environment: defaults.environment } : {}),
    ...(defaults.engine ? { engine: defaults.engine } : {}),
    name: answers.name,
    ides: IDE_CHOICES[(answers.ides ?? 'both') as keyof typeof IDE_CHOICES],
    resources: {
      cpu: Number(answers.cpu),
      memory: answers.memory,
      accelerator: { type, count: type === 'none' ? 0 : Number(answers.acceleratorCount) },
    },
    ...(image ? { image } : {}),
    queue: answers.queue,
    priority: Number(answers.priority),
    workingDir: answers.workingDir,
    ...(autoStop ? { autoStop } : {}),
    ...(idlePolicy ? { idlePolicy } : {}),
    ...(answers.lifecycleConfig && answers.lifecycleConfig !== NO_LIFECYCLE_CONFIG
      ? { lifecycleConfig: answers.lifecycleConfig }
      : {}),
    ...accessOfAnswers(answers, defaults),
  };
}
