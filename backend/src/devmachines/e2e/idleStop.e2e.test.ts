import http from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMachine, IdleSignal } from '@aiplat/api';
import { runningDevMachine, waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { KernelConnection, type LabSocket } from '../../../../testing/src/jupyterKernel.js';

/*
 * A real dev machine stops by itself: when idle for its policy's duration (and not while a notebook
 * cell runs in its real JupyterLab kernel), and after its auto-stop hours with the warning first
 * and a snooze that puts it off. Real JupyterLab, kernel and backend; only the clock of the idle
 * and auto-stop decisions is moved forward by the test, so minutes and hours pass in seconds.
 */

const MINUTE = 60_000;
let offset = 0;
let fx: PlatformFixture;

beforeAll(async () => {
  fx = await startPlatform(
    { devMachines: { startDefault: false, readyTimeoutMs: 90_000, stopGraceMs: 2_000, idleCheckMs: 200 } },
    { clock: () => Date.now() + offset },
  );
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
}, 60_000);
afterAll(() => fx?.close(), 60_000);

/** Lets a few looks of the monitor pass (it looks every 200 ms). */
const looks = () => new Promise((resolve) => setTimeout(resolve, 1_000));

function labSocket(machine: DevMachine): LabSocket {
  const endpoint = fx.platform.devMachines.endpoint(machine.id, 'jupyterlab')!;
  if (!('socketPath' in endpoint.target)) throw new Error('expected a Unix socket');
  return { socketPath: endpoint.target.socketPath, prefix: endpoint.prefix, headers: endpoint.headers };
}

/** A request to JupyterLab's REST API; resolves with the body when the status is `expected`. */
function labRequest(lab: LabSocket, method: string, apiPath: string, expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        socketPath: lab.socketPath,
        method,
        path: `${lab.prefix}${apiPath}`,
        headers: { ...lab.headers, 'content-type': 'application/json' },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          response.statusCode === expected
            ? resolve(body)
            : reject(new Error(`${method} ${apiPath}: ${response.statusCode} ${body}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(method === 'POST' ? '{}' : undefined);
  });
}

/**
 * A kernel whose state the server follows. The server subscribes to the kernel's status messages
 * as it starts it, and ZeroMQ drops what is published before a subscription is in place: until a
 * status arrives after that, the kernel reads `starting`. Cells are run until it reads `idle`.
 */
async function readyKernel(lab: LabSocket): Promise<{ id: string; connection: KernelConnection }> {
  const { id } = JSON.parse(await labRequest(lab, 'POST', 'api/kernels', 201)) as { id: string };
  const connection = await KernelConnection.open(lab, id);
  const state = async () =>
    (JSON.parse(await labRequest(lab, 'GET', `api/kernels/${id}`, 200)) as { execution_state: string }).execution_state;
  await expect
    .poll(
      async () => {
        await connection.execute('1').done;
        return state();
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe('idle');
  return { id, connection };
}

const kernels = async (id: string) =>
  (await fx.client().devMachineIdle({ params: { id } })).signals.find((s) => s.name === 'kernels') as IdleSignal;

describe('a dev machine that stops by itself', () => {
  it('stops once idle for its policy, and not while a notebook cell runs', async () => {
    const client = fx.client();
    const machine = await runningDevMachine(client, {
      name: 'idle-stop',
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '1Gi' },
      idlePolicy: { forMinutes: 2, activity: { kernels: true, terminals: true, codeServer: false, jobs: false } },
    });
    const lab = labSocket(machine);
    const { id: kernelId, connection: kernel } = await readyKernel(lab);
    // Long enough for a loaded machine; interrupted once the test has seen what it needs.
    const cell = kernel.execute('import time\ntime.sleep(300)');
    await cell.started;
    await expect.poll(async () => (await kernels(machine.id)).value, { timeout: 10_000 }).toMatch(/^1 busy/);

    // Ten minutes go by while the cell runs: the machine stays up, and says why.
    offset += 10 * MINUTE;
    await looks();
    expect((await client.getDevMachine({ params: { id: machine.id } })).state).toBe('Running');
    expect(await kernels(machine.id)).toMatchObject({ counts: true, idle: false });

    // The cell ends and the notebook closes: idle from now, stopped two minutes later.
    await labRequest(lab, 'POST', `api/kernels/${kernelId}/interrupt`, 204);
    await cell.done;
    await kernel.close();
    await expect.poll(async () => (await kernels(machine.id)).value, { timeout: 10_000 }).toBe('0 busy, 0 connected');
    await looks();
    expect((await client.getDevMachine({ params: { id: machine.id } })).state).toBe('Running');
    offset += 3 * MINUTE;
    const stopped = await waitForDevMachine(client, machine.id, ['Stopped'], 30_000);
    expect(stopped.state).toBe('Stopped');
    const { events } = await client.devMachineEvents({ params: { id: machine.id } });
    expect(events.find((event) => event.type === 'stop-requested')?.message).toMatch(
      /idle for 2 min by its idle policy \(.*kernels 0 busy, 0 connected.*\)/,
    );
  }, 180_000);

  it('auto-stops after its hours, warned first, later by a snooze', async () => {
    const client = fx.client();
    // The clock of the hours since its start: the real one plus what the test adds.
    offset = 0;
    const machine = await runningDevMachine(client, {
      name: 'auto-stop',
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '1Gi' },
      autoStop: { afterHours: 1 },
    });
    const eventTypes = async () =>
      (await client.devMachineEvents({ params: { id: machine.id } })).events.map((event) => event.type);
    offset = 45 * MINUTE;
    await looks();
    expect(await eventTypes()).not.toContain('auto-stop-warning');

    offset = 52 * MINUTE;
    await expect.poll(eventTypes, { timeout: 10_000 }).toContain('auto-stop-warning');
    const snoozed = await client.snoozeDevMachineAutoStop({ params: { id: machine.id } });
    expect(Date.parse(snoozed.autoStopAt!) - Date.parse(machine.autoStopAt!)).toBe(60 * MINUTE);

    // Past the first hour, the snooze keeps it running...
    offset = 65 * MINUTE;
    await looks();
    expect((await client.getDevMachine({ params: { id: machine.id } })).state).toBe('Running');
    // ...warned again before the new time, and stopped at it.
    offset = 112 * MINUTE;
    await expect
      .poll(async () => (await eventTypes()).filter((type) => type === 'auto-stop-warning').length, { timeout: 10_000 })
      .toBe(2);
    offset = 121 * MINUTE;
    await waitForDevMachine(client, machine.id, ['Stopped'], 30_000);
    const { events } = await client.devMachineEvents({ params: { id: machine.id } });
    expect(events.find((event) => event.type === 'stop-requested')?.message).toBe(
      'Stopped by itself after 2 h of running (auto-stop).',
    );
  }, 180_000);
});
