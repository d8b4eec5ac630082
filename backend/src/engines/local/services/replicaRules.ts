/*
 * What a replica's probe results and exits mean, without any I/O: the replica (replica.ts) runs
 * the probes and the processes, and asks these rules what to do next. Counted as Kubernetes does.
 */

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/** One probe's result: true when healthy, else why not (for events and messages). */
export type ProbeResult = true | string;

/** The probes' view of one process of a replica; a new process starts from `FRESH_HEALTH`. */
export interface Health {
  /** The startup probe has passed once (or there is none): readiness and liveness run from now on. */
  started: boolean;
  /** The readiness probe passes: the gateway may send requests. */
  ready: boolean;
  /** Consecutive failures of each probe. */
  failures: Readonly<Record<ProbeKind, number>>;
}

export const FRESH_HEALTH: Health = {
  started: false,
  ready: false,
  failures: { startup: 0, readiness: 0, liveness: 0 },
};

/** What the replica does after a probe: nothing, note it started, gate traffic on or off, or restart it. */
export type Verdict = 'none' | 'started' | 'ready' | 'not-ready' | 'restart';

/**
 * The next health after one probe result, and what to do about it. Readiness and liveness results
 * before the startup probe passed are ignored (the replica is still starting), as is a startup
 * result once it passed. A replica is ready after one readiness success and not ready after
 * `failureThreshold` failures in a row; `failureThreshold` startup or liveness failures in a row
 * restart it.
 */
export function judgeProbe(
  health: Health,
  kind: ProbeKind,
  result: ProbeResult,
  failureThreshold: number,
): { health: Health; verdict: Verdict } {
  const gated = kind === 'startup' ? health.started : !health.started;
  if (gated) return { health, verdict: 'none' };
  const failures = result === true ? 0 : health.failures[kind] + 1;
  const next: Health = { ...health, failures: { ...health.failures, [kind]: failures } };
  const spent = failures >= failureThreshold;
  switch (kind) {
    case 'startup':
      if (result === true) return { health: { ...next, started: true }, verdict: 'started' };
      return { health: next, verdict: spent ? 'restart' : 'none' };
    case 'readiness':
      if (result === true) return { health: { ...next, ready: true }, verdict: health.ready ? 'none' : 'ready' };
      if (health.ready && spent) return { health: { ...next, ready: false }, verdict: 'not-ready' };
      return { health: next, verdict: 'none' };
    case 'liveness':
      return { health: next, verdict: result !== true && spent ? 'restart' : 'none' };
  }
}

/** Exits in a row before a replica was ever ready that fail its version. */
export const QUICK_FAILURES_THAT_FAIL = 5;

export interface Backoff {
  /** The wait before the first restart after an exit; doubled for each exit in a row. */
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 30_000 };

/**
 * After the replica's process exited on its own, `exitsInARow` times since it was last ready (this
 * exit included): restart it after a delay (1 s, 2 s, 4 s… capped), or give up and fail the
 * version when it never was ready and exited `QUICK_FAILURES_THAT_FAIL` times.
 */
export function afterExit(
  exitsInARow: number,
  everReady: boolean,
  backoff: Backoff = DEFAULT_BACKOFF,
): { restartInMs: number } | { failVersion: true } {
  if (!everReady && exitsInARow >= QUICK_FAILURES_THAT_FAIL) return { failVersion: true };
  const doublings = Math.max(0, exitsInARow - 1);
  return { restartInMs: Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(doublings, 30)) };
}
