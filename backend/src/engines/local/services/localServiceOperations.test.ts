import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_SHIM } from '../../../../../testing/src/backend/platformFixture.js';
import {
  getJson,
  isAlive,
  launchOf,
  LocalServiceFixture,
  MODEL_SERVER,
  portOf,
  READY_PROBE,
  Recorder,
} from '../../../../../testing/src/services/localServiceFixture.js';
import { createSupervisor } from '../supervisor/index.js';

/* What the core asks of a running version: a rolling restart, scaling, and ending leftovers. */

let fx: LocalServiceFixture;
beforeAll(async () => (fx = await LocalServiceFixture.create()));
afterEach(() => fx.closeEngines());
afterAll(() => fx.close());

describe('LocalServiceEngine operations', () => {
  it('restarts a replica by starting its new process first, so it never stops serving', async () => {
    const recorder = new Recorder();
    const engine = fx.engine(recorder);
    const launch = launchOf('rolling', { probes: { readiness: READY_PROBE }, env: { READY_AFTER_SECONDS: '1' } });
    await engine.startVersion(launch);
    await expect.poll(() => engine.readyReplicas('rolling').length, { timeout: 20_000 }).toBe(1);
    const oldPort = portOf(engine.readyReplicas('rolling')[0]);
    const oldPid = (await getJson(oldPort, '/healthz')).pid as number;
    const oldStartedAt = recorder.startedAt(0)!;
    const asked = Date.now();

    await engine.restart(launch);
    const readyCounts = new Set<number>();
    while (portOf(engine.readyReplicas('rolling')[0]) === oldPort) {
      readyCounts.add(engine.readyReplicas('rolling').length);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...readyCounts]).toEqual([1]);
    const newPid = (await getJson(portOf(engine.readyReplicas('rolling')[0]), '/healthz')).pid as number;
    expect(newPid).not.toBe(oldPid);
    await expect.poll(() => isAlive(oldPid), { timeout: 5_000 }).toBe(false);
    // The index is the new process's, and so is its start time.
    expect(Date.parse(oldStartedAt)).toBeLessThan(asked);
    expect(Date.parse(recorder.startedAt(0)!)).toBeGreaterThanOrEqual(asked);
    // The index lives on: never reported Stopped, the new process's log read. A deliberate restart
    // is not counted among the restarts after a failure.
    expect(recorder.states(0)).not.toContain('Stopped');
    expect(recorder.restarts(0)).toBe(0);
    expect(recorder.events('replica-restarted')).toEqual([
      expect.stringMatching(/^replica-restarted: Replica 0 restarts: a new process starts on port \d+/),
    ]);
    expect(engine.logFile('rolling', 1, 0)).toBe(
      path.join(fx.data, 'services', 'rolling', 'v1', 'logs', 'replica-0.b.log'),
    );
    expect(await readFile(engine.logFile('rolling', 1, 0)!, 'utf8')).toContain('loaded gpt2');
  }, 60_000);

  it('gives the index back to the old process, with its start time, when the new one is not ready', async () => {
    const recorder = new Recorder();
    const engine = fx.engine(recorder, { readyTimeoutMs: 5_000 });
    // The first process serves; any later one never listens.
    const marker = path.join(fx.data, 'stuck-started');
    const launch = launchOf('stuck', {
      probes: { readiness: READY_PROBE },
      command: `if [ -e ${marker} ]; then exec sleep 600; fi; touch ${marker}; exec python3 ${MODEL_SERVER}`,
    });
    await engine.startVersion(launch);
    await expect.poll(() => engine.readyReplicas('stuck').length, { timeout: 20_000 }).toBe(1);
    const oldPort = portOf(engine.readyReplicas('stuck')[0]);
    const oldStartedAt = recorder.startedAt(0);

    await engine.restart(launch);
    // (The new process also says it was not ready in time, as any replica does.)
    await expect
      .poll(() => recorder.events('replica-not-ready'), { timeout: 20_000 })
      .toContainEqual(expect.stringContaining("Replica 0's new process was not ready"));
    expect(portOf(engine.readyReplicas('stuck')[0])).toBe(oldPort);
    const last = recorder.seen.findLast(({ observation }) => observation.replica)!.observation.replica!;
    expect(last).toMatchObject({ state: 'Ready', startedAt: oldStartedAt });
    expect(last.message).toBe('the restarted process was not ready; the old one keeps serving');
  }, 60_000);

  it('scales a running version up and down', async () => {
    const recorder = new Recorder();
    const engine = fx.engine(recorder);
    const launch = launchOf('scaled');
    await engine.startVersion(launch);
    await expect.poll(() => engine.readyReplicas('scaled').length, { timeout: 20_000 }).toBe(1);
    await engine.scale(launch, 3);
    await expect
      .poll(() => engine.readyReplicas('scaled').map((r) => r.key), { timeout: 20_000 })
      .toEqual(['1/0', '1/1', '1/2']);
    const pids = await Promise.all(
      engine.readyReplicas('scaled').map(async (r) => (await getJson(portOf(r), '/healthz')).pid as number),
    );
    await engine.scale(launch, 1);
    expect(engine.readyReplicas('scaled').map((r) => r.key)).toEqual(['1/0']);
    expect(pids.map(isAlive)).toEqual([true, false, false]);
    expect(recorder.states(2).at(-1)).toBe('Stopped');
  }, 60_000);

  it('ends what a previous backend left running of a service', async () => {
    // A replica as an earlier backend launched it, whose engine is gone.
    const supervisor = createSupervisor({ shimPath: BUILT_SHIM });
    const launch = launchOf('leftover');
    const model = path.join(fx.work, 'mount', 'models', 'tiny-gpt2');
    const handle = await supervisor.launchInstance({
      jobId: 'leftover-v1',
      instance: 'replica-0',
      command: `exec python3 ${MODEL_SERVER}`,
      cwd: model,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', MODEL_DIR: model, PORT: '0' },
      logDir: path.join(fx.data, 'services', 'leftover', 'v1', 'logs'),
    });
    handle.dispose();
    const pid = handle.pid;
    expect(isAlive(pid)).toBe(true);

    await fx.engine(new Recorder()).release(launch.service);
    expect(isAlive(pid)).toBe(false);
  }, 30_000);
});
