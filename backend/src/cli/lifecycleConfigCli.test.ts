import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeLifecycleScript,
  LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS,
  type DevMachine,
  type WebSocketFactory,
} from '@aiplat/api';
import { cliRunner, outputSink, type OutputSink } from '../../../testing/src/backend/cliRunner.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';
import { runCli } from './program.js';

let fx: PlatformFixture;

/** Non-ASCII text in a script: it has to come back byte for byte. */
const ON_CREATE = '#!/bin/sh\necho "created once: 你好, naïve ✓"\n';
const ON_START = '#!/bin/sh\necho "on-start ran"\n';
const ON_START_V2 = '#!/bin/sh\necho "on-start v2 ran"\n';

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false, readyTimeoutMs: 60_000, stopGraceMs: 2_000 } });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
  await writeFile(path.join(fx.dir, 'create.sh'), ON_CREATE);
  await writeFile(path.join(fx.dir, 'start.sh'), ON_START);
  await writeFile(path.join(fx.dir, 'start-v2.sh'), ON_START_V2);
  // 13,000 bytes of script: 17,336 characters base64-encoded, over the limit.
  await writeFile(path.join(fx.dir, 'big.sh'), `${'#'.repeat(12_999)}\n`);
}, 60_000);
afterAll(() => fx?.close(), 60_000);

/** Runs `aiplat <args>` in-process against the test backend as alice. */
const aiplat = (args: string[]) => cliRunner(fx)(args);

async function machineNamed(name: string): Promise<DevMachine> {
  const { devMachines } = await fx.client().listDevMachines();
  return devMachines.find((machine) => machine.spec.name === name)!;
}

/** A WebSocket that cannot be opened: the follow has to poll. */
const noSockets: WebSocketFactory = () => {
  throw new Error('no WebSocket here');
};

async function eventTypes(name: string): Promise<string[]> {
  const { id } = await machineNamed(name);
  const { events } = await fx.client().devMachineEvents({ params: { id } });
  return events.map((event) => event.type);
}

