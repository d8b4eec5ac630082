import { describe, expect, it } from 'vitest';
import {
  afterExit,
  FRESH_HEALTH,
  judgeProbe,
  type Health,
  type ProbeKind,
  type ProbeResult,
  type Verdict,
} from './replicaRules.js';

const STARTED: Health = { ...FRESH_HEALTH, started: true };
const READY: Health = { ...STARTED, ready: true };

/** Feeds results in order; returns the verdicts and the health at the end. */
function feed(start: Health, steps: [ProbeKind, ProbeResult][], threshold: number) {
  let health = start;
  const verdicts: Verdict[] = [];
  for (const [kind, result] of steps) {
    const judged = judgeProbe(health, kind, result, threshold);
    health = judged.health;
    verdicts.push(judged.verdict);
  }
  return { verdicts, health };
}

const fail = 'connection refused';

describe('judgeProbe', () => {
  it.each<[string, Health, [ProbeKind, ProbeResult][], number, Verdict[], Partial<Health>]>([
    [
      'readiness and liveness wait for the startup probe',
      FRESH_HEALTH,
      [
        ['readiness', true],
        ['liveness', fail],
        ['startup', true],
        ['readiness', true],
      ],
      1,
      ['none', 'none', 'started', 'ready'],
      { started: true, ready: true },
    ],
    [
      'startup failures below the threshold wait, at it restart',
      FRESH_HEALTH,
      [
        ['startup', fail],
        ['startup', fail],
        ['startup', fail],
      ],
      3,
      ['none', 'none', 'restart'],
      { started: false },
    ],
    [
      'a startup success resets its count',
      FRESH_HEALTH,
      [
        ['startup', fail],
        ['startup', true],
        ['startup', fail],
      ],
      2,
      ['none', 'started', 'none'],
      { started: true },
    ],
    [
      'ready after one success, and stays ready without news',
      STARTED,
      [
        ['readiness', fail],
        ['readiness', true],
        ['readiness', true],
      ],
      3,
      ['none', 'ready', 'none'],
      { ready: true },
    ],
    [
      'not ready only after failureThreshold failures in a row',
      READY,
      [
        ['readiness', fail],
        ['readiness', true],
        ['readiness', fail],
        ['readiness', fail],
        ['readiness', fail],
        ['readiness', true],
      ],
      2,
      ['none', 'none', 'none', 'not-ready', 'none', 'ready'],
      { ready: true },
    ],
    [
      'a replica never ready is never "not ready"',
      STARTED,
      [
        ['readiness', fail],
        ['readiness', fail],
      ],
      1,
      ['none', 'none'],
      { ready: false },
    ],
    [
      'liveness restarts at the threshold of failures in a row',
      READY,
      [
        ['liveness', fail],
        ['liveness', true],
        ['liveness', fail],
        ['liveness', fail],
      ],
      2,
      ['none', 'none', 'none', 'restart'],
      { ready: true },
    ],
  ])('%s', (_name, start, steps, threshold, verdicts, end) => {
    const result = feed(start, steps, threshold);
    expect(result.verdicts).toEqual(verdicts);
    expect(result.health).toMatchObject(end);
  });
});

describe('afterExit', () => {
  it.each<[number, boolean, ReturnType<typeof afterExit>]>([
    [1, false, { restartInMs: 1_000 }],
    [2, false, { restartInMs: 2_000 }],
    [4, false, { restartInMs: 8_000 }],
    [5, false, { failVersion: true }],
    [5, true, { restartInMs: 16_000 }],
    [6, true, { restartInMs: 30_000 }],
    [60, true, { restartInMs: 30_000 }],
  ])('exit %i in a row (ever ready: %s)', (exits, everReady, expected) => {
    expect(afterExit(exits, everReady)).toEqual(expected);
  });

  it('takes its delays from the backoff given', () => {
    expect(afterExit(3, false, { firstMs: 100, maxMs: 300 })).toEqual({ restartInMs: 300 });
  });
});
