import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMachineSpecInput } from '@aiplat/api';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import type { IdeEndpoint } from '../engine.js';

/*
 * Dev machines on the local engine, for real: JupyterLab (the repo's host on Debian's
 * jupyter_server, with our extension installed) and code-server run as supervised process groups on
 * Unix sockets; the API creates, starts, stops, copies and deletes them for their owner only.
 */

const spec = (name: string, extra: Partial<DevMachineSpecInput> = {}): DevMachineSpecInput => ({
  name,
  resources: { cpu: 1, memory: '2Gi' },
  ...extra,
});

const waitForState = waitForDevMachine;

/** GET through an IDE's endpoint as the proxy reaches it (its socket, its headers). */
function viaEndpoint(
  endpoint: IdeEndpoint,
  requestPath: string,
  headers = endpoint.headers,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    if (!('socketPath' in endpoint.target)) throw new Error('expected a Unix socket');
    const request = http.get({ socketPath: endpoint.target.socketPath, path: requestPath, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

/** The command lines of the processes that run in a dev machine's folder. */
function processesOf(id: string): string[] {
  const listed = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout;
  return listed.split('\n').filter((line) => line.includes(`devmachines/${id}/`) && !line.includes('aiplat-log-shim'));
}

let fx: PlatformFixture;

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false, readyTimeoutMs: 90_000, stopGraceMs: 3_000 } });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
}, 60_000);
afterAll(() => fx?.close(), 60_000);

describe('dev machines on the local engine', () => {
  it('runs JupyterLab (with the AI Platform extension) and code-server on private sockets, stops and starts again', async () => {
    const client = fx.client();
    const created = await client.createDevMachine({ body: { spec: spec('workspace') } });
    expect(created.state).toBe('Starting');
    expect(created.urls).toEqual({
      jupyterlab: `/devmachines/${created.id}/lab/`,
      'code-server': `/devmachines/${created.id}/code/`,
    });
    const running = await waitForState(client, created.id, ['Running', 'Failed']);
    expect(running.failure).toBeUndefined();
    expect(running.state).toBe('Running');
    expect(running.startedAt).toBeDefined();

    const engine = fx.platform.devMachineEngine;
    const lab = engine.endpoint(created.id, 'jupyterlab')!;
    const code = engine.endpoint(created.id, 'code-server')!;
    expect(lab.keepsPrefix).toBe(true);
    expect(code.keepsPrefix).toBe(false);
    for (const endpoint of [lab, code]) {
      if (!('socketPath' in endpoint.target)) throw new Error('expected a Unix socket');
      expect(statSync(endpoint.target.socketPath).mode & 0o777).toBe(0o600);
    }
    expect((await viaEndpoint(lab, `${lab.prefix}api/status`)).status).toBe(200);
    // Without the secret the proxy adds, JupyterLab answers nothing useful.
    expect((await viaEndpoint(lab, `${lab.prefix}api/contents`, {})).status).toBe(403);
    const page = await viaEndpoint(lab, `${lab.prefix}lab`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('@aiplat/jupyterlab-ext');
    expect((await viaEndpoint(code, '/healthz')).status).toBe(200);
    // Published dataset and model versions are under home/.catalog: JupyterLab's file browser opens them.
    const version = path.join(fx.workRoot, 'home/alice/.catalog/datasets/demo/v1');
    mkdirSync(version, { recursive: true });
    writeFileSync(path.join(version, 'a.jsonl'), '{}\n');
    expect((await viaEndpoint(lab, `${lab.prefix}api/contents/home/alice/.catalog/datasets/demo/v1`)).status).toBe(200);

    const events = (await client.devMachineEvents({ params: { id: created.id } })).events.map((e) => e.type);
    expect(events).toEqual(['created', 'starting', 'ide-started', 'ide-started', 'running']);

    const stopping = await client.stopDevMachine({ params: { id: created.id }, body: {} });
    expect(['Stopping', 'Stopped']).toContain(stopping.state);
    const stopped = await waitForState(client, created.id, ['Stopped', 'Failed']);
    expect(stopped.state).toBe('Stopped');
    expect(engine.endpoint(created.id, 'jupyterlab')).toBeUndefined();
    await expect(viaEndpoint(code, '/healthz')).rejects.toThrow();

    await client.startDevMachine({ params: { id: created.id }, body: {} });
    expect((await waitForState(client, created.id, ['Running', 'Failed'])).state).toBe('Running');
    await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
    await waitForState(client, created.id, ['Stopped']);
  }, 240_000);

  it('is its owner’s alone: another user neither sees nor touches it', async () => {
    const created = await fx.client().createDevMachine({ body: { spec: spec('private'), start: false } });
    expect(created.state).toBe('Creating');
    const bob = fx.client('bob');
    expect((await bob.listDevMachines()).devMachines.map((m) => m.id)).not.toContain(created.id);
    for (const call of [
      () => bob.getDevMachine({ params: { id: created.id } }),
      () => bob.startDevMachine({ params: { id: created.id }, body: {} }),
      () => bob.stopDevMachine({ params: { id: created.id }, body: {} }),
      () => bob.deleteDevMachine({ params: { id: created.id } }),
    ])
      expect((await rejection(call())).status).toBe(404);
    expect((await fx.client().listDevMachines()).devMachines.map((m) => m.id)).toContain(created.id);
  });

  it('says what to fix: a name used twice, no IDE, deleting a running one', async () => {
    const client = fx.client();
    await client.createDevMachine({ body: { spec: spec('twice'), start: false } });
    const twice = await rejection(client.createDevMachine({ body: { spec: spec('twice'), start: false } }));
    expect([twice.status, twice.message]).toEqual([
      409,
      expect.stringContaining('already have a dev machine named twice'),
    ]);
    const none = await rejection(client.createDevMachine({ body: { spec: spec('none', { ides: [] }) } }));
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.issues)).toContain('ides is empty');

    const machine = await client.createDevMachine({ body: { spec: spec('short', { ides: ['code-server'] }) } });
    await waitForState(client, machine.id, ['Running']);
    const busy = await rejection(client.deleteDevMachine({ params: { id: machine.id } }));
    expect([busy.status, busy.message]).toEqual([409, expect.stringContaining('stop it before deleting it')]);
    await client.stopDevMachine({ params: { id: machine.id }, body: {} });
    await waitForState(client, machine.id, ['Stopped']);
    expect(await client.copyDevMachine({ params: { id: machine.id } })).toMatchObject({
      spec: { name: 'short-copy', ides: ['code-server'] },
    });
    expect(await client.deleteDevMachine({ params: { id: machine.id } })).toEqual({ deleted: machine.id });
    expect((await rejection(client.getDevMachine({ params: { id: machine.id } }))).status).toBe(404);
  }, 120_000);
});

