/*
 * Whether a dev machine is idle, and when it stops by itself: pure functions of the samples, the
 * policy and the clock, applied by the engines. Every signal says its current value and whether it
 * counts, so "why not idle" is the same answer the decision used.
 */

import type { IdleSignal, IdleSignalName, IdlePolicy } from '@aiplat/api';

/** The utilisation thresholds and activity signals a dev machine is stopped on when idle (the contract's). */
export type { IdlePolicy };

export interface ProcessSample {
  name: string;
  cpuPercent: number;
  memoryPercent: number;
}

/** One look at the machine. */
export interface IdleSample {
  at: number;
  processes: readonly ProcessSample[];
  /** Of the machine's accelerators, when it has any. */
  acceleratorPercent?: number;
  kernels: { busy: number; connected: number };
  terminals: number;
  /** code-server's last heartbeat (its /healthz `lastHeartbeat`), epoch ms; 0 or absent: none yet. */
  codeServerHeartbeat?: number;
  /** Jobs started from this machine that are still running. */
  runningJobs: number;
}

export type SignalName = IdleSignalName;
export type SignalState = IdleSignal;

export interface IdleVerdict {
  /** Idle now, by the policy. */
  idle: boolean;
  /** Since when it has been idle without a break (within the samples), when idle. */
  idleSinceMs?: number;
  /** Idle for the policy's duration: the engine stops the machine. */
  stop: boolean;
  signals: SignalState[];
}

const MINUTE = 60_000;

/** The signals of one sample under the policy. */
export function signalsOf(sample: IdleSample, policy: IdlePolicy): SignalState[] {
  const counted = sample.processes.filter((p) => !policy.excludeProcesses.includes(p.name));
  const cpu = round(counted.reduce((sum, p) => sum + p.cpuPercent, 0));
  const memory = round(counted.reduce((sum, p) => sum + p.memoryPercent, 0));
  const { thresholds, activity } = policy;
  const metric = (name: SignalName, value: number | undefined, threshold: number | undefined): SignalState => ({
    name,
    value: value === undefined ? 'none' : `${value}%`,
    counts: threshold !== undefined && value !== undefined,
    idle: threshold === undefined || value === undefined || value < threshold,
  });
  const heartbeatAgeMs = sample.codeServerHeartbeat ? sample.at - sample.codeServerHeartbeat : undefined;
  const heartbeatActive = heartbeatAgeMs !== undefined && heartbeatAgeMs < policy.forMinutes * MINUTE;
  return [
    metric('cpu', cpu, thresholds.cpuPercent),
    metric('memory', memory, thresholds.memoryPercent),
    metric(
      'accelerator',
      sample.acceleratorPercent === undefined ? undefined : round(sample.acceleratorPercent),
      thresholds.acceleratorPercent,
    ),
    {
      name: 'kernels',
      value: `${sample.kernels.busy} busy, ${sample.kernels.connected} connected`,
      counts: activity.kernels,
      idle: !activity.kernels || (sample.kernels.busy === 0 && sample.kernels.connected === 0),
    },
    {
      name: 'terminals',
      value: String(sample.terminals),
      counts: activity.terminals,
      idle: !activity.terminals || sample.terminals === 0,
    },
    {
      name: 'code-server',
      value:
        heartbeatAgeMs === undefined ? 'no heartbeat' : `last heartbeat ${Math.floor(heartbeatAgeMs / MINUTE)} min ago`,
      counts: activity.codeServer,
      idle: !activity.codeServer || !heartbeatActive,
    },
    {
      name: 'jobs',
      value: String(sample.runningJobs),
      counts: activity.jobs,
      idle: !activity.jobs || sample.runningJobs === 0,
    },
  ];
}

/** Idle by one sample: every activity signal at rest, and the utilisation idle as `combine` says. */
export function idleBy(signals: readonly SignalState[], policy: IdlePolicy): boolean {
  const metrics = signals.filter(
    (s) => s.counts && (s.name === 'cpu' || s.name === 'memory' || s.name === 'accelerator'),
  );
  const activity = signals.filter((s) => !['cpu', 'memory', 'accelerator'].includes(s.name));
  if (activity.some((s) => !s.idle)) return false;
  if (metrics.length === 0) return true;
  return policy.combine === 'all' ? metrics.every((s) => s.idle) : metrics.some((s) => s.idle);
}

/**
 * The verdict at `now` from the samples (oldest first; those older than the policy's duration may
 * be dropped by the caller): idle since the first sample of the unbroken idle run that ends at the
 * newest, and stop once that run covers `forMinutes` of the clock.
 */
export function decideIdle(samples: readonly IdleSample[], policy: IdlePolicy, now: number): IdleVerdict {
  const newest = samples.at(-1);
  if (!newest) return { idle: false, stop: false, signals: [] };
  const signals = signalsOf(newest, policy);
  if (!idleBy(signals, policy)) return { idle: false, stop: false, signals };
  let since = newest.at;
  for (let i = samples.length - 2; i >= 0; i--) {
    const sample = samples[i]!;
    if (!idleBy(signalsOf(sample, policy), policy)) break;
    since = sample.at;
  }
  return { idle: true, idleSinceMs: since, stop: now - since >= policy.forMinutes * MINUTE, signals };
}

/** When a running dev machine stops by itself after `afterHours`, and what is due now. */
export interface AutoStop {
  stopAt: number;
  warnAt: number;
  due: 'none' | 'warn' | 'stop';
}

export const AUTO_STOP_WARNING_MS = 10 * MINUTE;
export const SNOOZE_MS = 60 * MINUTE;

/** Stops `afterHours` after the start, later by each snooze; warns 10 minutes before. */
export function autoStopAt(startedAt: number, afterHours: number, snoozes: number, now: number): AutoStop {
  const stopAt = startedAt + afterHours * 60 * MINUTE + snoozes * SNOOZE_MS;
  const warnAt = stopAt - AUTO_STOP_WARNING_MS;
  return { stopAt, warnAt, due: now >= stopAt ? 'stop' : now >= warnAt ? 'warn' : 'none' };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
