import { ProbeSchema, ResourcesSchema, ServiceVersionSpecSchema, type Image, type ServiceProbe } from '@aiplat/api';
import * as vscode from 'vscode';
import { IMAGE_REF_STEP, imageRefStepPrompt, imageStepPrompt } from '../images/imagePick.js';
import type { StepItem, StepPrompt } from '../training/multiStepInput.js';
import type { Answers, FlowStep } from '../training/stepFlow.js';
import { acceleratorItems } from '../training/trainingFlow.js';

/*
 * The steps that describe one version of a service (what Deploy Service asks after the name, and
 * Roll Out New Version asks again, prefilled from the serving version): the model and code, how to
 * start it, resources, replicas, requirements and the startup, readiness and liveness probes. Each
 * answer is checked at its step by the contract's own rule for that field.
 */

export const PROBE_KINDS = ['startup', 'readiness', 'liveness'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** A probe's choice: none, TCP on the version's port or another one, an HTTP path or a command. */
export type ProbeChoice = 'none' | 'tcp' | 'tcpPort' | 'http' | 'exec';

const configured = (a: Answers<string>, kind: ProbeKind) =>
  a[kind] !== undefined && a[kind] !== 'none' && !(kind === 'readiness' && a[kind] === 'tcp');

function probeSteps(kind: ProbeKind) {
  return [
    { id: kind },
    { id: `${kind}Path`, applies: (a: Answers<string>) => a[kind] === 'http' },
    { id: `${kind}Port`, applies: (a: Answers<string>) => a[kind] === 'tcpPort' },
    { id: `${kind}Command`, applies: (a: Answers<string>) => a[kind] === 'exec' },
  ] as const;
}

function timingStep(kind: ProbeKind) {
  return {
    id: `${kind}Timing`,
    applies: (a: Answers<string>) =>
      a.probeTimings === 'custom' && (kind === 'readiness' || (a[kind] !== undefined && a[kind] !== 'none')),
  } as const;
}

/** The steps of a version, in order. */
export const VERSION_STEPS = [
  { id: 'model' },
  { id: 'code' },
  { id: 'command' },
  { id: 'environment' },
  { id: 'image' },
  IMAGE_REF_STEP,
  { id: 'port' },
  { id: 'cpu' },
  { id: 'memory' },
  { id: 'accelerator' },
  { id: 'acceleratorCount', applies: (a) => a.accelerator !== undefined && a.accelerator !== 'none' },
  { id: 'replicas' },
  { id: 'requirements' },
  { id: 'requirementsFile', applies: (a) => a.requirements === 'file' },
  { id: 'requirementsText', applies: (a) => a.requirements === 'inline' },
  ...probeSteps('startup'),
  ...probeSteps('readiness'),
  ...probeSteps('liveness'),
  // The common path (TCP readiness, no startup or liveness probe) is not asked about timings.
  { id: 'probeTimings', applies: (a) => PROBE_KINDS.some((kind) => configured(a, kind)) },
  timingStep('startup'),
  timingStep('readiness'),
  timingStep('liveness'),
] as const satisfies readonly FlowStep<string>[];

export type VersionStepId = (typeof VERSION_STEPS)[number]['id'];

/** What the version steps start from beyond their answers. */
export interface VersionStepContext {
  /** requirements*.txt files of the workspace, offered by "From a file". */
  requirementFiles?: readonly { label: string; uri: string }[];
  /** The serving version's requirements, offered by "Keep" (Roll Out New Version). */
  keptRequirements?: string;
  /** The images the image step offers (none: a box). */
  images?: readonly Image[];
  /** The serving version's image, offered first (Roll Out New Version). */
  currentImage?: string;
}

/** The contract's message for a value of one field, or undefined when the field takes it. */
export function fieldCheck(schema: {
  safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } };
}) {
  return (value: unknown): string | undefined => {
    const parsed = schema.safeParse(value);
    return parsed.success ? undefined : (parsed.error?.issues[0]?.message ?? vscode.l10n.t('Not a valid value'));
  };
}

const versionFields = ServiceVersionSpecSchema.shape;
const resourceFields = ResourcesSchema.shape;
const optional = (check: (v: string) => string | undefined) => (v: string) =>
  v.trim() === '' ? undefined : check(v.trim());
/** A whole number checked by `check`, or what to type instead. */
export const wholeNumber = (check: (v: unknown) => string | undefined, example: string) => (v: string) =>
  /^\s*\d+\s*$/.test(v) ? check(Number(v)) : vscode.l10n.t('A whole number, e.g. {0}', example);

