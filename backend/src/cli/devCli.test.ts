import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMachine } from '@aiplat/api';
import { cliRunner } from '../../../testing/src/backend/cliRunner.js';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

let fx: PlatformFixture;

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false, readyTimeoutMs: 60_000, stopGraceMs: 2_000 } });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
}, 60_000);
afterAll(() => fx?.close(), 60_000);

/** Runs `aiplat <args>` in-process against the test backend as alice. */
const aiplat = (args: string[]) => cliRunner(fx)(args);

async function machineNamed(name: string): Promise<DevMachine> {
  const { devMachines } = await fx.client().listDevMachines();
  return devMachines.find((machine) => machine.spec.name === name)!;
}

describe('aiplat dev', () => {
  it('creates, lists, opens, stops and deletes a dev machine by its name', async () => {
    const created = await aiplat(['dev', 'create', 'editor', '--ides', 'code-server', '--cpu', '1', '--memory', '2Gi']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^editor \(dm-[a-z0-9]+\): Starting\n$/);
    await expect.poll(async () => (await machineNamed('editor')).state, { timeout: 60_000 }).toBe('Running');

    const listed = await aiplat(['dev', 'list']);
    expect(listed.stdout).toMatch(/NAME\s+STATE\s+IDES/);
    expect(listed.stdout).toMatch(/editor\s+Running\s+code-server\s+cpu 1, memory 2Gi/);

    const { id } = await machineNamed('editor');
    const opened = await aiplat(['dev', 'open', 'editor']);
    const link = /^code-server: (\S+)\n$/.exec(opened.stdout)?.[1];
    expect(link).toMatch(new RegExp(`^${fx.baseUrl}/login\\?ticket=[A-Za-z0-9_-]{43}$`));
    expect(opened.stderr).toContain('signs a browser in once');
    // The link signs the browser in and lands in the IDE.
    const landed = await fetch(link!, { redirect: 'manual' });
    expect([landed.status, landed.headers.get('location')]).toEqual([303, `/devmachines/${id}/code/`]);
    const page = await fetch(fx.baseUrl + landed.headers.get('location')!, {
      headers: { cookie: landed.headers.get('set-cookie')!.split(';')[0]! },
    });
    expect(page.status).toBe(200);

    expect((await aiplat(['dev', 'stop', 'editor'])).code).toBe(0);
    await expect.poll(async () => (await machineNamed('editor')).state, { timeout: 30_000 }).toBe('Stopped');
    const notRunning = await aiplat(['dev', 'open', 'editor']);
    expect([notRunning.code, notRunning.stderr]).toEqual([
      1,
      expect.stringContaining('editor is Stopped; start it with: aiplat dev start editor'),
    ]);
    expect(await aiplat(['dev', 'delete', 'editor'])).toMatchObject({ code: 0, stdout: `${id}: deleted\n` });
    expect((await aiplat(['dev', 'list'])).stdout).toBe('No dev machines yet: aiplat dev create <name>\n');
  }, 120_000);

  it('creates a machine that stops by itself after N hours, and snoozes it', async () => {
    const bad = await aiplat(['dev', 'create', 'timed', '--auto-stop', '30']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining('--auto-stop takes a whole number of hours from 1 to 24, not 30'),
    ]);
    expect(
      (await aiplat(['dev', 'create', 'timed', '--ides', 'jupyterlab', '--cpu', '1', '--auto-stop', '2'])).code,
    ).toBe(0);
    await expect.poll(async () => (await machineNamed('timed')).state, { timeout: 60_000 }).toBe('Running');
    const { autoStopAt, startedAt } = await machineNamed('timed');
    expect(Date.parse(autoStopAt!) - Date.parse(startedAt!)).toBe(2 * 3_600_000);
    const snoozed = await aiplat(['dev', 'snooze', 'timed']);
    const later = new Date(Date.parse(autoStopAt!) + 3_600_000).toISOString();
    expect(snoozed).toMatchObject({ code: 0, stdout: expect.stringContaining(`stops by itself at ${later}`) });
    expect((await aiplat(['dev', 'stop', 'timed', '--force'])).code).toBe(0);
    await expect.poll(async () => (await machineNamed('timed')).state, { timeout: 30_000 }).toBe('Stopped');
    const refused = await aiplat(['dev', 'snooze', 'timed']);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringContaining("only a running machine's auto-stop is put off"),
    ]);
  }, 120_000);

  it('creates a machine with an idle policy and says why it is not idle', async () => {
    const bad = await aiplat(['dev', 'create', 'lazy', '--idle-minutes', '0']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining('--idle-minutes takes a whole number from 1 to 1440, not 0'),
    ]);
    const created = await aiplat([
      'dev',
      'create',
      'lazy',
      '--ides',
      'jupyterlab',
      '--cpu',
      '1',
      '--idle-minutes',
      '45',
      '--idle-cpu',
      '10',
    ]);
    expect(created.code).toBe(0);
    await expect.poll(async () => (await machineNamed('lazy')).state, { timeout: 60_000 }).toBe('Running');
    expect((await machineNamed('lazy')).spec.idlePolicy).toMatchObject({
      forMinutes: 45,
      thresholds: { cpuPercent: 10 },
    });
    const idle = await aiplat(['dev', 'idle', 'lazy']);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toMatch(/^(Idle since \S+: stops at \S+ if it stays idle\.|Not idle: kept up by .+\.)\n/);
    expect(idle.stdout).toMatch(/SIGNAL\s+VALUE\s+COUNTS\s+IDLE/);
    expect(idle.stdout).toMatch(/terminals\s+0\s+yes\s+yes/);
    expect(idle.stdout).toMatch(/cpu\s+\S+%\s+yes/);
    expect((await aiplat(['dev', 'stop', 'lazy', '--force'])).code).toBe(0);
    await expect.poll(async () => (await machineNamed('lazy')).state, { timeout: 30_000 }).toBe('Stopped');
    expect((await aiplat(['dev', 'idle', 'lazy'])).stdout).toBe('Not running.\n');
  }, 120_000);

  it('says what is wrong: an unknown machine, a bad option, a bad spec', async () => {
    const unknown = await aiplat(['dev', 'start', 'nowhere']);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no dev machine nowhere of yours')]);
    const badOption = await aiplat(['dev', 'create', 'x', '--accelerator', 'lots']);
    expect([badOption.code, badOption.stderr]).toEqual([2, expect.stringContaining('--accelerator takes type:count')]);
    const badSpec = await aiplat(['dev', 'create', 'x', '--memory', 'a lot', '--no-start']);
    expect(badSpec.code).toBe(1);
    expect(badSpec.stderr).toMatch(/memory/);
  });
});
