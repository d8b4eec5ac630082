import { ApiError, type EventMessage, type ImageSave, type ImageSavePreview } from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { fieldOfPath, ImageSaveModel, repositoryFromName, saveFraction } from './imageSaveModel.js';

const MACHINE = { id: 'dm-1', name: 'Torch_Box' };

const PREVIEW: ImageSavePreview = {
  bytes: 3 * 1024 * 1024,
  files: 12,
  entries: 15,
  added: 10,
  modified: 2,
  replaced: 0,
  deleted: 1,
  largestDirectories: [{ path: '/usr/lib/python3/dist-packages', bytes: 3_000_000, files: 10 }],
  skipped: [{ path: '/root/.cache/pip', reason: 'exclude', detail: '/root/.cache/pip' }],
  excludes: [{ pattern: '/root/.cache/pip', reason: 'pip cache' }],
};

function saveOf(patch: Partial<ImageSave> = {}): ImageSave {
  return {
    id: 'is-0123456789ab',
    owner: 'alice',
    devMachineId: MACHINE.id,
    ref: 'registry.test/alice/torch-box:v1',
    state: 'Scanning',
    startedAt: '2026-12-05T21:00:00Z',
    progress: { bytes: 0, files: 0, totalBytes: PREVIEW.bytes, totalFiles: PREVIEW.files },
    ...patch,
  };
}

/** A connection whose `image-saves` events the test sends, with a client that records its calls. */
function fakeConnection(client: Record<string, (...args: never[]) => Promise<unknown>>) {
  const handlers = new Map<string, (event: EventMessage) => void>();
  const calls: [string, unknown][] = [];
  const recorded = Object.fromEntries(
    Object.entries(client).map(([name, fn]) => [
      name,
      (args: unknown) => {
        calls.push([name, args]);
        return fn(args as never);
      },
    ]),
  );
  const raw = {
    state: { status: 'connected' } as { status: string },
    stateChanged: new Signal<unknown, unknown>({}),
    client: recorded,
    events: {
      subscribe: (topic: string, handler: (event: EventMessage) => void) => {
        handlers.set(topic, handler);
        return () => handlers.delete(topic);
      },
    },
  };
  const send = (save: ImageSave) =>
    handlers.get('image-saves')?.({ type: 'event', topic: 'image-saves', kind: 'image-saves', data: save });
  const reconnect = () => {
    raw.state = { status: 'connected' };
    raw.stateChanged.emit(raw.state);
  };
  return { connection: raw as unknown as IConnectionModel, calls, send, handlers, reconnect };
}

