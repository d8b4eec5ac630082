import { SERVICE_LIMITS, type ServiceLimits } from '@aiplat/api';
import * as vscode from 'vscode';
import type { StepPrompt } from '../training/multiStepInput.js';
import type { Answers, FlowStep } from '../training/stepFlow.js';
import { input, typedNumber } from './serviceVersionSteps.js';

/*
 * The steps of Change Limits: QPS and concurrency per replica, the largest body and the upstream
 * timeout. Each is checked here with a message in the step's own words and units (the contract's
 * messages name its fields and count bytes); serviceLimitSteps.test.ts keeps the bounds equal to
 * the contract's.
 */

export const LIMIT_STEPS = [
  { id: 'qpsPerReplica' },
  { id: 'concurrencyPerReplica' },
  { id: 'maxBodyBytes' },
  { id: 'upstreamTimeoutSeconds' },
] as const satisfies readonly FlowStep<string>[];
export type LimitStepId = (typeof LIMIT_STEPS)[number]['id'];

/** The contract's bounds of each limit (ServiceLimitsSchema); QPS is any number above 0. */
export const LIMIT_BOUNDS = {
  maxQpsPerReplica: 100_000,
  concurrencyPerReplica: { min: 1, max: 10_000 },
  maxBodyBytes: { min: 1, max: 1024 ** 3 },
  upstreamTimeoutSeconds: { min: 1, max: 3600 },
} as const;

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

const isWholeWithin = (value: number | undefined, bounds: { min: number; max: number }) =>
  value !== undefined && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;

/** What is wrong with a limit as typed at its step, in the step's words; undefined when it is good. */
export function limitProblem(id: LimitStepId, text: string): string | undefined {
  switch (id) {
    case 'qpsPerReplica': {
      const qps = typedNumber(text);
      return qps !== undefined && qps > 0 && qps <= LIMIT_BOUNDS.maxQpsPerReplica
        ? undefined
        : vscode.l10n.t(
            'Requests per second: a number above 0 and at most {0}, e.g. {1} or 0.5',
            LIMIT_BOUNDS.maxQpsPerReplica,
            SERVICE_LIMITS.defaultQpsPerReplica,
          );
    }
    case 'concurrencyPerReplica': {
      const { min, max } = LIMIT_BOUNDS.concurrencyPerReplica;
      return isWholeWithin(typedNumber(text), LIMIT_BOUNDS.concurrencyPerReplica)
        ? undefined
        : vscode.l10n.t(
            'Requests in flight: a whole number from {0} to {1}, e.g. {2}',
            min,
            max,
            SERVICE_LIMITS.defaultConcurrencyPerReplica,
          );
    }
    case 'maxBodyBytes':
      return isWholeWithin(parseSize(text), LIMIT_BOUNDS.maxBodyBytes)
        ? undefined
        : vscode.l10n.t(
            'Largest body: a size from 1 byte to {0}, e.g. {1}, 512KiB or 1048576',
            formatSize(LIMIT_BOUNDS.maxBodyBytes.max),
            formatSize(SERVICE_LIMITS.defaultMaxBodyBytes),
          );
    case 'upstreamTimeoutSeconds': {
      const { min, max } = LIMIT_BOUNDS.upstreamTimeoutSeconds;
      return isWholeWithin(typedNumber(text), LIMIT_BOUNDS.upstreamTimeoutSeconds)
        ? undefined
        : vscode.l10n.t(
            'Timeout: a whole number of seconds from {0} to {1}, e.g. {2}',
            min,
            max,
            SERVICE_LIMITS.defaultUpstreamTimeoutSeconds,
          );
    }
  }
}

/** How each limit is asked: its meaning and TI-ONE's default. */
export function limitStepPrompt(id: LimitStepId): StepPrompt {
  const check = (text: string) => limitProblem(id, text);
  switch (id) {
    case 'qpsPerReplica':
      return input(
        vscode.l10n.t(
          'Requests per second each ready replica takes (TI-ONE default {0})',
          SERVICE_LIMITS.defaultQpsPerReplica,
        ),
        String(SERVICE_LIMITS.defaultQpsPerReplica),
        check,
      );
    case 'concurrencyPerReplica':
      return input(
        vscode.l10n.t(
          'Requests in flight per ready replica (TI-ONE default {0})',
          SERVICE_LIMITS.defaultConcurrencyPerReplica,
        ),
        String(SERVICE_LIMITS.defaultConcurrencyPerReplica),
        check,
      );
    case 'maxBodyBytes':
      return input(
        vscode.l10n.t(
          'Largest request body, in bytes or with a unit such as 10MiB (default {0})',
          formatSize(SERVICE_LIMITS.defaultMaxBodyBytes),
        ),
        formatSize(SERVICE_LIMITS.defaultMaxBodyBytes),
        check,
      );
    case 'upstreamTimeoutSeconds':
      return input(
        vscode.l10n.t(
          'Seconds the gateway waits for a replica’s response headers (default {0})',
          SERVICE_LIMITS.defaultUpstreamTimeoutSeconds,
        ),
        String(SERVICE_LIMITS.defaultUpstreamTimeoutSeconds),
        check,
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

/** The steps of Change Limits an issue may be about (`body.limits.qpsPerReplica` → qpsPerReplica). */
export function limitStepsOfIssue(path: string): LimitStepId[] {
  const field = path.replace(/^(body\.)?limits\.?/, '');
  return LIMIT_STEPS.map((s) => s.id).filter((id) => id === field);
}
