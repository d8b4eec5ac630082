import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import {
  buildWheel,
  getJson as get,
  isAlive as alive,
  launchOf as launch,
  LocalServiceFixture,
  portOf,
  READY_PROBE,
  Recorder,
} from '../../../../../testing/src/services/localServiceFixture.js';

/*
 * The local engine's replicas for real: process groups of a stdlib Python model server under the
 * supervisor, probed on their loopback ports, restarted, failed and stopped.
 */

let fx: LocalServiceFixture;
let data: string;
beforeAll(async () => {
  fx = await LocalServiceFixture.create();
  data = fx.data;
});
afterEach(() => fx.closeEngines());
afterAll(() => fx.close());

const engine: LocalServiceFixture['engine'] = (recorder, extra) => fx.engine(recorder, extra);

describe('LocalServiceEngine', () => {
  it('runs two replicas that load the model and answer on their ports, and stopVersion ends every process', async () => {
    const recorder = new Recorder();
    const services = engine(recorder);
    await services.startVersion(launch('pair', { replicas: 2, probes: { readiness: READY_PROBE } }));
    await expect.poll(() => services.readyReplicas('pair').length, { timeout: 20_000 }).toBe(2);

    const ready = services.readyReplicas('pair');
    expect(ready.map((r) => r.key).sort()).toEqual(['1/0', '1/1']);
    const pids: number[] = [];
    for (const replica of ready) {
      const answer = await fetch(`http://127.0.0.1:${portOf(replica)}/predict`, {
        method: 'POST',
        body: JSON.stringify({ text: 'hello' }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
      expect(answer).toMatchObject({ model_type: 'gpt2', replica: String(replica.index), input: { text: 'hello' } });
      expect(answer.parameters).toBeGreaterThan(0);
      pids.push((await get(portOf(replica), '/healthz')).pid as number);
    }
    expect(recorder.states(0)).toEqual(['Pending', 'Starting', 'Ready']);
    expect(recorder.events('replica-ready')).toHaveLength(2);
    const log = await readFile(services.logFile('pair', 1, 0)!, 'utf8');
    expect(log).toContain('loaded gpt2 with');

    await services.stopVersion('pair', 1, false);
    expect(services.readyReplicas('pair')).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
    expect(recorder.states(1).at(-1)).toBe('Stopped');
  }, 60_000);

  it('refuses a model folder that does not exist, saying which', async () => {
    const services = engine(new Recorder());
    const refused = await services.startVersion(launch('nomodel', { model: 'mount/models/nothing' })).catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).message).toBe('version.model mount/models/nothing: does not exist under /work');
  });

  it('keeps a replica out of readyReplicas until its readiness probe passes', async () => {
    const recorder = new Recorder();
    const services = engine(recorder);
    await services.startVersion(
      launch('gated', { env: { READY_AFTER_SECONDS: '3' }, probes: { readiness: READY_PROBE } }),
    );
    await expect.poll(() => recorder.states(0).includes('Starting'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => recorder.events('replica-started').length, { timeout: 10_000 }).toBe(1);
    // Started and listening, but /ready still answers 503.
    expect(services.readyReplicas('gated')).toEqual([]);
    await expect.poll(() => services.readyReplicas('gated').length, { timeout: 20_000 }).toBe(1);
    expect(recorder.states(0)).toEqual(['Pending', 'Starting', 'Ready']);
  }, 40_000);

  it('restarts a replica whose liveness fails, with an event', async () => {
    const recorder = new Recorder();
    const services = engine(recorder);
    await services.startVersion(
      launch('flaky', {
        env: { FAIL_LIVENESS_AFTER: '2' },
        probes: { liveness: { type: 'http', path: '/live', periodSeconds: 1, failureThreshold: 2 } },
      }),
    );
    await expect.poll(() => recorder.events('liveness-failed').length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(recorder.events('liveness-failed')[0]).toMatch(
      /liveness probe failed 2 time\(s\) in a row: GET \/live answered 500/,
    );
    await expect.poll(() => recorder.events('replica-restarted').length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => recorder.states(0).slice(-2), { timeout: 10_000 }).toEqual(['Starting', 'Ready']);
    const last = recorder.seen.findLast(({ observation }) => observation.replica)!.observation.replica!;
    expect(last.restarts).toBeGreaterThan(0);
  }, 40_000);

  it('restarts a replica killed with SIGKILL', async () => {
    const recorder = new Recorder();
    const services = engine(recorder);
    await services.startVersion(launch('killed'));
    await expect.poll(() => services.readyReplicas('killed').length, { timeout: 20_000 }).toBe(1);
    const pid = (await get(portOf(services.readyReplicas('killed')[0]), '/healthz')).pid as number;
    process.kill(pid, 'SIGKILL');
    await expect
      .poll(() => recorder.events('replica-exited'), { timeout: 10_000 })
      .toEqual([expect.stringContaining('was killed by SIGKILL')]);
    await expect.poll(() => services.readyReplicas('killed').length, { timeout: 20_000 }).toBe(1);
    const again = (await get(portOf(services.readyReplicas('killed')[0]), '/healthz')).pid as number;
    expect(again).not.toBe(pid);
    expect(recorder.events('replica-restarted')).toHaveLength(1);
    expect(recorder.failures()).toEqual([]);
  }, 40_000);

  it('fails the version when its command exits at once, five times in a row, with the code and the last lines', async () => {
    const recorder = new Recorder();
    const services = engine(recorder);
    await services.startVersion(launch('broken', { command: 'echo "cannot load the model" >&2; exit 3' }));
    await expect
      .poll(() => recorder.failures(), { timeout: 20_000 })
      .toEqual(['replica 0 exited with code 3: cannot load the model (5 times in a row, never ready)']);
    expect(recorder.events('replica-exited')).toHaveLength(5);
    expect(recorder.events('replica-restarted')).toHaveLength(4);
    expect(recorder.states(0).at(-1)).toBe('Failed');
  }, 40_000);
});

describe('LocalServiceEngine requirements', () => {
  let wheels: string;
  beforeAll(async () => {
    wheels = path.join(data, 'wheels');
    await mkdir(wheels, { recursive: true });
    buildWheel(wheels, 'aiplat-tiny-dep', 'aiplat_tiny_dep');
  });

  it("installs the requirements from the configured index into the version's venv, where the replica imports them", async () => {
    const recorder = new Recorder();
    const services = engine(recorder, {
      pip: { extraIndexUrls: [], findLinks: [wheels], trustedHosts: [], noIndex: true },
    });
    await services.startVersion(
      launch('withdeps', { requirements: 'aiplat-tiny-dep==0.1\n', env: { IMPORT: 'aiplat_tiny_dep' } }),
    );
    await expect.poll(() => services.readyReplicas('withdeps').length, { timeout: 60_000 }).toBe(1);
    const venv = path.join(data, 'services', 'withdeps', 'v1', 'venv');
    expect((await get(portOf(services.readyReplicas('withdeps')[0]), '/healthz')).imported).toEqual({
      module: 'aiplat_tiny_dep',
      file: expect.stringMatching(new RegExp(`^${venv}/lib/python3[^/]*/site-packages/aiplat_tiny_dep/__init__.py$`)),
      value: 42,
    });
    expect(recorder.states(0)).toEqual(['Pending', 'Installing', 'Pending', 'Starting', 'Ready']);
    expect(recorder.events('installing')).toHaveLength(1);
    // pip's output is in replica 0's log, as the platform's lines.
    const log = await readFile(services.logFile('withdeps', 1, 0)!, 'utf8');
    expect(log).toContain('Successfully installed aiplat-tiny-dep-0.1');
    expect(log).toContain(`--no-index --find-links ${wheels}`);
  }, 90_000);

  it("fails the version with pip's words when a requirement is not in the index", async () => {
    const recorder = new Recorder();
    const services = engine(recorder, {
      pip: { extraIndexUrls: [], findLinks: [wheels], trustedHosts: [], noIndex: true },
    });
    await services.startVersion(launch('missingdep', { requirements: 'no-such-package-aiplat==1.0' }));
    await expect
      .poll(() => recorder.failures(), { timeout: 60_000 })
      .toEqual([
        expect.stringMatching(
          /^its requirements did not install: python -m pip install exited with code 1: .*No matching distribution found for no-such-package-aiplat==1.0/,
        ),
      ]);
    expect(recorder.states(0).at(-1)).toBe('Failed');
    expect(recorder.events('replica-started')).toEqual([]);
  }, 90_000);
});
