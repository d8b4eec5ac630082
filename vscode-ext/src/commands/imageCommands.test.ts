import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionService } from '../connection/connectionService.js';
import { createImagesModel } from '../images/imagesModel.js';
import { anImage, fakeSaveEvents, FakeImageApi } from '../test/imageFakes.js';
import { commands, fake } from '../test/vscodeFake.js';
import { CommandIds } from './commandIds.js';
import { registerImageCommands, shareHoursProblem } from './imageCommands.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const saved = anImage();
const shared = anImage({ id: 'im-000000000003', ref: '127.0.0.1:5000/bob/env:v1', source: 'shared' });
const preset = anImage({ id: 'im-000000000004', ref: 'registry.example.com/aiplat/devbox:1', source: 'preset' });

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

async function setUp() {
  fake.reset();
  const api = new FakeImageApi();
  api.images = [saved, shared, preset];
  const connection = { client: api.asClient() } as unknown as ConnectionService;
  const images = createImagesModel({ client: () => api.asClient(), events: fakeSaveEvents().events });
  await images.refresh();
  const registered = registerImageCommands({ connection, images });
  dispose = () => {
    for (const d of registered) d.dispose();
    images.dispose();
  };
  return { api, images };
}

describe('image commands', () => {
  it('copies an image reference', async () => {
    await setUp();
    await commands.executeCommand(CommandIds.copyImageReference, { kind: 'image', image: preset });
    expect(fake.clipboard).toBe(preset.ref);
  });

  it('shares a saved image: the expiry asked, the token shown once with a button to copy it', async () => {
    const { api } = await setUp();
    fake.inputBoxAnswers.push('24');
    fake.messageAnswers.push('Copy Token');
    await commands.executeCommand(CommandIds.shareImage, { kind: 'image', image: saved });
    expect(api.calls.find((c) => c.route === 'shareImage')?.input).toEqual({
      params: { id: saved.id },
      body: { expiresInHours: 24 },
    });
    const [shown] = fake.messages;
    expect(shown?.text).toBe(`Share token for ${saved.ref}`);
    expect(shown?.items).toEqual(['Copy Token']);
    expect(shown?.detail).toMatch(/^aiplat-img-secret\n\nCopy it now: it will not be shown again\. It works until /);
    expect(fake.clipboard).toBe('aiplat-img-secret');

    // No expiry: an empty answer; from the palette only saved images are offered.
    fake.inputBoxAnswers.push('');
    fake.quickPickAnswers.push(saved.ref);
    await commands.executeCommand(CommandIds.shareImage);
    expect(fake.quickPicks.at(-1)?.labels).toEqual([saved.ref]);
    expect(api.calls.filter((c) => c.route === 'shareImage').at(-1)?.input).toEqual({
      params: { id: saved.id },
      body: {},
    });
    expect(fake.messages.at(-1)?.detail).toContain('It works until you delete the image.');
  });

  it.each([
    ['', undefined],
    ['1', undefined],
    ['8760', undefined],
    ['0', 'A whole number of hours from 1 to 8760, or empty for no expiry'],
    ['8761', 'A whole number of hours from 1 to 8760, or empty for no expiry'],
    ['1.5', 'A whole number of hours from 1 to 8760, or empty for no expiry'],
  ])('takes %j as the hours of a share: %s', (hours, problem) => {
    expect(shareHoursProblem(hours)).toBe(problem);
  });

  it('deletes a saved image after asking, and removes a shared one from the list', async () => {
    const { api, images } = await setUp();
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteImage, { kind: 'image', image: saved });
    expect(fake.messages[0]).toEqual({
      severity: 'warning',
      text: `Delete ${saved.ref}? It is deleted from the registry, and users you shared it with lose it too.`,
      items: ['Delete'],
    });
    expect(images.find(saved.id)).toBeUndefined();

    fake.messageAnswers.push(undefined);
    await commands.executeCommand(CommandIds.deleteImage, shared.id);
    expect(fake.messages[1]?.text).toBe(
      `Remove ${shared.ref} from your list? The image stays with the user who shared it.`,
    );
    expect(fake.messages[1]?.items).toEqual(['Remove']);
    expect(images.find(shared.id)).toBeDefined();
    expect(api.calls.filter((c) => c.route === 'deleteImage')).toHaveLength(1);

    // The palette never offers a preset to delete.
    fake.quickPickAnswers.push(undefined);
    await commands.executeCommand(CommandIds.deleteImage);
    expect(fake.quickPicks.at(-1)?.labels).toEqual([shared.ref]);
  });

  it('adds a shared image by its token, and says why a token is refused', async () => {
    const { images } = await setUp();
    fake.inputBoxAnswers.push('  aiplat-img-good ');
    await commands.executeCommand(CommandIds.addSharedImage);
    expect(images.find('im-000000000002')?.ref).toBe('127.0.0.1:5000/bob/env:v2');
    expect(fake.messages.at(-1)?.text).toBe(
      'Added 127.0.0.1:5000/bob/env:v2 to your images: choose it wherever an image is asked for.',
    );

    fake.inputBoxAnswers.push('aiplat-img-wrong');
    await commands.executeCommand(CommandIds.addSharedImage);
    expect(fake.messages.at(-1)).toEqual({
      severity: 'error',
      text: 'The image was not added. Not found: no image is shared with this token',
      items: [],
    });
  });
});
