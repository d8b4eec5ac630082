import {
  DEFAULT_JOB_PRIORITY,
  DEFAULT_JOB_QUEUE,
  DEFAULT_WORKING_DIR,
  JOB_MODES,
  JobSpecSchema,
  parseMemory,
  type JobMode,
  type Image,
  type JobSpec,
} from '@aiplat/api';
import * as vscode from 'vscode';
import { IMAGE_REF_STEP, imageOfAnswers, imageRefStepPrompt, imageStepPrompt } from '../images/imagePick.js';
import { runMultiStepInput, type StepItem, type StepPrompt } from './multiStepInput.js';
import { StepFlow, type Answers, type FlowStep } from './stepFlow.js';

/** What a flow starts from: "Train this script" fills in the name, command and folder. */
export interface TrainingDefaults {
  name?: string;
  command?: string;
  workingDir?: string;
}

const ENGINE_DEFAULT = 'server-default';

/** The steps of Start Training, in order; some depend on the mode or the accelerator. */
export const TRAINING_STEPS = [
  { id: 'mode' },
  { id: 'name' },
  { id: 'command' },
  { id: 'ps', applies: (a) => a.mode === 'ps-worker' },
  { id: 'workers', applies: (a) => a.mode === 'ps-worker' },
  { id: 'rayWorkers', applies: (a) => a.mode === 'ray' },
  { id: 'nodes', applies: (a) => a.mode !== 'ps-worker' && a.mode !== 'ray' },
  { id: 'cpu' },
  { id: 'memory' },
  { id: 'accelerator' },
  { id: 'acceleratorCount', applies: (a) => a.accelerator !== undefined && a.accelerator !== 'none' },
  { id: 'image' },
  IMAGE_REF_STEP,
  { id: 'queue' },
  { id: 'priority' },
  { id: 'engine' },
  { id: 'workingDir' },
] as const satisfies readonly FlowStep<string>[];

export type TrainingStepId = (typeof TRAINING_STEPS)[number]['id'];

/** A new Start Training flow: one step per field, "n/N", Back keeps the answers. */
export function createTrainingFlow(): StepFlow<TrainingStepId> {
  return new StepFlow<TrainingStepId>(TRAINING_STEPS as readonly FlowStep<TrainingStepId>[]);
}

/**
 * The guided Start Training flow: a multi-step quick input (mode, name, command, nodes, resources,
 * image, queue, priority, engine, folder), then the contract's own validation. `undefined` when
 * the user cancels or the spec is refused (the refusal is shown).
 */
export async function askJobSpec(
  defaults: TrainingDefaults = {},
  images: readonly Image[] = [],
): Promise<JobSpec | undefined> {
  const flow = createTrainingFlow();
  const done = await runMultiStepInput(vscode.l10n.t('Start Training'), flow, (id) => stepPrompt(id, defaults, images));
  if (!done) return undefined;
  return validateSpec(jobInput(flow.values()));
}

/** How each step is asked; `images`: what the image step offers (none: a box). */
export function stepPrompt(id: TrainingStepId, defaults: TrainingDefaults, images: readonly Image[] = []): StepPrompt {
  const input = (prompt: string, initial: string, validate?: (v: string) => string | undefined): StepPrompt => ({
    kind: 'input',
    prompt,
    initial,
    ...(validate ? { validate } : {}),
  });
  const pick = (placeholder: string, items: StepItem[]): StepPrompt => ({ kind: 'pick', placeholder, items });
  switch (id) {
    case 'mode':
      return pick(
        vscode.l10n.t('Distributed mode'),
        JOB_MODES.map((m) => ({ label: m, description: modeDescription(m), value: m })),
      );
    case 'name':
      return input(vscode.l10n.t('Job name (letters, digits, _ and -)'), defaults.name ?? 'my-job');
    case 'command':
      return input(vscode.l10n.t('Command every node runs'), defaults.command ?? 'python train.py');
    case 'ps':
      return input(vscode.l10n.t('Parameter servers'), '1', wholeNumber);
    case 'workers':
      return input(vscode.l10n.t('Workers'), '2', wholeNumber);
    case 'rayWorkers':
      return input(vscode.l10n.t('Ray workers (besides the head)'), '1', wholeNumber);
    case 'nodes':
      return input(vscode.l10n.t('Nodes'), '1', wholeNumber);
    case 'cpu':
      return input(vscode.l10n.t('CPU cores per node'), '1', (v) =>
        Number(v) > 0 ? undefined : vscode.l10n.t('A number of cores greater than 0, e.g. 1 or 0.5'),
      );
    case 'memory':
      return input(vscode.l10n.t('Memory per node'), '2Gi', (v) =>
        parseMemory(v) !== undefined ? undefined : vscode.l10n.t('A quantity such as 512Mi or 2Gi'),
      );
    case 'accelerator':
      return pick(vscode.l10n.t('Accelerator'), acceleratorItems());
    case 'acceleratorCount':
      return input(vscode.l10n.t('Devices per node (or a share from 0.1 to 1)'), '1');
    case 'image':
    case 'imageRef': {
      const image = {
        images,
        prompt: vscode.l10n.t('Container image (optional on the local engine)'),
        validate: () => undefined,
      };
      return id === 'image' ? imageStepPrompt(image) : imageRefStepPrompt(image);
    }
    case 'queue':
      return input(vscode.l10n.t('Queue'), DEFAULT_JOB_QUEUE);
    case 'priority':
      return pick(
        vscode.l10n.t('Priority (0 is the highest)'),
        [DEFAULT_JOB_PRIORITY, ...[0, 1, 2, 3, 4, 6, 7, 8, 9]].map((p) => ({
          label: String(p),
          ...(p === DEFAULT_JOB_PRIORITY ? { description: vscode.l10n.t('default') } : {}),
          value: String(p),
        })),
      );
    case 'engine':
      return pick(vscode.l10n.t('Engine'), [
        { label: vscode.l10n.t('Server default'), value: ENGINE_DEFAULT },
        { label: 'local', description: vscode.l10n.t('processes on the server'), value: 'local' },
        { label: 'kubernetes', description: vscode.l10n.t('the connected cluster'), value: 'kubernetes' },
      ]);
    case 'workingDir':
      return input(vscode.l10n.t('Working folder, relative to /work'), defaults.workingDir ?? DEFAULT_WORKING_DIR);
  }
}

