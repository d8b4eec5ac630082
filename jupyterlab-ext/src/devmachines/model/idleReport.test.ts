import type { DevMachineIdle } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { clockTime } from './autoStopNotices.js';
import { DevMachineIdleModel, idleRows, idleSignalLabel, idleVerdict, idleVerdictText } from './idleReport.js';

const trans = {
  __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])),
} as unknown as TranslationBundle;

const policy = {
  thresholds: { cpuPercent: 5 },
  combine: 'all' as const,
  forMinutes: 30,
  excludeProcesses: [],
  activity: { kernels: true, terminals: true, codeServer: false, jobs: true },
};

const busy: DevMachineIdle = {
  policy,
  sampledAt: '2026-01-02T10:00:00Z',
  idle: false,
  signals: [
    { name: 'cpu', value: '3.2%', counts: true, idle: true },
    { name: 'memory', value: '41%', counts: false, idle: true },
    { name: 'kernels', value: '0 busy, 1 connected', counts: true, idle: true },
    { name: 'terminals', value: '1 open', counts: true, idle: false },
    { name: 'code-server', value: 'last heartbeat 1 min ago', counts: false, idle: true },
    { name: 'jobs', value: '1 running', counts: true, idle: false },
  ],
};

describe('why not idle', () => {
  it('turns the signals into rows, marking those that keep the machine up', () => {
    const rows = idleRows(busy);
    expect(rows.map((r) => r.name)).toEqual(['cpu', 'memory', 'kernels', 'terminals', 'code-server', 'jobs']);
    expect(rows[0]).toEqual({ name: 'cpu', value: '3.2%', counts: true, idle: true, keepsUp: false });
    expect(rows.filter((r) => r.keepsUp).map((r) => r.name)).toEqual(['terminals', 'jobs']);
  });

  it('names the counting signals that are not idle', () => {
    expect(idleVerdict(busy)).toEqual({ kind: 'not-idle', keptUpBy: ['terminals', 'jobs'] });
    expect(idleVerdictText(idleVerdict(busy), trans)).toBe('Not idle: kept up by terminals, jobs');
    // A signal that does not count never keeps it up, however busy.
    const ignored: DevMachineIdle = {
      ...busy,
      signals: [{ name: 'code-server', value: 'last heartbeat 0 min ago', counts: false, idle: false }],
    };
    expect(idleVerdictText(idleVerdict(ignored), trans)).toBe('Not idle');
  });

  it('tells since when it is idle and when it stops, in local clock time', () => {
    const idle: DevMachineIdle = {
      ...busy,
      idle: true,
      idleSince: '2026-01-02T09:40:00Z',
      stopsAt: '2026-01-02T10:10:00Z',
      signals: busy.signals.map((s) => ({ ...s, idle: true })),
    };
    expect(idleVerdict(idle)).toEqual({
      kind: 'idle',
      idleSince: '2026-01-02T09:40:00Z',
      stopsAt: '2026-01-02T10:10:00Z',
    });
    expect(idleVerdictText(idleVerdict(idle), trans)).toBe(
      `Idle since ${clockTime('2026-01-02T09:40:00Z')}, stops at ${clockTime('2026-01-02T10:10:00Z')}`,
    );
    expect(clockTime('2026-01-02T09:40:00Z')).toMatch(/^\d\d:\d\d$/);
    expect(idleVerdictText({ kind: 'idle', idleSince: '2026-01-02T09:40:00Z' }, trans)).toMatch(
      /^Idle since \d\d:\d\d$/,
    );
    expect(idleVerdictText({ kind: 'idle' }, trans)).toBe('Idle');
  });

  it('says the values are for information when there is no policy', () => {
    const none: DevMachineIdle = { idle: false, signals: busy.signals.map((s) => ({ ...s, counts: false })) };
    expect(idleVerdict(none)).toEqual({ kind: 'no-policy' });
    expect(idleVerdictText(idleVerdict(none), trans)).toBe('No idle policy: values shown for information');
    expect(idleRows(none).some((r) => r.keepsUp)).toBe(false);
  });

  it('labels every signal', () => {
    expect(idleSignalLabel('code-server', trans)).toBe('VS Code (code-server)');
    expect(idleSignalLabel('cpu', trans)).toBe('CPU');
  });
});

describe('the why-not-idle model', () => {
  it('reads the signals afresh on each refresh, keeping the last answer on a failure', async () => {
    const answers: (DevMachineIdle | Error)[] = [busy, new Error('JupyterLab did not answer')];
    const asked: unknown[] = [];
    const connection = {
      client: {
        devMachineIdle: (req: unknown) => {
          asked.push(req);
          const next = answers.shift();
          return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
        },
      },
    } as unknown as IConnectionModel;
    const model = new DevMachineIdleModel(connection, 'dm-abc123');
    let changes = 0;
    model.changed.connect(() => changes++);
    const first = model.refresh();
    expect(model.loading).toBe(true);
    await first;
    expect(model.loading).toBe(false);
    expect(asked).toEqual([{ params: { id: 'dm-abc123' } }]);
    expect(model.verdict).toEqual({ kind: 'not-idle', keptUpBy: ['terminals', 'jobs'] });
    expect(model.rows).toHaveLength(6);
    await model.refresh();
    expect(asked).toHaveLength(2);
    expect(model.error).toBe('JupyterLab did not answer');
    expect(model.rows).toHaveLength(6);
    expect(changes).toBe(4);
  });

  it('says so while offline', async () => {
    const model = new DevMachineIdleModel({ client: undefined } as unknown as IConnectionModel, 'dm-abc123');
    await model.refresh();
    expect(model.error).toBe('not connected to the AI Platform server');
    expect(model.verdict).toBeUndefined();
  });
});
