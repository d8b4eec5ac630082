import type { JobSpecInput } from '@aiplat/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionModel } from '../../model/connectionModel.js';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { connectedModel, waitFor } from '../test/connectedModel.js';
import { JobViewModel } from './jobViewModel.js';

let backend: RealBackend;
let connection: ConnectionModel;

beforeAll(async () => {
  backend = await startRealBackend();
  connection = await connectedModel(backend);
});
afterAll(async () => {
  connection?.dispose();
  await backend?.close();
});

const job = (name: string, command: string): JobSpecInput =>
  ({
    name,
    mode: 'ddp',
    nodes: 1,
    command,
    resources: { cpu: 0.1, memory: '64Mi' },
    workingDir: 'home',
  }) as JobSpecInput;

/** The last "step N/30" among the lines the view holds. */
function lastStepInLogs(view: JobViewModel): number | undefined {
  const steps = view.logs
    .lines()
    .map((l) => /^step (\d+)\/30/.exec(l.text)?.[1])
    .filter((s) => s !== undefined);
  return steps.length === 0 ? undefined : Number(steps.at(-1));
}

describe('the job view model’s progress', () => {
  it('is the progress the received log lines reached, each time lines arrive; without an ETA once stopped', async () => {
    const created = await backend.client().createJob({
      body: {
        spec: job(
          'progress-header',
          // Starts printing once the view follows; bursts of five steps with a tqdm-style ETA.
          'sleep 1; for i in $(seq 1 20); do echo "step $i/30 loss 0.$i"; [ $((i % 5)) = 0 ] && sleep 0.4; done; ' +
            "echo ' 67%|######    | 20/30 [00:04<00:02,  5.00it/s]'; exec sleep 600",
        ),
      },
    });
    const view = new JobViewModel(connection, created.id);
    const mismatches: string[] = [];
    view.logsChanged.connect(() => {
      const inLogs = lastStepInLogs(view);
      if (inLogs !== undefined && view.progress?.step !== inLogs) {
        mismatches.push(`logs at step ${inLogs}, progress ${JSON.stringify(view.progress)}`);
      }
    });
    await view.start();
    await waitFor(view.logsChanged, () => view.logs.lines().some((l) => l.text.includes('20/30 [')), 'the tqdm bar');
    expect(lastStepInLogs(view)).toBe(20);
    expect(mismatches).toEqual([]);
    expect(view.progress).toMatchObject({ step: 20, totalSteps: 30, etaSeconds: expect.any(Number) });

    expect(await view.stop(true)).toBe(true);
    await waitFor(view.jobChanged, () => view.job?.state === 'Stopped', 'the stop');
    expect(view.progress).toMatchObject({ step: 20, totalSteps: 30 });
    expect(view.progress).not.toHaveProperty('etaSeconds');
    view.dispose();
  });
});
