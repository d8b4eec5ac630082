import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_SHIM } from '../../../../../testing/src/backend/platformFixture.js';
import type { TensorBoardObservation } from '../../../tensorboard/engine.js';
import { createSupervisor } from '../supervisor/index.js';
import { LocalTensorBoardEngine } from './localTensorBoardEngine.js';

const STAND_IN = fileURLToPath(new URL('../../../../../testing/src/tensorboard/bin/tensorboard', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-tb-engine-'));
  await mkdir(path.join(dir, 'logs'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function engine(command = STAND_IN): LocalTensorBoardEngine {
  return new LocalTensorBoardEngine({
    supervisor: createSupervisor({ shimPath: BUILT_SHIM }),
    dataDir: path.join(dir, 'data'),
    command,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    readyTimeoutMs: 20_000,
    stopGraceMs: 1000,
    log: pino({ level: 'silent' }),
  });
}

async function answers(url: string): Promise<boolean> {
  return fetch(url).then(
    (r) => r.ok,
    () => false,
  );
}

describe('LocalTensorBoardEngine', () => {
  it('runs TensorBoard under its prefix on loopback, and a later backend ends what an earlier one left running', async () => {
    const first = engine();
    const observed: TensorBoardObservation[] = [];
    await first.start(
      {
        id: 'tb-left',
        user: 'alice',
        path: 'home/logs',
        hostPath: path.join(dir, 'logs'),
        prefix: '/tensorboard/tb-left/',
      },
      (o) => observed.push(o),
    );
    await expect.poll(() => observed, { timeout: 20_000 }).toEqual([{ state: 'Running' }]);
    const endpoint = first.endpoint('tb-left')!;
    expect(endpoint).toMatchObject({
      prefix: '/tensorboard/tb-left/',
      keepsPrefix: true,
      target: { host: '127.0.0.1' },
    });
    const url = `http://127.0.0.1:${(endpoint.target as { port: number }).port}/tensorboard/tb-left/`;
    expect(await answers(url)).toBe(true);

    // The first backend is gone without stopping it (a crash): the next one ends it at start.
    await engine().releaseLeftovers();
    await expect.poll(() => answers(url), { timeout: 10_000 }).toBe(false);
    expect(existsSync(path.join(dir, 'data', 'tensorboard', 'tb-left'))).toBe(false);
  }, 60_000);

  it('says how to install TensorBoard when the command is not there', async () => {
    expect(await engine('tensorboard-not-installed-here').unavailable()).toMatch(/pip install tensorboard/);
    expect(await engine().unavailable()).toBeUndefined();
  });
});
