import { ApiError, DevMachineSpecSchema, type DevMachine } from '@aiplat/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionService } from '../connection/connectionService.js';
import { createDevMachinesModel } from '../devmachines/devMachinesModel.js';
import { createImagesModel } from '../images/imagesModel.js';
import { aSave, anImage, fakeSaveEvents, FakeImageApi } from '../test/imageFakes.js';
import { commands, fake } from '../test/vscodeFake.js';
import { CommandIds } from './commandIds.js';
import { registerSaveImageCommands } from './saveImageCommands.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

function machine(state: DevMachine['state'], name = 'Torch Box'): DevMachine {
  return {
    id: `dm-${name.length}${state.toLowerCase()}`,
    owner: 'alice',
    spec: DevMachineSpecSchema.parse({
      name: name.replace(/ /g, '-'),
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '1Gi' },
      image: 'registry.example.com/aiplat/devbox:1',
    }),
    state,
    createdAt: '2026-12-05T09:00:00.000Z',
    urls: {},
  };
}

/** The command registered over the fake image API and a fake event source; the machines listed are `machines`. */
function setUp(machines: DevMachine[] = []) {
  fake.reset();
  const api = new FakeImageApi();
  const client = Object.assign(api.asClient(), {
    listDevMachines: () => Promise.resolve({ devMachines: machines }),
  });
  const live = fakeSaveEvents();
  const connection = { client } as unknown as ConnectionService;
  const devMachines = createDevMachinesModel({ client: () => client, events: live.events });
  const images = createImagesModel({ client: () => client, events: live.events });
  const registered = registerSaveImageCommands({
    connection,
    devMachines,
    images,
    events: live.events,
    pollIntervalMs: 5,
  });
  return {
    api,
    live,
    images,
    dispose: () => {
      for (const d of registered) d.dispose();
      devMachines.dispose();
      images.dispose();
    },
  };
}

let current: ReturnType<typeof setUp> | undefined;
beforeEach(() => (current = undefined));
afterEach(() => current?.dispose());

/** Waits until the save's progress notification is up (the command awaits it). */
async function progressShown(title: string) {
  await vi.waitFor(() => expect(fake.progressRuns.find((run) => run.title === title)).toBeDefined());
  return fake.progressRuns.find((run) => run.title === title)!;
}

