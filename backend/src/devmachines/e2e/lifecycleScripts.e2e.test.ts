import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventSocket,
  encodeLifecycleScript,
  LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS,
  type ApiClient,
  type DevMachineSpecInput,
  type JobLogBatch,
  type WebSocketLike,
} from '@aiplat/api';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';

/*
 * Lifecycle configs on the local engine, for real: the scripts run as process groups before
 * JupyterLab starts (on-create once, on-start at every start), their output goes to the machine's
 * log (read and followed like a job's), and a failing or slow script fails the start with its
 * reason while the IDEs never start; safe mode skips the scripts once.
 */

const TIMEOUT_MS = 2_000;
let fx: PlatformFixture;
let client: ApiClient;

beforeAll(async () => {
  fx = await startPlatform({
    devMachines: { startDefault: false, readyTimeoutMs: 90_000, stopGraceMs: 2_000, lifecycleTimeoutMs: TIMEOUT_MS },
  });
  await mkdir(path.join(fx.workRoot, 'home', 'alice', 'project'), { recursive: true });
  client = fx.client();
}, 60_000);
afterAll(() => fx?.close(), 60_000);

const machine = (name: string, lifecycleConfig: string): DevMachineSpecInput => ({
  name,
  resources: { cpu: 1, memory: '1Gi' },
  ides: ['jupyterlab'],
  workingDir: 'home/project',
  lifecycleConfig,
});

async function config(name: string, scripts: { onCreate?: string; onStart?: string }) {
  return client.createLifecycleConfig({
    body: {
      spec: {
        name,
        ...(scripts.onCreate === undefined ? {} : { onCreate: encodeLifecycleScript(scripts.onCreate) }),
        ...(scripts.onStart === undefined ? {} : { onStart: encodeLifecycleScript(scripts.onStart) }),
      },
    },
  });
}

const eventTypes = async (id: string) =>
  (await client.devMachineEvents({ params: { id } })).events.map((event) => event.type);

/** The processes that run in a dev machine's folder (its IDEs). */
function processesOf(id: string): string[] {
  const listed = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout;
  return listed.split('\n').filter((line) => line.includes(`devmachines/${id}/`) && !line.includes('aiplat-log-shim'));
}

