import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner } from '../../../testing/src/backend/cliRunner.js';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';
import { eventFile } from '../../../testing/src/tensorboard/tfeventsWriter.js';

const STAND_IN = fileURLToPath(new URL('../../../testing/src/tensorboard/bin/tensorboard', import.meta.url));
const FILE = 'events.out.tfevents.1700000000.host';

let fx: PlatformFixture;
let aiplat: ReturnType<typeof cliRunner>;

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false }, tensorboard: { command: STAND_IN } });
  aiplat = cliRunner(fx);
  const runs = path.join(fx.workRoot, 'home', 'alice', 'runs');
  await mkdir(path.join(runs, 'a'), { recursive: true });
  await writeFile(
    path.join(runs, 'a', FILE),
    eventFile([
      { tag: 'loss', step: 1, value: 0.5 },
      { tag: 'loss', step: 2, value: 0.25 },
      { tag: 'accuracy', step: 2, value: 0.75 },
    ]),
  );
}, 60_000);
afterAll(() => fx?.close(), 30_000);

describe('aiplat scalars and aiplat tensorboard', () => {
  it("prints each tag's last value, filtered by tag, or as JSON", async () => {
    const all = await aiplat(['scalars', 'home/runs']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/RUN\s+TAG\s+STEP\s+VALUE\s+POINTS/);
    expect(all.stdout).toMatch(/a\s+accuracy\s+2\s+0\.75\s+1/);
    expect(all.stdout).toMatch(/a\s+loss\s+2\s+0\.25\s+2/);
    const loss = await aiplat(['scalars', '/work/home/runs', '--tag', '^loss$']);
    expect(loss.stdout).not.toContain('accuracy');
    const json = await aiplat(['scalars', 'home/runs', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ path: 'home/runs', runs: [{ name: 'a' }] });
    const none = await aiplat(['scalars', 'no-such-job']);
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining('no job or folder no-such-job of yours')]);
  });

  it('opens a TensorBoard with a one-time link, lists it and stops it', async () => {
    const opened = await aiplat(['tensorboard', 'open', 'home/runs']);
    expect(opened.code, opened.stderr).toBe(0);
    const link = opened.stdout.trim();
    expect(link).toMatch(new RegExp(`^${fx.baseUrl}/login\\?ticket=`));
    const landed = await fetch(link, { redirect: 'manual' });
    expect(landed.headers.get('location')).toMatch(/^\/tensorboard\/tb-[a-z0-9]+\/$/);
    const page = await fetch(fx.baseUrl + landed.headers.get('location')!, {
      headers: { cookie: landed.headers.get('set-cookie')!.split(';')[0]! },
    });
    expect(await page.text()).toContain('<title>TensorBoard</title>');

    const listed = await aiplat(['tensorboard', 'list']);
    const id = /(tb-[a-z0-9]+)\s+home\/runs\s+Running/.exec(listed.stdout)?.[1];
    expect(id, listed.stdout).toBeDefined();
    const stopped = await aiplat(['tensorboard', 'stop', id!]);
    expect(stopped.stdout).toBe(`${id}: Stopped\n`);
  }, 60_000);
});
