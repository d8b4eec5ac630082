import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  progressCounters,
  progressParts,
  progressPercent,
  remainingSeconds,
} from './progressFormat.js';

describe('progress and ETA', () => {
  it('reads percent from percent, steps or epochs', () => {
    expect(progressPercent(undefined)).toBeUndefined();
    expect(progressPercent({ percent: 42 })).toBe(42);
    expect(progressPercent({ step: 150, totalSteps: 1000 })).toBe(15);
    expect(progressPercent({ epoch: 2, totalEpochs: 10 })).toBe(20);
    expect(progressPercent({ step: 3 })).toBeUndefined();
  });

  it('counts the ETA down from the time the progress was read', () => {
    const updatedAt = '2026-01-01T00:00:00.000Z';
    const at = (seconds: number) => Date.parse(updatedAt) + seconds * 1000;
    expect(remainingSeconds({ etaSeconds: 100, updatedAt }, at(30))).toBe(70);
    expect(remainingSeconds({ etaSeconds: 100, updatedAt }, at(300))).toBe(0);
    expect(remainingSeconds({ etaSeconds: 100 }, at(30))).toBe(100);
    expect(remainingSeconds({ percent: 3 }, at(0))).toBeUndefined();
  });

  it('formats durations, counters and bytes', () => {
    expect(formatDuration(7)).toBe('7s');
    expect(formatDuration(187)).toBe('3m 07s');
    expect(formatDuration(7500)).toBe('2h 05m');
    expect(progressCounters({ epoch: 2, totalEpochs: 10, step: 150, totalSteps: 1000 })).toBe(
      'epoch 2/10 · step 150/1000',
    );
  });

  it('shows a finished job’s progress without an ETA, whatever the progress says', () => {
    const updatedAt = '2026-01-01T00:00:00.000Z';
    const now = Date.parse(updatedAt) + 4000;
    const progress = { percent: 30, step: 9, totalSteps: 30, etaSeconds: 10, updatedAt };
    expect(progressParts('Running', progress, now)).toEqual({ percent: 30, counters: 'step 9/30', secondsLeft: 6 });
    for (const state of ['Stopped', 'Succeeded', 'Failed', 'Stopping'] as const) {
      expect(progressParts(state, progress, now)).toEqual({ percent: 30, counters: 'step 9/30' });
    }
    expect(progressParts('Stopped', undefined, now)).toEqual({ counters: '' });
  });
});