/** A decimal number as typed ("2", "-3", "0.5"); undefined for anything else ("", "abc", "1e3"). */
export function typedNumber(text: string): number | undefined {
  return /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : undefined;
}

export const input = (prompt: string, initial: string, validate: (v: string) => string | undefined): StepPrompt => ({
  kind: 'input',
  prompt,
  initial,
  validate,
});

/** Requirements typed on one line: one requirement per word. */
export function requirementLines(text: string): string {
  return text.trim().split(/\s+/).filter(Boolean).join('\n');
}

/**
 * A probe's timing typed as "period timeout failures" (seconds, seconds, count), and optionally the
 * initial delay (seconds) as a fourth number.
 */
export function probeTiming(text: string): Partial<ServiceProbe> | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const [periodSeconds, timeoutSeconds, failureThreshold, initialDelaySeconds] = parts.map(Number);
  return {
    periodSeconds,
    timeoutSeconds,
    failureThreshold,
    ...(initialDelaySeconds === undefined ? {} : { initialDelaySeconds }),
  } as Partial<ServiceProbe>;
}

/** A probe's timing as its step shows it; the initial delay only when there is one. */
export function timingText(probe: ServiceProbe): string {
  const delay = probe.initialDelaySeconds > 0 ? ` ${probe.initialDelaySeconds}` : '';
  return `${probe.periodSeconds} ${probe.timeoutSeconds} ${probe.failureThreshold}${delay}`;
}

/** The contract's defaults of a probe's timing, as its step shows them. */
export const DEFAULT_TIMING = timingText(ProbeSchema.parse({ type: 'tcp' }));

function probeKindPrompt(kind: ProbeKind): StepPrompt {
  const placeholders: Record<ProbeKind, string> = {
    startup: vscode.l10n.t('Startup probe: until it passes once, the other probes wait (a slow model load)'),
    readiness: vscode.l10n.t('When a replica is ready for traffic'),
    liveness: vscode.l10n.t('Liveness probe: a replica failing it is restarted'),
  };
  const items: StepItem[] = [
    ...(kind === 'readiness'
      ? []
      : [{ label: vscode.l10n.t('No probe'), description: vscode.l10n.t('default'), value: 'none' }]),
    { label: vscode.l10n.t('When its port accepts connections'), description: 'TCP', value: 'tcp' },
    { label: vscode.l10n.t('When another port accepts connections'), description: 'TCP', value: 'tcpPort' },
    { label: vscode.l10n.t('When an HTTP path answers 2xx or 3xx'), description: 'HTTP', value: 'http' },
    { label: vscode.l10n.t('When a command exits 0'), description: 'exec', value: 'exec' },
  ];
  return { kind: 'pick', placeholder: placeholders[kind], items };
}

function requirementsPrompt(context: VersionStepContext): StepPrompt {
  const items: StepItem[] = [
    ...(context.keptRequirements
      ? [
          {
            label: vscode.l10n.t('Keep the serving version’s requirements'),
            description: vscode.l10n.t('{0} lines', context.keptRequirements.split('\n').filter(Boolean).length),
            value: 'keep',
          },
        ]
      : []),
    { label: vscode.l10n.t('None'), description: vscode.l10n.t('the environment as it is'), value: 'none' },
    ...(context.requirementFiles?.length
      ? [{ label: vscode.l10n.t('From a requirements file of the workspace…'), value: 'file' }]
      : []),
    { label: vscode.l10n.t('Type them…'), value: 'inline' },
  ];
  return {
    kind: 'pick',
    placeholder: vscode.l10n.t('Python requirements installed into the version’s own environment at start'),
    items,
  };
}