describe('saving a dev machine as an image', () => {
  it('names the repository after the machine, tag v1, and checks the fields as typed with the API’s rules', () => {
    const fake = fakeConnection({});
    const form = new ImageSaveModel(fake.connection, MACHINE);
    expect(form.values).toMatchObject({ repository: 'torch-box', tag: 'v1' });
    expect(form.errors.size).toBe(0);
    form.update({ repository: 'Alice/Torch' });
    expect([...form.errors.keys()]).toEqual(['repository']);
    expect(form.errors.get('repository')?.[0]).toMatch(/lowercase/);
    form.update({ repository: 'alice/torch', tag: '-v1' });
    expect([...form.errors.keys()]).toEqual(['tag']);
    form.update({ tag: 'v1.2_rc' });
    expect(form.errors.size).toBe(0);
    form.update({ comment: '  pip installs ', excludes: '/root/.cache\n\n  /var/cache/apt  ' });
    expect(form.body()).toEqual({
      repository: 'alice/torch',
      tag: 'v1.2_rc',
      comment: 'pip installs',
      excludes: ['/root/.cache', '/var/cache/apt'],
    });
    expect(repositoryFromName('--My__Box 2--')).toBe('my-box-2');
    expect(repositoryFromName('__')).toBe('environment');
    expect(fieldOfPath('body.tag')).toBe('tag');
    expect(fieldOfPath('excludes.3')).toBe('excludes');
  });

  it('previews, saves, follows the topic to Succeeded and gives the saved reference', async () => {
    const fake = fakeConnection({
      previewImageSave: () => Promise.resolve(PREVIEW),
      saveImage: () => Promise.resolve(saveOf()),
    });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    expect(form.step).toBe('form');
    expect(await form.loadPreview()).toBe(true);
    expect(form.step).toBe('preview');
    expect(form.preview?.deleted).toBe(1);
    expect(fake.calls[0]).toEqual(['previewImageSave', { params: { id: 'dm-1' }, body: {} }]);
    expect(await form.start()).toBe(true);
    expect(fake.calls[1]).toEqual([
      'saveImage',
      { params: { id: 'dm-1' }, body: { repository: 'torch-box', tag: 'v1' } },
    ]);
    expect(form.step).toBe('saving');
    fake.send(
      saveOf({ state: 'Pushing', progress: { bytes: PREVIEW.bytes / 2, files: 6, totalBytes: PREVIEW.bytes } }),
    );
    expect(form.save?.state).toBe('Pushing');
    expect(saveFraction(form.save!)).toBe(0.5);
    fake.send(saveOf({ id: 'is-ffffffffffff', state: 'Failed' }));
    fake.send(saveOf({ devMachineId: 'dm-other', state: 'Failed' }));
    expect(form.step).toBe('saving');
    const image = {
      id: 'im-0123456789ab',
      ref: 'registry.test/alice/torch-box:v1',
      source: 'saved' as const,
      owner: 'alice',
      createdAt: '2026-12-05T21:01:00Z',
    };
    fake.send(saveOf({ state: 'Succeeded', progress: { bytes: PREVIEW.bytes, files: 12 }, image }));
    expect(form.step).toBe('ended');
    expect(form.savedRef).toBe(image.ref);
    // An ended save stays ended, whatever comes after.
    fake.send(saveOf({ state: 'Pushing' }));
    expect(form.save?.state).toBe('Succeeded');
  });

  it('keeps an event that came before the save’s answer', async () => {
    let answer: (save: ImageSave) => void = () => {};
    const fake = fakeConnection({
      saveImage: () => new Promise<ImageSave>((resolve) => (answer = resolve)),
    });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    const started = form.start();
    fake.send(saveOf({ state: 'Pushing', progress: { bytes: 10, files: 1 } }));
    answer(saveOf());
    expect(await started).toBe(true);
    expect(form.save?.state).toBe('Pushing');
  });

  it('ends Failed with the message, and goes back to the form to try again', async () => {
    const fake = fakeConnection({ saveImage: () => Promise.resolve(saveOf()) });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    await form.start();
    fake.send(saveOf({ state: 'Failed', error: 'registry.test refused the login of alice' }));
    expect(form.step).toBe('ended');
    expect(form.save?.error).toMatch(/refused the login/);
    expect(form.savedRef).toBeUndefined();
    form.edit();
    expect(form.step).toBe('form');
  });

  it('cancels: asks the server, then shows Cancelled', async () => {
    const fake = fakeConnection({
      saveImage: () => Promise.resolve(saveOf({ state: 'Pushing' })),
      cancelImageSave: () => Promise.resolve(saveOf({ state: 'Cancelled', endedAt: '2026-12-05T21:02:00Z' })),
    });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    await form.start();
    form.edit(); // not while it runs
    expect(form.step).toBe('saving');
    await form.cancel();
    expect(fake.calls.at(-1)).toEqual(['cancelImageSave', { params: { id: 'is-0123456789ab' } }]);
    expect(form.step).toBe('ended');
    expect(form.save?.state).toBe('Cancelled');
  });

  it('shows the API’s 409 above the button and its 400 at the field', async () => {
    let refusal: ApiError = new ApiError('conflict', 'box is Stopped: start it to save it as an image');
    const fake = fakeConnection({
      previewImageSave: () => Promise.reject(refusal),
      saveImage: () => Promise.reject(refusal),
    });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    expect(await form.loadPreview()).toBe(false);
    expect(form.step).toBe('form');
    expect(form.generalErrors).toEqual(['box is Stopped: start it to save it as an image']);
    refusal = new ApiError('validation_failed', 'invalid', {
      issues: [{ path: 'body.tag', message: 'tag is taken' }],
    });
    expect(await form.start()).toBe(false);
    expect(form.errors.get('tag')).toEqual(['tag is taken']);
    expect(form.generalErrors).toEqual([]);
  });

  it('reads the save again when the connection comes back, and lets go on dispose', async () => {
    const fake = fakeConnection({
      saveImage: () => Promise.resolve(saveOf()),
      listImageSaves: () => Promise.resolve({ saves: [saveOf({ state: 'Succeeded' })] }),
    });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    await form.start();
    fake.reconnect();
    await new Promise((resolve) => setImmediate(resolve));
    expect(form.save?.state).toBe('Succeeded');
    form.dispose();
    expect(fake.handlers.size).toBe(0);
  });

  it('follows a save of the machine that still runs when opened again', async () => {
    const fake = fakeConnection({
      listImageSaves: () =>
        Promise.resolve({
          saves: [
            saveOf({ id: 'is-000000000001', state: 'Failed' }),
            saveOf({ id: 'is-000000000002', devMachineId: 'dm-other', state: 'Pushing' }),
            saveOf({ id: 'is-000000000003', state: 'Pushing' }),
          ],
        }),
    });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    await new Promise((resolve) => setImmediate(resolve));
    expect(form.step).toBe('saving');
    expect(form.save?.id).toBe('is-000000000003');
    fake.send(saveOf({ id: 'is-000000000003', state: 'Cancelled' }));
    expect(form.step).toBe('ended');
  });

  it('goes back from the preview with its exclude patterns to change them', async () => {
    const fake = fakeConnection({ previewImageSave: () => Promise.resolve(PREVIEW) });
    const form = new ImageSaveModel(fake.connection, MACHINE);
    await form.loadPreview();
    form.editExcludes();
    expect(form.step).toBe('form');
    expect(form.values.excludes).toBe('/root/.cache/pip');
    expect(form.body().excludes).toEqual(['/root/.cache/pip']);
  });
});
