import type { ServiceVersionSpec } from '@aiplat/api';
import { imageOfAnswers } from '../images/imagePick.js';
import type { Answers } from '../training/stepFlow.js';
import {
  DEFAULT_TIMING,
  PROBE_KINDS,
  probeTiming,
  requirementLines,
  timingText,
  type ProbeChoice,
  type ProbeKind,
  type VersionStepId,
} from './serviceVersionSteps.js';

/*
 * A version's answers and its spec, both ways: the spec the version steps' answers describe (checked
 * by the contract after), the answers a serving version gives (Roll Out New Version starts from
 * them), and the steps a 400's issue is about.
 */

/** One probe as the answers describe it, or undefined when none is asked for. */
function probeInput(answers: Answers<VersionStepId>, kind: ProbeKind): Record<string, unknown> | undefined {
  const choice = (answers[kind] ?? (kind === 'readiness' ? 'tcp' : 'none')) as ProbeChoice;
  const timingAnswer = answers[`${kind}Timing`];
  const timing = answers.probeTimings === 'custom' && timingAnswer ? probeTiming(timingAnswer) : undefined;
  const text = (value: string | undefined) => value?.trim() ?? '';
  switch (choice) {
    case 'none':
      return undefined;
    case 'tcp':
      // TCP on the port is what a replica's readiness is when left out.
      return kind === 'readiness' && !timing ? undefined : { type: 'tcp', ...timing };
    case 'tcpPort':
      return { type: 'tcp', port: Number(answers[`${kind}Port`]), ...timing };
    case 'http':
      return { type: 'http', path: text(answers[`${kind}Path`]), ...timing };
    case 'exec':
      return { type: 'exec', command: text(answers[`${kind}Command`]), ...timing };
  }
}

/**
 * The version the answers describe, before the contract's validation. `requirements` is the text of
 * the chosen file (read by the caller), or the kept version's.
 */
export function versionInput(answers: Answers<VersionStepId>, requirements?: string): Record<string, unknown> {
  const type = answers.accelerator ?? 'none';
  const text = (value: string | undefined) => value?.trim() ?? '';
  const code = text(answers.code);
  const environment = text(answers.environment);
  const image = imageOfAnswers(answers);
  const required =
    answers.requirements === 'inline' ? requirementLines(answers.requirementsText ?? '') : (requirements ?? '');
  const probes: Record<string, unknown> = {};
  for (const kind of PROBE_KINDS) {
    const probe = probeInput(answers, kind);
    if (probe) probes[kind] = probe;
  }
  return {
    model: text(answers.model),
    ...(code ? { code } : {}),
    command: answers.command ?? '',
    ...(environment ? { environment } : {}),
    ...(image ? { image } : {}),
    ...(answers.requirements !== 'none' && required ? { requirements: required } : {}),
    port: Number(answers.port ?? 8080),
    resources: {
      cpu: Number(answers.cpu),
      memory: text(answers.memory),
      accelerator: { type, count: type === 'none' ? 0 : Number(answers.acceleratorCount) },
    },
    replicas: Number(answers.replicas ?? 1),
    ...(Object.keys(probes).length > 0 ? { probes } : {}),
  };
}

/** The answers that describe a version: a new one starts from the serving one's. */
export function versionAnswers(spec: ServiceVersionSpec): Answers<VersionStepId> {
  const answers: Answers<VersionStepId> = {
    model: spec.model,
    code: spec.code ?? '',
    command: spec.command,
    environment: spec.environment ?? '',
    image: spec.image ?? '',
    port: String(spec.port),
    cpu: String(spec.resources.cpu),
    memory: String(spec.resources.memory),
    accelerator: spec.resources.accelerator.type,
    ...(spec.resources.accelerator.type === 'none'
      ? {}
      : { acceleratorCount: String(spec.resources.accelerator.count) }),
    replicas: String(spec.replicas),
    requirements: spec.requirements ? 'keep' : 'none',
  };
  let customTiming = false;
  for (const kind of PROBE_KINDS) {
    const probe = spec.probes[kind];
    if (!probe) {
      answers[kind] = kind === 'readiness' ? 'tcp' : 'none';
      continue;
    }
    const timing = timingText(probe);
    answers[`${kind}Timing`] = timing;
    if (timing !== DEFAULT_TIMING) customTiming = true;
    if (probe.type === 'http') Object.assign(answers, { [kind]: 'http', [`${kind}Path`]: probe.path ?? '/' });
    else if (probe.type === 'exec') Object.assign(answers, { [kind]: 'exec', [`${kind}Command`]: probe.command ?? '' });
    else if (probe.port !== undefined)
      Object.assign(answers, { [kind]: 'tcpPort', [`${kind}Port`]: String(probe.port) });
    else answers[kind] = 'tcp';
  }
  answers.probeTimings = customTiming ? 'custom' : 'defaults';
  return answers;
}

/**
 * The steps a 400's issue may be about, most likely first (`body.version.probes.liveness.path` →
 * livenessPath); the flow goes back to the first of them that applies.
 */
export function versionStepsOfIssue(path: string): VersionStepId[] {
  const field = path.replace(/^(body\.)?(spec\.)?(version\.)?/, '');
  const [head, second, third] = field.split('.');
  switch (head) {
    case 'model':
    case 'code':
    case 'command':
    case 'environment':
    case 'port':
    case 'replicas':
      return [head];
    case 'image':
      // A typed reference was refused at its own step; a listed one at the pick.
      return ['imageRef', 'image'];
    case 'requirements':
      return ['requirementsText', 'requirementsFile', 'requirements'];
    case 'resources':
      if (second === 'cpu' || second === 'memory') return [second];
      return ['acceleratorCount', 'accelerator'];
    case 'probes': {
      if (second !== 'startup' && second !== 'readiness' && second !== 'liveness') return [];
      const kind: ProbeKind = second;
      switch (third) {
        case 'path':
          return [`${kind}Path`, kind];
        case 'port':
          return [`${kind}Port`, kind];
        case 'command':
          return [`${kind}Command`, kind];
        case 'periodSeconds':
        case 'timeoutSeconds':
        case 'failureThreshold':
        case 'initialDelaySeconds':
          return [`${kind}Timing`, 'probeTimings'];
        default:
          return [kind];
      }
    }
    default:
      return [];
  }
}
