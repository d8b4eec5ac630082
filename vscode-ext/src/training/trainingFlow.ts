import {
  DEFAULT_JOB_PRIORITY,
  DEFAULT_JOB_QUEUE,
  DEFAULT_WORKING_DIR,
  JOB_MODES,
  JobSpecSchema,
  parseMemory,
  type JobMode,
  type JobSpec,
} from '@aiplat/api';
import * as vscode from 'vscode';

/** What a flow starts from: "Train this script" fills in the name, command and folder. */
export interface TrainingDefaults {
  name?: string;
  command?: string;
  workingDir?: string;
}

interface Pick<T> extends vscode.QuickPickItem {
  value: T;
}

const ENGINE_DEFAULT = 'server-default';

/**
 * The guided Start Training flow: one prompt per field (mode, name, command, nodes, resources,
 * image, queue, priority, engine, folder), then the contract's own validation. `undefined` when
 * the user cancels any step or the spec is refused (the refusal is shown).
 */
export async function askJobSpec(defaults: TrainingDefaults = {}): Promise<JobSpec | undefined> {
  const title = vscode.l10n.t('Start Training');
  const mode = await pick<JobMode>(
    title,
    vscode.l10n.t('Distributed mode'),
    JOB_MODES.map((m) => ({ label: m, description: modeDescription(m), value: m })),
  );
  if (!mode) return undefined;
  const name = await ask(title, vscode.l10n.t('Job name (letters, digits, _ and -)'), defaults.name ?? 'my-job');
  if (name === undefined) return undefined;
  const command = await ask(title, vscode.l10n.t('Command every node runs'), defaults.command ?? 'python train.py');
  if (command === undefined) return undefined;

  const topology: Record<string, unknown> = {};
  if (mode === 'ps-worker') {
    const ps = await askInt(title, vscode.l10n.t('Parameter servers'), 1);
    if (ps === undefined) return undefined;
    const workers = await askInt(title, vscode.l10n.t('Workers'), 2);
    if (workers === undefined) return undefined;
    Object.assign(topology, { ps, workers });
  } else if (mode === 'ray') {
    const replicas = await askInt(title, vscode.l10n.t('Ray workers (besides the head)'), 1);
    if (replicas === undefined) return undefined;
    topology.workers = replicas;
  } else {
    const nodes = await askInt(title, vscode.l10n.t('Nodes'), 1);
    if (nodes === undefined) return undefined;
    topology.nodes = nodes;
  }

  const cpuText = await ask(title, vscode.l10n.t('CPU cores per node'), '1', (v) =>
    Number(v) > 0 ? undefined : vscode.l10n.t('A number of cores greater than 0, e.g. 1 or 0.5'),
  );
  if (cpuText === undefined) return undefined;
  const memory = await ask(title, vscode.l10n.t('Memory per node'), '2Gi', (v) =>
    parseMemory(v) !== undefined ? undefined : vscode.l10n.t('A quantity such as 512Mi or 2Gi'),
  );
  if (memory === undefined) return undefined;
  const acceleratorType = await pick(title, vscode.l10n.t('Accelerator'), [
    { label: 'none', description: vscode.l10n.t('CPU only'), value: 'none' as const },
    { label: 'nvidia', description: vscode.l10n.t('NVIDIA GPU'), value: 'nvidia' as const },
    { label: 'ascend', description: vscode.l10n.t('Huawei Ascend NPU'), value: 'ascend' as const },
  ]);
  if (!acceleratorType) return undefined;
  let acceleratorCount = 0;
  if (acceleratorType !== 'none') {
    const count = await ask(title, vscode.l10n.t('Devices per node (or a share from 0.1 to 1)'), '1');
    if (count === undefined) return undefined;
    acceleratorCount = Number(count);
  }
  const resources = {
    cpu: Number(cpuText),
    memory,
    accelerator: { type: acceleratorType, count: acceleratorCount },
  };

  const image = await ask(title, vscode.l10n.t('Container image (optional on the local engine)'), '');
  if (image === undefined) return undefined;
  const queue = await ask(title, vscode.l10n.t('Queue'), DEFAULT_JOB_QUEUE);
  if (queue === undefined) return undefined;
  const priority = await pick(
    title,
    vscode.l10n.t('Priority (0 is the highest)'),
    [DEFAULT_JOB_PRIORITY, ...[0, 1, 2, 3, 4, 6, 7, 8, 9]].map((p) => ({
      label: String(p),
      description: p === DEFAULT_JOB_PRIORITY ? vscode.l10n.t('default') : undefined,
      value: p,
    })),
  );
  if (priority === undefined) return undefined;
  const engine = await pick(title, vscode.l10n.t('Engine'), [
    { label: vscode.l10n.t('Server default'), value: ENGINE_DEFAULT },
    { label: 'local', description: vscode.l10n.t('processes on the server'), value: 'local' },
    { label: 'kubernetes', description: vscode.l10n.t('the connected cluster'), value: 'kubernetes' },
  ]);
  if (engine === undefined) return undefined;
  const workingDir = await ask(
    title,
    vscode.l10n.t('Working folder, relative to /work'),
    defaults.workingDir ?? DEFAULT_WORKING_DIR,
  );
  if (workingDir === undefined) return undefined;

  const input: Record<string, unknown> = {
    name,
    mode,
    command,
    workingDir,
    queue,
    priority,
    ...(image.trim() ? { image: image.trim() } : {}),
    ...(engine !== ENGINE_DEFAULT ? { engine } : {}),
  };
  if (mode === 'ray') {
    input.head = { resources };
    input.workerGroups = [{ name: 'workers', replicas: topology.workers, resources }];
  } else {
    Object.assign(input, topology, { resources });
  }
  return validateSpec(input);
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

async function pick<T>(title: string, placeHolder: string, items: Pick<T>[]): Promise<T | undefined> {
  const chosen = await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true });
  return chosen?.value;
}

function ask(
  title: string,
  prompt: string,
  value: string,
  validate?: (value: string) => string | undefined,
): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    value,
    ignoreFocusOut: true,
    ...(validate ? { validateInput: validate } : {}),
  });
}

async function askInt(title: string, prompt: string, value: number): Promise<number | undefined> {
  const text = await ask(title, prompt, String(value), (v) =>
    /^\d+$/.test(v.trim()) && Number(v) >= 1 ? undefined : vscode.l10n.t('A whole number, at least 1'),
  );
  return text === undefined ? undefined : Number(text);
}