describe('Save Environment as Image…', () => {
  it('asks name, tag and comment, shows the preview, then the progress from the topic, ending with the reference to copy', async () => {
    current = setUp();
    const { api, live, images } = current;
    const running = machine('Running');
    fake.inputBoxAnswers.push('alice/torch-box', 'v2', 'torch 2.4 and my data tools');
    fake.messageAnswers.push('Save', 'Copy Reference');
    const started = aSave({ ref: '127.0.0.1:5000/alice/torch-box:v2', progress: { totalBytes: 2048, totalFiles: 2 } });
    api.started = started;

    const done = commands.executeCommand(CommandIds.saveDevMachineAsImage, { kind: 'machine', machine: running });
    const run = await progressShown('Saving 127.0.0.1:5000/alice/torch-box:v2');

    // The three boxes: repository prefilled from the name, tag v1, the comment empty.
    expect(fake.inputBoxes.map((box) => [box.title, box.value])).toEqual([
      ['Save Torch-Box as Image', 'torch-box'],
      ['Save Torch-Box as Image', 'v1'],
      ['Save Torch-Box as Image', ''],
    ]);
    expect(fake.progressTitles[0]).toBe('Reading what Torch-Box would save…');
    const confirm = fake.messages[0]!;
    expect(confirm.text).toBe('Save Torch-Box as alice/torch-box:v2?');
    expect(confirm.items).toEqual(['Save']);
    expect(confirm.detail?.split('\n')).toEqual([
      '2.0 KiB in 2 files: 1 added, 1 modified, 1 deleted',
      '',
      'Largest folders:',
      '  /root  2.0 KiB · 2 files',
      '',
      'Excluded by pattern: /root/.cache/pip',
      '',
      'Left out:',
      '  /work (mounted: fuse)',
    ]);
    expect(api.calls.find((c) => c.route === 'saveImage')?.input).toEqual({
      params: { id: running.id },
      body: { repository: 'alice/torch-box', tag: 'v2', comment: 'torch 2.4 and my data tools' },
    });

    live.confirm();
    const pushing = { ...started, state: 'Pushing' as const };
    live.push({ ...pushing, progress: { ...started.progress, bytes: 1024, files: 1 } });
    const image = anImage({ ref: started.ref });
    live.push({ ...pushing, state: 'Succeeded', progress: { ...started.progress, bytes: 2048, files: 2 }, image });
    await done;

    expect(run.cancellable).toBe(true);
    expect(run.reports).toEqual([
      { message: 'Scanning the changes…' },
      { message: 'Pushing 1.0 KiB of 2.0 KiB · 1 of 2 files', increment: 50 },
      { message: 'Saved 127.0.0.1:5000/alice/torch-box:v2', increment: 50 },
    ]);
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'info', text: 'Saved 127.0.0.1:5000/alice/torch-box:v2' });
    expect(fake.clipboard).toBe('127.0.0.1:5000/alice/torch-box:v2');
    expect(images.find(image.id)?.ref).toBe(started.ref);
    expect(live.count()).toBe(1); // only the images model's subscription is left
  });

  it('follows the save by polling when there is no live connection, and shows its error', async () => {
    current = setUp();
    const { api } = current;
    fake.inputBoxAnswers.push('box', 'v1', '');
    fake.messageAnswers.push('Save');
    const done = commands.executeCommand(CommandIds.saveDevMachineAsImage, {
      kind: 'machine',
      machine: machine('Running'),
    });
    await progressShown('Saving 127.0.0.1:5000/alice/box:v1');
    api.record(aSave({ state: 'Failed', error: 'the registry refused the login for alice: check images.registry' }));
    await done;
    expect(fake.messages.at(-1)).toEqual({
      severity: 'error',
      text: '127.0.0.1:5000/alice/box:v1 was not saved: the registry refused the login for alice: check images.registry',
      items: [],
    });
  });

  it('cancels the save from the notification', async () => {
    current = setUp();
    const { api, live } = current;
    fake.inputBoxAnswers.push('box', 'v1', '');
    fake.messageAnswers.push('Save');
    const done = commands.executeCommand(CommandIds.saveDevMachineAsImage, {
      kind: 'machine',
      machine: machine('Running'),
    });
    const run = await progressShown('Saving 127.0.0.1:5000/alice/box:v1');
    live.confirm();
    run.cancel();
    await done;
    expect(api.calls.filter((c) => c.route === 'cancelImageSave')).toEqual([
      { route: 'cancelImageSave', input: { params: { id: 'is-0123456789ab' } } },
    ]);
    expect(run.reports.at(-1)).toEqual({ message: 'Cancelled', increment: 100 });
    expect(fake.messages.at(-1)?.text).toBe(
      'Saving 127.0.0.1:5000/alice/box:v1 was cancelled; nothing was left in the registry.',
    );
  });

  it("shows the server's sentence when the machine cannot be saved (not in a container), and saves nothing", async () => {
    current = setUp();
    const { api } = current;
    api.preview = new ApiError(
      'conflict',
      'lab-box runs as processes on the server, not in a container: only a container dev machine can be saved as an image',
    );
    fake.inputBoxAnswers.push('lab-box', 'v1', '');
    await commands.executeCommand(CommandIds.saveDevMachineAsImage, { kind: 'machine', machine: machine('Running') });
    expect(fake.messages).toEqual([
      {
        severity: 'error',
        text: 'Torch-Box (dm-9running) cannot be saved as an image: lab-box runs as processes on the server, not in a container: only a container dev machine can be saved as an image',
        items: [],
      },
    ]);
    expect(api.calls.some((c) => c.route === 'saveImage')).toBe(false);
  });

  it('saves nothing when the preview is not confirmed, or a box is cancelled', async () => {
    current = setUp();
    const { api } = current;
    fake.inputBoxAnswers.push('box', 'v1', '');
    await commands.executeCommand(CommandIds.saveDevMachineAsImage, { kind: 'machine', machine: machine('Running') });
    fake.inputBoxAnswers.push('box', undefined);
    await commands.executeCommand(CommandIds.saveDevMachineAsImage, { kind: 'machine', machine: machine('Running') });
    expect(api.calls.map((c) => c.route)).toEqual(['previewImageSave']);
  });

  it('offers only running dev machines from the palette', async () => {
    const running = machine('Running', 'gpu box');
    current = setUp([machine('Stopped'), running]);
    fake.quickPickAnswers.push(undefined);
    await commands.executeCommand(CommandIds.saveDevMachineAsImage);
    expect(fake.quickPicks.at(-1)?.labels).toEqual([`gpu-box (${running.id})`]);
  });

  it("asks again after a 400, the server's sentence on the field it names until that value changes", async () => {
    current = setUp();
    const { api } = current;
    const refusal = new ApiError('validation_failed', 'refused', {
      issues: [{ path: 'body.repository', message: 'repository alice/box is reserved for the platform' }],
    });
    const save = api.saveImage;
    api.saveImage = (input) =>
      api.calls.some((c) => c.route === 'saveImage')
        ? save(input)
        : (api.calls.push({ route: 'saveImage', input }), Promise.reject(refusal));
    api.started = aSave({ ref: '127.0.0.1:5000/alice/box2:v1' });
    fake.inputBoxAnswers.push('alice/box', 'v1', 'first', 'alice/box2', 'v1', 'first');
    fake.messageAnswers.push('Save', 'Save');
    const done = commands.executeCommand(CommandIds.saveDevMachineAsImage, {
      kind: 'machine',
      machine: machine('Running'),
    });
    await progressShown('Saving 127.0.0.1:5000/alice/box2:v1');

    // The boxes again with the values sent; the repository's box says what the server said of it.
    expect(fake.inputBoxes.map((box) => box.value)).toEqual(['torch-box', 'v1', '', 'alice/box', 'v1', 'first']);
    const again = fake.inputBoxes[3]!;
    expect(again.validateInput?.('alice/box')).toBe('repository alice/box is reserved for the platform');
    expect(again.validateInput?.('alice/box2')).toBeUndefined();
    expect(again.validateInput?.('Alice')).toMatch(/lowercase/);
    expect(fake.inputBoxes[4]?.validateInput?.('v1')).toBeUndefined();
    expect(api.calls.filter((c) => c.route === 'saveImage').map((c) => c.input)).toEqual([
      { params: { id: 'dm-9running' }, body: { repository: 'alice/box', tag: 'v1', comment: 'first' } },
      { params: { id: 'dm-9running' }, body: { repository: 'alice/box2', tag: 'v1', comment: 'first' } },
    ]);
    current.live.confirm();
    current.live.push(aSave({ ref: '127.0.0.1:5000/alice/box2:v1', state: 'Succeeded' }));
    await done;
  });
});
