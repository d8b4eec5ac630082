import { DEV_MACHINE_JOB_TAG, type DevMachineIdle } from '@aiplat/api';
import type { JobStore } from '../../jobs/jobStore.js';
import type { Logger } from 'pino';
import type { DevMachineService } from '../devMachineService.js';
import type { DevMachineRecord } from '../devMachineStore.js';
import { decideIdle, signalsOf, idleBy, type IdleSample } from './idleRules.js';

export interface IdleMonitorDeps {
  machines: DevMachineService;
  /** Jobs of the owner started from this machine (tagged with its id) that are queued or running. */
  runningJobs(owner: string, machineId: string): number;
  log: Logger;
  now?: () => number;
  /** How often running machines with an idle policy are looked at (1 min unless given). */
  everyMs?: number;
}

const MINUTE = 60_000;

/** Jobs of `owner` tagged with the machine that have not ended (queued ones count: they are on their way). */
export function runningJobsFrom(jobs: Pick<JobStore, 'listJobs'>, owner: string, machineId: string): number {
  return jobs.listJobs({
    user: owner,
    states: ['Submitting', 'Queued', 'Starting', 'Running', 'Stopping'],
    tag: { key: DEV_MACHINE_JOB_TAG, value: machineId },
    limit: 1000,
  }).jobs.length;
}

/**
 * Idle policies, engine-neutral: every running machine with one is looked at (its engine's sample
 * plus the jobs started from it), the verdict is the pure rules', and a machine idle for its
 * policy's duration is stopped with an event naming the signals that were idle. The last look is
 * kept for "why not idle".
 */
export class IdleMonitor {
  private readonly samples = new Map<string, { startedAt: string; samples: IdleSample[] }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: IdleMonitorDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.deps.everyMs ?? MINUTE);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Looks at every running machine with a policy; stops those idle long enough. */
  async tick(): Promise<void> {
    const running = this.deps.machines.records().filter((record) => record.state === 'Running');
    const live = new Set(running.map((record) => record.id));
    for (const id of this.samples.keys()) if (!live.has(id)) this.samples.delete(id);
    for (const record of running) {
      if (!record.spec.idlePolicy) continue;
      try {
        await this.look(record);
      } catch (error) {
        this.deps.log.warn({ id: record.id, err: error }, 'could not look at a dev machine for its idle policy');
      }
    }
  }

  /** "Why not idle": a fresh look at one of the owner's machines, each signal with its value and whether it counts. */
  async status(id: string, owner: string): Promise<DevMachineIdle> {
    const record = this.deps.machines.record(id, owner);
    if (!record) this.deps.machines.get(id, owner); // throws the API's not found
    const policy = record!.spec.idlePolicy;
    if (record!.state !== 'Running') return { ...(policy ? { policy } : {}), idle: false, signals: [] };
    return this.look(record!);
  }

  private async look(record: DevMachineRecord): Promise<DevMachineIdle> {
    const policy = record.spec.idlePolicy;
    const seen = await this.deps.machines.sampleIdle(record.id);
    const now = this.now();
    if (!seen) return { ...(policy ? { policy } : {}), idle: false, signals: [] };
    const sample: IdleSample = { ...seen, at: now, runningJobs: this.deps.runningJobs(record.owner, record.id) };
    if (!policy) {
      // No policy: the values as they are, none of them counting.
      const none = {
        thresholds: {},
        combine: 'all' as const,
        forMinutes: 1,
        excludeProcesses: [],
        activity: { kernels: false, terminals: false, codeServer: false, jobs: false },
      };
      return { sampledAt: new Date(now).toISOString(), idle: false, signals: signalsOf(sample, none) };
    }
    // A new run starts a new window.
    let kept = this.samples.get(record.id);
    if (!kept || kept.startedAt !== record.startedAt) {
      this.samples.set(record.id, (kept = { startedAt: record.startedAt ?? '', samples: [] }));
    }
    kept.samples.push(sample);
    const window = policy.forMinutes * MINUTE * 2;
    while (kept.samples.length > 1 && now - kept.samples[0]!.at > window) kept.samples.shift();
    const verdict = decideIdle(kept.samples, policy, now);
    const status: DevMachineIdle = {
      policy,
      sampledAt: new Date(now).toISOString(),
      idle: verdict.idle,
      signals: verdict.signals,
      ...(verdict.idleSinceMs === undefined
        ? {}
        : {
            idleSince: new Date(verdict.idleSinceMs).toISOString(),
            stopsAt: new Date(verdict.idleSinceMs + policy.forMinutes * MINUTE).toISOString(),
          }),
    };
    if (verdict.stop && idleBy(verdict.signals, policy)) {
      const why = verdict.signals
        .filter((signal) => signal.counts)
        .map((signal) => `${signal.name} ${signal.value}`)
        .join(', ');
      this.samples.delete(record.id);
      await this.deps.machines.stop(
        record.id,
        record.owner,
        false,
        `Stopped: idle for ${policy.forMinutes} min by its idle policy (${why}).`,
      );
    }
    return status;
  }
}