describe('lifecycle configs', () => {
  it('are their owner’s objects, with the encoded size limited and names unique', async () => {
    const created = await config('tools', { onStart: 'echo hi\n' });
    expect(created).toMatchObject({ spec: { name: 'tools', onStart: 'ZWNobyBoaQo=' }, usedBy: [] });
    expect((await client.listLifecycleConfigs()).lifecycleConfigs.map((c) => c.spec.name)).toContain('tools');

    const tooLong = await rejection(
      client.createLifecycleConfig({
        body: { spec: { name: 'big', onCreate: 'A'.repeat(LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS + 4) } },
      }),
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.message).toContain('onCreate is 16388 characters base64-encoded; the limit is 16384');
    // Exactly at the limit is fine.
    await client.createLifecycleConfig({
      body: { spec: { name: 'at-limit', onCreate: 'A'.repeat(LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS) } },
    });
    const notBase64 = await rejection(
      client.createLifecycleConfig({ body: { spec: { name: 'plain', onStart: 'echo hi' } } }),
    );
    expect(notBase64.status).toBe(400);
    expect(notBase64.message).toContain('onStart is not base64');

    expect((await rejection(config('tools', {}))).status).toBe(409);
    const bob = fx.client('bob');
    expect((await rejection(bob.getLifecycleConfig({ params: { id: created.id } }))).status).toBe(404);
    expect((await rejection(bob.deleteLifecycleConfig({ params: { id: created.id } }))).status).toBe(404);

    const unknown = await rejection(client.createDevMachine({ body: { spec: machine('nowhere', 'no-such') } }));
    expect(unknown.status).toBe(400);
    expect(unknown.message).toContain('no lifecycle config named no-such');

    const updated = await client.updateLifecycleConfig({
      params: { id: created.id },
      body: { spec: { name: 'tools-2', onStart: encodeLifecycleScript('echo again\n') } },
    });
    expect(updated.spec).toEqual({ name: 'tools-2', onStart: encodeLifecycleScript('echo again\n') });
    expect(await client.deleteLifecycleConfig({ params: { id: created.id } })).toEqual({ deleted: created.id });
  });

  it('runs on-create once and on-start at every start, before the IDEs, with their output in the log', async () => {
    const setup = await config('setup', {
      onCreate: 'echo "created in $(pwd)"\necho created >> lifecycle-trace.txt\n',
      onStart: 'echo "PATH=$PATH"\necho "a warning" >&2\necho started >> lifecycle-trace.txt\n',
    });
    const lines: string[] = [];
    const socket = fx.events();
    const created = await client.createDevMachine({ body: { spec: machine('scripted', 'setup') } });
    socket.subscribe(`devmachine-logs/${created.id}`, (event) => {
      if (event.kind !== 'devmachine-logs') return;
      const batch: JobLogBatch = event.data;
      for (const line of batch.lines) lines.push(line.text);
    });
    const running = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(running.failure).toBeUndefined();
    expect(running.created).toBe(true);
    const trace = path.join(fx.workRoot, 'home', 'alice', 'project', 'lifecycle-trace.txt');
    expect(await readFile(trace, 'utf8')).toBe('created\nstarted\n');
    expect(await eventTypes(created.id)).toEqual([
      'created',
      'starting',
      'script-started',
      'script-succeeded',
      'script-started',
      'script-succeeded',
      'ide-started',
      'running',
    ]);
    const log = await client.devMachineLogs({ params: { id: created.id }, query: {} });
    const shown = log.lines.map((line) => ({ stream: line.stream, text: line.text }));
    expect(shown).toContainEqual({
      stream: 'stdout',
      text: `created in ${path.join(fx.workRoot, 'home', 'alice', 'project')}`,
    });
    expect(shown).toContainEqual({
      stream: 'stdout',
      text: 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    });
    expect(shown).toContainEqual({ stream: 'stderr', text: 'a warning' });
    expect(shown.filter((line) => line.stream === 'platform').map((line) => line.text)).toEqual([
      "on-create: started (setup, as the backend's user)",
      expect.stringMatching(/^on-create: finished in \d+\.\d s$/),
      "on-start: started (setup, as the backend's user)",
      expect.stringMatching(/^on-start: finished in \d+\.\d s$/),
    ]);
    // Searched like a job's log.
    const searched = await client.devMachineLogs({ params: { id: created.id }, query: { search: 'WARNING' } });
    expect(searched.lines.map((line) => line.text)).toEqual(['a warning']);
    await expect.poll(() => lines).toContain('a warning');

    // In use: neither deleted nor renamed.
    const deleting = await rejection(client.deleteLifecycleConfig({ params: { id: setup.id } }));
    expect(deleting.status).toBe(409);
    expect(deleting.message).toContain('used by scripted');
    expect((await client.getLifecycleConfig({ params: { id: setup.id } })).usedBy).toEqual(['scripted']);

    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    await waitForDevMachine(client, created.id, ['Stopped']);
    await client.startDevMachine({ params: { id: created.id }, body: {} });
    expect((await waitForDevMachine(client, created.id, ['Running', 'Failed'])).state).toBe('Running');
    // The second start ran on-start only.
    expect(await readFile(trace, 'utf8')).toBe('created\nstarted\nstarted\n');
    await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
    await waitForDevMachine(client, created.id, ['Stopped']);
    socket.close();
  }, 180_000);

  it('follows the log across a dropped socket from where it was: no line missed or repeated', async () => {
    // Lines 1–5, then the rest only once the test has dropped the socket: the drop is mid-stream.
    const gate = path.join(fx.dir, 'dropped');
    await config('counting', {
      onStart:
        'for i in $(seq 1 5); do echo "line $i"; done\n' +
        `while [ ! -e ${gate} ]; do sleep 0.02; done\n` +
        'for i in $(seq 6 30); do echo "line $i"; sleep 0.01; done\n',
    });
    const raw: WebSocket[] = [];
    const socket = createEventSocket({
      baseUrl: fx.baseUrl,
      token: TOKENS.alice,
      createWebSocket: (url, protocols) => {
        const ws = new WebSocket(url, protocols);
        raw.push(ws);
        return ws as unknown as WebSocketLike;
      },
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
    });
    const seen: string[] = [];
    const created = await client.createDevMachine({ body: { spec: machine('counted', 'counting') } });
    socket.subscribe(`devmachine-logs/${created.id}`, (event) => {
      if (event.kind !== 'devmachine-logs') return;
      for (const line of event.data.lines) if (line.stream === 'stdout') seen.push(line.text);
    });
    await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(5);
    raw[0]!.close();
    await writeFile(gate, '');
    // Within the test's 2 s limit for scripts.
    await expect.poll(() => seen.at(-1), { timeout: 20_000 }).toBe('line 30');
    expect(raw.length).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));
    socket.close();
    await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
    await waitForDevMachine(client, created.id, ['Stopped']);
  }, 60_000);

  it('fails the start with the script’s exit code and last lines, starts no IDE, and starts in safe mode', async () => {
    await config('broken', { onStart: 'for i in 1 2 3; do echo "step $i"; done\nexit 3\n' });
    const created = await client.createDevMachine({ body: { spec: machine('broken-machine', 'broken') } });
    const failed = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(failed.state).toBe('Failed');
    expect(failed.failure?.message).toBe(
      'the on-start script exited with code 3; its last lines: step 1 / step 2 / step 3; start it in safe mode to skip the scripts once',
    );
    const types = await eventTypes(created.id);
    expect(types).toEqual(['created', 'starting', 'script-started', 'script-failed', 'failed']);
    expect(processesOf(created.id)).toEqual([]);

    await client.startDevMachine({ params: { id: created.id }, body: { safeMode: true } });
    const repaired = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(repaired.state).toBe('Running');
    expect((await eventTypes(created.id)).slice(5)).toEqual(['starting', 'scripts-skipped', 'ide-started', 'running']);
    await client.stopDevMachine({ params: { id: created.id }, body: { force: true } });
    await waitForDevMachine(client, created.id, ['Stopped']);
  }, 180_000);

  it('ends a script at the timeout with the whole of its process group, and a stop ends a running script', async () => {
    const marker = path.join(fx.workRoot, 'home', 'alice', 'project', 'late.txt');
    await config('slow', { onStart: `echo waiting\n(sleep 5; echo late > ${marker}) &\nsleep 30\n` });
    const created = await client.createDevMachine({ body: { spec: machine('slow-machine', 'slow') } });
    const failed = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(failed.failure?.message).toBe(
      'the on-start script did not finish within 2 s; its last lines: waiting; start it in safe mode to skip the scripts once',
    );
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(existsSync(marker)).toBe(false);

    await client.startDevMachine({ params: { id: created.id }, body: {} });
    await expect.poll(async () => (await eventTypes(created.id)).at(-1)).toBe('script-started');
    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    const stopped = await waitForDevMachine(client, created.id, ['Stopped', 'Failed'], 10_000);
    expect(stopped.state).toBe('Stopped');
    expect(processesOf(created.id)).toEqual([]);
  }, 60_000);
});