describe('a dev machine whose IDE dies', () => {
  let broken: PlatformFixture;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-dm-broken-'));
    const script = path.join(dir, 'crashing-serve.py');
    await writeFile(script, 'import sys\nprint("cannot open the notebook dir", file=sys.stderr)\nsys.exit(3)\n');
    broken = await startPlatform(
      { devMachines: { startDefault: false, readyTimeoutMs: 30_000, stopGraceMs: 1_000, jupyterServe: script } },
      { dir },
    );
    await mkdir(path.join(broken.workRoot, 'home', 'alice'), { recursive: true });
  }, 60_000);
  afterAll(() => broken?.close(), 60_000);

  it('fails, naming the IDE, its exit code and the end of its log, and stops the other IDE', async () => {
    const client = broken.client();
    const created = await client.createDevMachine({ body: { spec: spec('doomed') } });
    const failed = await waitForState(client, created.id, ['Failed', 'Running']);
    expect(failed.state).toBe('Failed');
    expect(failed.failure).toMatchObject({ ide: 'jupyterlab', exitCode: 3 });
    expect(failed.failure?.message).toContain('JupyterLab exited with code 3: cannot open the notebook dir');
    expect(broken.platform.devMachineEngine.endpoint(created.id, 'code-server')).toBeUndefined();
    // code-server, launched while JupyterLab was dying, is ended too: nothing of the machine runs.
    await expect.poll(() => processesOf(created.id), { timeout: 15_000 }).toEqual([]);
  }, 120_000);
});