describe('aiplat lifecycle-config', () => {
  it('creates one from files, lists, shows, updates and deletes it by name', async () => {
    const created = await aiplat([
      'lifecycle-config',
      'create',
      'setup',
      '--on-create',
      'create.sh',
      '--on-start',
      'start.sh',
      '--description',
      'tools and mounts',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^setup \(lc-[a-z0-9]+\): created\n$/);

    const [config] = (await fx.client().listLifecycleConfigs()).lifecycleConfigs;
    // The file's bytes, base64-encoded as base64 -w0 would.
    expect(config?.spec).toEqual({
      name: 'setup',
      description: 'tools and mounts',
      onCreate: Buffer.from(ON_CREATE).toString('base64'),
      onStart: encodeLifecycleScript(ON_START),
    });

    // Byte for byte back, non-ASCII included.
    expect(await aiplat(['lifecycle-config', 'get', 'setup', '--script', 'on-create'])).toMatchObject({
      code: 0,
      stdout: ON_CREATE,
    });
    expect((await aiplat(['lc', 'get', config!.id, '--script', 'on-start'])).stdout).toBe(ON_START);
    const shown = await aiplat(['lifecycle-config', 'get', 'setup']);
    expect(shown.stdout).toContain(`id: ${config!.id}`);
    expect(shown.stdout).toContain(`onStart: ${encodeLifecycleScript(ON_START)}`);
    const json = await aiplat(['lifecycle-config', 'get', 'setup', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(config);

    const listed = await aiplat(['lifecycle-config', 'list']);
    expect(listed.stdout).toMatch(/^NAME\s+ID\s+ON-CREATE\s+ON-START\s+USED BY\s+AGE\n/);
    expect(listed.stdout).toMatch(
      new RegExp(`setup\\s+${config!.id}\\s+${Buffer.byteLength(ON_CREATE)} B\\s+${ON_START.length} B\\s+-\\s+`),
    );

    // A new on-start; the on-create is kept.
    const updated = await aiplat(['lifecycle-config', 'update', 'setup', '--on-start', 'start-v2.sh']);
    expect(updated).toMatchObject({ code: 0, stdout: `setup (${config!.id}): updated\n` });
    expect((await aiplat(['lifecycle-config', 'get', 'setup', '--script', 'on-start'])).stdout).toBe(ON_START_V2);
    expect((await aiplat(['lifecycle-config', 'get', 'setup', '--script', 'on-create'])).stdout).toBe(ON_CREATE);
    // --no-on-create drops it; the rest stays.
    expect((await aiplat(['lifecycle-config', 'update', config!.id, '--no-on-create'])).code).toBe(0);
    const after = await fx.client().getLifecycleConfig({ params: { id: config!.id } });
    expect(after.spec).toEqual({
      name: 'setup',
      description: 'tools and mounts',
      onStart: encodeLifecycleScript(ON_START_V2),
    });
    const none = await aiplat(['lifecycle-config', 'get', 'setup', '--script', 'on-create']);
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining('setup has no on-create script')]);
    expect((await aiplat(['lifecycle-config', 'list'])).stdout).toMatch(/setup\s+lc-[a-z0-9]+\s+-\s+\d+ B/);

    expect(await aiplat(['lifecycle-config', 'delete', 'setup'])).toMatchObject({
      code: 0,
      stdout: `${config!.id}: deleted\n`,
    });
    expect((await aiplat(['lifecycle-config', 'list'])).stdout).toBe(
      'No lifecycle configs yet: aiplat lifecycle-config create <name> --on-start <file>\n',
    );
  });

  it('says what is wrong: a missing file, a script over the limit, an unknown config or script', async () => {
    const missing = await aiplat(['lifecycle-config', 'create', 'x', '--on-start', 'nope.sh']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('cannot read nope.sh: no such file')]);

    const big = await aiplat(['lifecycle-config', 'create', 'big', '--on-create', 'big.sh']);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('onCreate');
    expect(big.stderr).toContain(String(LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS));
    expect((await fx.client().listLifecycleConfigs()).lifecycleConfigs).toEqual([]);

    const unknown = await aiplat(['lifecycle-config', 'delete', 'nowhere']);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      expect.stringContaining('no lifecycle config nowhere of yours'),
    ]);
    const badScript = await aiplat(['lifecycle-config', 'get', 'nowhere', '--script', 'on-stop']);
    expect([badScript.code, badScript.stderr]).toEqual([
      2,
      expect.stringContaining('--script takes on-create or on-start (got "on-stop")'),
    ]);
  });

  it('runs with a dev machine: dev create --lifecycle-config, dev logs -f, dev start --safe-mode, a delete refused while used', async () => {
    expect(
      (await aiplat(['lifecycle-config', 'create', 'tools', '--on-create', 'create.sh', '--on-start', 'start.sh']))
        .code,
    ).toBe(0);
    const created = await aiplat([
      'dev',
      'create',
      'scripted',
      '--ides',
      'code-server',
      '--cpu',
      '1',
      '--memory',
      '2Gi',
      '--lifecycle-config',
      'tools',
      '--no-start',
    ]);
    expect(created.code).toBe(0);
    expect((await machineNamed('scripted')).spec.lifecycleConfig).toBe('tools');

    // Followed from before the first start, over the WebSocket and by polling.
    const followed = { socket: outputSink(), polled: outputSink() };
    const follow = (stdout: OutputSink, createWebSocket?: WebSocketFactory) =>
      runCli(['dev', 'logs', 'scripted', '-f'], {
        stdout,
        stderr: outputSink(),
        env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice },
        pollIntervalMs: 50,
        ...(createWebSocket ? { createWebSocket } : {}),
      });
    const follows = [follow(followed.socket), follow(followed.polled, noSockets)];

    expect((await aiplat(['dev', 'start', 'scripted'])).code).toBe(0);
    await expect.poll(async () => (await machineNamed('scripted')).state, { timeout: 60_000 }).toBe('Running');

    // Both scripts ran at the first start, and their output is the dev machine's log.
    const logs = await aiplat(['dev', 'logs', 'scripted']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('created once: 你好, naïve ✓\n');
    expect(logs.stdout).toContain('on-start ran\n');
    expect((await aiplat(['dev', 'logs', 'scripted', '--search', 'ON-START RAN'])).stdout).toBe('on-start ran\n');
    expect(await eventTypes('scripted')).toEqual(expect.arrayContaining(['script-started', 'script-succeeded']));
    for (const sink of Object.values(followed))
      await expect.poll(() => sink.text, { timeout: 10_000 }).toContain('on-start ran\n');

    // Used: listed so, and not deleted.
    expect((await aiplat(['lifecycle-config', 'list'])).stdout).toMatch(/tools\s+lc-\S+\s+\d+ B\s+\d+ B\s+scripted/);
    const refused = await aiplat(['lifecycle-config', 'delete', 'tools']);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('tools is used by scripted')]);

    expect((await aiplat(['dev', 'stop', 'scripted'])).code).toBe(0);
    await expect.poll(async () => (await machineNamed('scripted')).state, { timeout: 30_000 }).toBe('Stopped');

    // Safe mode: the scripts are skipped this once, and the machine says so.
    const safe = await aiplat(['dev', 'start', 'scripted', '--safe-mode']);
    expect(safe.code).toBe(0);
    expect(safe.stderr).toContain('safe mode: the scripts of lifecycle config tools are skipped this once');
    await expect.poll(() => eventTypes('scripted'), { timeout: 30_000 }).toContain('scripts-skipped');
    await expect.poll(async () => (await machineNamed('scripted')).state, { timeout: 60_000 }).toBe('Running');
    expect((await aiplat(['dev', 'logs', 'scripted'])).stdout.match(/on-start ran/g)).toHaveLength(1);

    expect((await aiplat(['dev', 'stop', 'scripted'])).code).toBe(0);
    await expect.poll(async () => (await machineNamed('scripted')).state, { timeout: 30_000 }).toBe('Stopped');
    expect((await aiplat(['dev', 'delete', 'scripted'])).code).toBe(0);
    // The follows end with the dev machine (as an error: it is gone, as a service's follow ends), each line printed once.
    const gaveUp = new Promise<string>((resolve) => setTimeout(() => resolve('still following'), 20_000));
    for (const ending of follows) expect(await Promise.race([ending, gaveUp])).toBe(1);
    for (const sink of Object.values(followed)) expect(sink.text.match(/on-start ran/g)).toHaveLength(1);

    expect((await aiplat(['lifecycle-config', 'delete', 'tools'])).code).toBe(0);
  }, 180_000);
});
