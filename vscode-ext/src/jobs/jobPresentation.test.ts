import type { Job } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { jobSummary } from '../webviews/jobDetails/jobDetailsStrings.js';
import { progressText } from './jobPresentation.js';
import { JobsTreeProvider } from './jobsTreeProvider.js';
import type { JobsModel } from './jobsModel.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const job = (state: Job['state']): Job => ({
  id: 'j1',
  spec: {
    name: 'mnist',
    mode: 'ddp',
    nodes: 1,
    command: 'python train.py',
    workingDir: 'home',
    resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
    tags: {},
    env: {},
    hyperparameters: {},
    autoRestart: { maxRestarts: 0 },
    priority: 5,
    queue: 'default',
  },
  state,
  user: 'alice',
  engine: 'local',
  createdAt: '2026-01-01T00:00:00.000Z',
  restarts: 0,
  // What the API kept on finished jobs before it dropped the ETA itself: the display must not rely on that.
  progress: { percent: 30, etaSeconds: 4 },
});

const treeDescription = (j: Job) => {
  const model = { jobs: [j], loaded: true, hasMore: false, onDidChangeJobs: () => ({ dispose() {} }) };
  const tree = new JobsTreeProvider(model as unknown as JobsModel);
  return tree.getTreeItem({ kind: 'job', job: j }).description;
};

describe('progress of a job', () => {
  it('shows the ETA while the job is live', () => {
    expect(progressText(job('Running'))).toBe('30% · ETA 4s');
    expect(treeDescription(job('Running'))).toBe('Running · 30% · ETA 4s');
    expect(jobSummary(job('Running')).etaText).toBe('4s');
  });

  it.each(['Succeeded', 'Failed', 'Stopped'] as const)('shows final progress without an ETA when %s', (state) => {
    expect(progressText(job(state))).toBe('30%');
    expect(treeDescription(job(state))).toBe(`${state} · 30%`);
    const summary = jobSummary(job(state));
    expect(summary.progressText).toBe('30%');
    expect(summary.etaText).toBeUndefined();
  });
});
