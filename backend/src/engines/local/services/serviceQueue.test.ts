import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, DEFAULT_JOB_QUEUE, ServiceSpecSchema } from '@aiplat/api';
import {
  launchOf,
  LocalServiceFixture,
  MODEL_SERVER,
  Recorder,
} from '../../../../../testing/src/services/localServiceFixture.js';
import type { SchedulerNode, SchedulerQueue } from '../scheduler/index.js';
import { SchedulingLoop } from '../schedulingLoop.js';
import { ServiceQueue } from './serviceQueue.js';

/*
 * Replicas wait for and hold capacity in the scheduling loop jobs and dev machines use: a version
 * whose replica does not fit says why, and its devices come from the placement.
 */

const NODES: SchedulerNode[] = [
  { name: 'box', cpu: 1, memoryBytes: 8 * 1024 ** 3, accelerator: { type: 'nvidia', count: 2 } },
];
const QUEUES: SchedulerQueue[] = [{ name: DEFAULT_JOB_QUEUE, policy: 0, nodes: ['box'], preemption: false }];

let fx: LocalServiceFixture;
beforeAll(async () => (fx = await LocalServiceFixture.create()));
afterEach(() => fx.closeEngines());
afterAll(() => fx.close());

function queued(recorder: Recorder) {
  const scheduling = new SchedulingLoop({ nodes: NODES, queues: QUEUES });
  const queue = new ServiceQueue({ scheduling, nodes: NODES, queues: QUEUES, lifecycle: recorder });
  return { scheduling, engine: fx.engine(recorder, { queue }) };
}

const GPU_REPLICA = {
  command: `echo "devices=$CUDA_VISIBLE_DEVICES"; exec python3 ${MODEL_SERVER}`,
  resources: { cpu: 0.75, memory: '256Mi', accelerator: { type: 'nvidia', count: 1 } },
} as const;

describe('ServiceQueue', () => {
  it('places a replica with its devices, and a version whose next replica does not fit says why until room is made', async () => {
    const recorder = new Recorder();
    const { scheduling, engine } = queued(recorder);
    const launch = launchOf('gpus', { ...GPU_REPLICA, replicas: 2 });
    await engine.startVersion(launch);
    await expect.poll(() => engine.readyReplicas('gpus').length, { timeout: 20_000 }).toBe(1);
    expect(await readFile(engine.logFile('gpus', 1, 0)!, 'utf8')).toContain('devices=0');

    // Replica 1 needs 0.75 CPU more than the box has left.
    await expect
      .poll(() => recorder.waits(), { timeout: 5_000 })
      .toEqual([
        'replica 1: next in queue default: needs 0.75 CPUs on a node with 1 nvidia GPU free; the most free there is 0.25 CPUs on box',
      ]);
    expect(recorder.events('queued')).toEqual([expect.stringMatching(/^queued: Waiting for room in queue default: /)]);
    expect(recorder.states(1)).toEqual(['Pending']);

    await engine.scale(launch, 1);
    expect(recorder.waits().at(-1)).toBeNull();
    expect(recorder.states(1).at(-1)).toBe('Stopped');

    // What the version held is free once it stopped: a second service gets the whole box.
    await engine.stopVersion('gpus', 1, false);
    await engine.startVersion(launchOf('after', { ...GPU_REPLICA, resources: { ...GPU_REPLICA.resources, cpu: 1 } }));
    await expect.poll(() => engine.readyReplicas('after').length, { timeout: 20_000 }).toBe(1);
    scheduling.close();
  }, 60_000);

  it('refuses a version whose replica can never fit, saying what is short', () => {
    const { engine, scheduling } = queued(new Recorder());
    const spec = ServiceSpecSchema.parse({
      name: 'huge',
      version: {
        model: 'mount/models/tiny-gpt2',
        command: 'true',
        resources: { cpu: 0.5, memory: '256Mi', accelerator: { type: 'nvidia', count: 4 } },
      },
    });
    let refused: unknown;
    try {
      engine.validate(spec, spec.version);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).message).toMatch(/^a replica of this service can never run in queue default: /);
    scheduling.close();
  });
});
