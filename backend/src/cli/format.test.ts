import { describe, expect, it } from 'vitest';
import { parseSince } from './commands/logs.js';
import { applyOverrides } from './commands/submit.js';
import { UsageError } from './context.js';
import type { Job } from '@aiplat/api';
import { displayWidth, formatDuration, progressOrReason, table, truncate } from './format.js';

describe('tables', () => {
  it('aligns columns three spaces apart, counting CJK characters as two columns', () => {
    expect(
      table(
        ['ID', 'NAME', 'STATE'],
        [
          ['job-1', '训练任务', 'Running'],
          ['job-22', 'mnist', 'Failed'],
        ],
      ),
    ).toBe(['ID       NAME       STATE', 'job-1    训练任务   Running', 'job-22   mnist      Failed', ''].join('\n'));
    expect(displayWidth('训练a')).toBe(5);
    expect(truncate('abcdefghij', 8)).toBe('abcde...');
    expect(truncate('训练训练训练', 7)).toBe('训练...');
    expect(truncate('short', 8)).toBe('short');
  });

  it('shows ages as kubectl does', () => {
    expect([0, 45_000, 125_000, 3_600_000 + 300_000, 30 * 3_600_000, 12 * 86_400_000].map(formatDuration)).toEqual([
      '0s',
      '45s',
      '2m5s',
      '1h5m',
      '1d6h',
      '12d',
    ]);
  });
});

describe('submit --name / --set', () => {
  const yaml = `# my job
name: mnist   # the name
mode: ddp
nodes: 2
command: python train.py
resources: { cpu: 1, memory: 2Gi }
env: { EPOCHS: "2" }
`;

  it('leaves the file as written when nothing is overridden', () => {
    expect(applyOverrides(yaml, undefined, [])).toBe(yaml);
  });

  it('sets fields as YAML values, env and tags as text, keeping comments', () => {
    const out = applyOverrides(yaml, 'mnist-2', ['nodes=4', 'resources.cpu=0.5', 'env.EPOCHS=3', 'tags.team=vision']);
    expect(out).toContain('# my job');
    expect(out).toMatch(/^name: mnist-2 +# the name$/m);
    expect(out).toMatch(/^nodes: 4$/m);
    expect(out).toContain('cpu: 0.5');
    expect(out).toContain('EPOCHS: "3"');
    expect(out).toMatch(/team: vision/);
  });

  it('rejects a --set without key=value', () => {
    expect(() => applyOverrides(yaml, undefined, ['nodes'])).toThrow(UsageError);
    expect(() => applyOverrides(yaml, undefined, ['=4'])).toThrow(UsageError);
    expect(() => applyOverrides(yaml, undefined, ['a..b=4'])).toThrow(UsageError);
  });

  it('sends a file that does not parse unchanged, for the server to point at its line', () => {
    expect(applyOverrides('name: [oops\n', 'x', ['nodes=1'])).toBe('name: [oops\n');
  });
});

describe('logs --since', () => {
  const now = new Date('2024-05-01T12:00:00.000Z');
  it('takes ISO 8601 times and ages', () => {
    expect(parseSince('2024-05-01T10:00:00+02:00', now)).toBe('2024-05-01T08:00:00.000Z');
    expect(parseSince('10m', now)).toBe('2024-05-01T11:50:00.000Z');
    expect(parseSince('2h', now)).toBe('2024-05-01T10:00:00.000Z');
    expect(parseSince('1d', now)).toBe('2024-04-30T12:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(/ISO 8601/);
    expect(() => parseSince('2024-05-01', now)).toThrow(/ISO 8601/);
  });
});

describe('progress', () => {
  const job = (state: Job['state']): Job => ({
    id: 'job-1',
    spec: {} as Job['spec'],
    state,
    user: 'alice',
    engine: 'local',
    createdAt: '2026-01-01T00:00:00Z',
    restarts: 0,
    progress: { percent: 10, step: 3, totalSteps: 30, etaSeconds: 9 },
  });

  it('gives the ETA while the job runs, and only the progress reached once it finished', () => {
    expect(progressOrReason(job('Running'))).toBe('10% step 3/30 eta 9s');
    expect(progressOrReason(job('Stopped'))).toBe('10% step 3/30');
    expect(progressOrReason(job('Succeeded'))).toBe('10% step 3/30');
    expect(progressOrReason(job('Stopping'))).toBe('10% step 3/30');
  });
});