/** The job the answers describe, before the contract's validation. */
export function jobInput(answers: Answers<TrainingStepId>): Record<string, unknown> {
  const acceleratorType = answers.accelerator ?? 'none';
  const resources = {
    cpu: Number(answers.cpu),
    memory: answers.memory,
    accelerator: { type: acceleratorType, count: acceleratorType === 'none' ? 0 : Number(answers.acceleratorCount) },
  };
  const image = imageOfAnswers(answers);
  const engine = answers.engine ?? ENGINE_DEFAULT;
  const input: Record<string, unknown> = {
    name: answers.name,
    mode: answers.mode,
    command: answers.command,
    workingDir: answers.workingDir,
    queue: answers.queue,
    priority: Number(answers.priority),
    ...(image ? { image } : {}),
    ...(engine !== ENGINE_DEFAULT ? { engine } : {}),
  };
  if (answers.mode === 'ray') {
    input.head = { resources };
    input.workerGroups = [{ name: 'workers', replicas: Number(answers.rayWorkers), resources }];
  } else if (answers.mode === 'ps-worker') {
    Object.assign(input, { ps: Number(answers.ps), workers: Number(answers.workers), resources });
  } else {
    Object.assign(input, { nodes: Number(answers.nodes), resources });
  }
  return input;
}

/** The contract's validation, every problem shown with its field. */
export async function validateSpec(input: unknown): Promise<JobSpec | undefined> {
  const parsed = JobSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(spec)'}: ${issue.message}`);
  await vscode.window.showErrorMessage(vscode.l10n.t('The job is not valid: {0}', problems.join('; ')));
  return undefined;
}

function modeDescription(mode: JobMode): string {
  switch (mode) {
    case 'ddp':
      return vscode.l10n.t('PyTorch DistributedDataParallel (torchrun)');
    case 'mpi':
      return vscode.l10n.t('MPI (mpirun)');
    case 'horovod':
      return vscode.l10n.t('Horovod');
    case 'deepspeed':
      return vscode.l10n.t('DeepSpeed (deepspeed --hostfile)');
    case 'ray':
      return vscode.l10n.t('Ray: a head and worker groups');
    case 'ps-worker':
      return vscode.l10n.t('TensorFlow parameter servers and workers');
  }
}

/** The accelerator choices of a resources step, `first` (the current one) first. */
export function acceleratorItems(first = 'none'): StepItem[] {
  const items: StepItem[] = [
    { label: 'none', description: vscode.l10n.t('CPU only'), value: 'none' },
    { label: 'nvidia', description: vscode.l10n.t('NVIDIA GPU'), value: 'nvidia' },
    { label: 'ascend', description: vscode.l10n.t('Huawei Ascend NPU'), value: 'ascend' },
  ];
  return [...items.filter((i) => i.value === first), ...items.filter((i) => i.value !== first)];
}

function wholeNumber(value: string): string | undefined {
  return /^\d+$/.test(value.trim()) && Number(value) >= 1 ? undefined : vscode.l10n.t('A whole number, at least 1');
}