/** How each version step is asked, and checked. */
export function versionStepPrompt(id: VersionStepId, context: VersionStepContext = {}): StepPrompt {
  switch (id) {
    case 'model':
      return input(
        vscode.l10n.t('Model folder, relative to /work (read-only at /data/model, named by MODEL_DIR)'),
        'mount/models/',
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
    case 'imageRef': {
      const image = {
        images: context.images ?? [],
        current: context.currentImage,
        prompt: vscode.l10n.t('Container image (used on Kubernetes; optional on the local engine)'),
        validate: optional((v) => fieldCheck(versionFields.image)(v)),
      };
      return id === 'image' ? imageStepPrompt(image) : imageRefStepPrompt(image);
    }
    case 'port':
      return input(
        vscode.l10n.t('Port the server listens on (Kubernetes; the local engine picks a free one as $PORT)'),
        '8080',
        wholeNumber(fieldCheck(versionFields.port), '8080'),
      );
    case 'cpu':
      return input(vscode.l10n.t('CPU cores per replica'), '1', (v) => {
        if (v.trim() === '') return vscode.l10n.t('A number of cores, e.g. 2 or 0.5');
        const cores = typedNumber(v);
        return cores === undefined
          ? vscode.l10n.t('"{0}" is not a number of cores: type one such as 2 or 0.5', v.trim())
          : fieldCheck(resourceFields.cpu)(cores);
      });
    case 'memory':
      return input(vscode.l10n.t('Memory per replica'), '2Gi', (v) => fieldCheck(resourceFields.memory)(v));
    case 'accelerator':
      return { kind: 'pick', placeholder: vscode.l10n.t('Accelerator per replica'), items: acceleratorItems() };
    case 'acceleratorCount':
      return input(vscode.l10n.t('Devices per replica (or a share of one, from 0.1 to 1)'), '1', (v) => {
        const count = typedNumber(v);
        if (count !== undefined) return fieldCheck(resourceFields.accelerator)({ type: 'nvidia', count });
        return v.trim() === ''
          ? vscode.l10n.t('A number of devices, e.g. 1, 2 or 0.5')
          : vscode.l10n.t('"{0}" is not a number of devices: type one such as 1, 2 or 0.5', v.trim());
      });
    case 'replicas':
      return input(
        vscode.l10n.t('Replicas'),
        '1',
        wholeNumber((v) => fieldCheck(versionFields.replicas)(v), '2'),
      );
    case 'requirements':
      return requirementsPrompt(context);
    case 'requirementsFile':
      return {
        kind: 'pick',
        placeholder: vscode.l10n.t('Requirements file (its text is sent with the version)'),
        items: (context.requirementFiles ?? []).map((file) => ({ label: file.label, value: file.uri })),
      };
    case 'requirementsText':
      return input(vscode.l10n.t('Requirements, separated by spaces (e.g. transformers==4.44 accelerate)'), '', (v) =>
        v.trim() === ''
          ? vscode.l10n.t('Type at least one requirement, or go Back and choose None')
          : fieldCheck(versionFields.requirements)(requirementLines(v)),
      );
    case 'startup':
    case 'readiness':
    case 'liveness':
      return probeKindPrompt(id);
    case 'startupPath':
    case 'readinessPath':
    case 'livenessPath':
      return input(vscode.l10n.t('HTTP path of the probe, e.g. /health'), '/health', (v) =>
        fieldCheck(ProbeSchema)({ type: 'http', path: v.trim() }),
      );
    case 'startupPort':
    case 'readinessPort':
    case 'livenessPort':
      return input(
        vscode.l10n.t('Port the probe connects to'),
        '8080',
        wholeNumber((v) => fieldCheck(ProbeSchema)({ type: 'tcp', port: v }), '8081'),
      );
    case 'startupCommand':
    case 'readinessCommand':
    case 'livenessCommand':
      return input(vscode.l10n.t('Command of the probe; exit 0 is healthy (e.g. test -f /tmp/ready)'), '', (v) =>
        fieldCheck(ProbeSchema)({ type: 'exec', command: v.trim() }),
      );
    case 'probeTimings':
      return {
        kind: 'pick',
        placeholder: vscode.l10n.t('How often the probes run'),
        items: [
          {
            label: vscode.l10n.t('Use the defaults'),
            description: vscode.l10n.t(
              'every {0} s, timeout {1} s, {2} failures in a row',
              ...DEFAULT_TIMING.split(' '),
            ),
            value: 'defaults',
          },
          { label: vscode.l10n.t('Set them for each probe…'), value: 'custom' },
        ],
      };
    case 'startupTiming':
    case 'readinessTiming':
    case 'livenessTiming': {
      const kind = id.replace('Timing', '') as ProbeKind;
      return input(
        vscode.l10n.t(
          '{0} probe: period (s), timeout (s), failures in a row and, if any, the initial delay (s), e.g. {1}',
          probeLabel(kind),
          DEFAULT_TIMING,
        ),
        DEFAULT_TIMING,
        (v) => {
          const timing = probeTiming(v);
          if (!timing) return vscode.l10n.t('Three or four whole numbers, e.g. {0}', DEFAULT_TIMING);
          return fieldCheck(ProbeSchema)({ type: 'tcp', ...timing });
        },
      );
    }
  }
}

function probeLabel(kind: ProbeKind): string {
  switch (kind) {
    case 'startup':
      return vscode.l10n.t('Startup');
    case 'readiness':
      return vscode.l10n.t('Readiness');
    case 'liveness':
      return vscode.l10n.t('Liveness');
  }
}
