import { beforeEach, describe, expect, it, vi } from 'vitest';
import { askDevMachineSpec } from '../devmachines/devMachineFlow.js';
import { versionInput } from '../services/serviceVersionSpec.js';
import { versionStepPrompt } from '../services/serviceVersionSteps.js';
import { anImage } from '../test/imageFakes.js';
import { fake } from '../test/vscodeFake.js';
import { askJobSpec } from '../training/trainingFlow.js';
import { imageOfAnswers, imageStepPrompt, imagesToOffer, OTHER_IMAGE } from './imagePick.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

const saved = anImage({ sizeBytes: 2 * 1024 * 1024 });
const preset = anImage({
  id: 'im-00000000000f',
  ref: 'registry.example.com/aiplat/devbox:1',
  source: 'preset',
  description: 'The platform dev machine image',
});
const images = [saved, preset];
const noCheck = () => undefined;

describe('the image step of the flows', () => {
  it('offers no image first, then the images with their source and size, then another reference', () => {
    const prompt = imageStepPrompt({ images, prompt: 'Container image', validate: noCheck });
    expect(prompt.kind).toBe('pick');
    if (prompt.kind !== 'pick') return;
    expect(prompt.placeholder).toBe('Container image');
    expect(prompt.items.map((item) => [item.label, item.description, item.value])).toEqual([
      ['No image', "the engine's default", ''],
      [saved.ref, 'Saved by you · 2.0 MiB', saved.ref],
      [preset.ref, 'Presets', preset.ref],
      ['Enter another image reference…', undefined, OTHER_IMAGE],
    ]);
    expect(prompt.items[2]?.detail).toBe('The platform dev machine image');
  });

  it('puts the current image first: listed, or as "current" when it is not in the list', () => {
    const listed = imageStepPrompt({ images, current: preset.ref, prompt: 'p', validate: noCheck });
    const other = imageStepPrompt({ images, current: 'torch:2.4', prompt: 'p', validate: noCheck });
    if (listed.kind !== 'pick' || other.kind !== 'pick') throw new Error('not picks');
    expect(listed.items.map((item) => item.label)).toEqual([
      preset.ref,
      'No image',
      saved.ref,
      'Enter another image reference…',
    ]);
    expect(other.items.map((item) => [item.label, item.description])[0]).toEqual(['torch:2.4', 'current']);
  });

  it('stays a box, as before, when there is no image to offer', () => {
    expect(imageStepPrompt({ images: [], current: 'torch:2', prompt: 'Image', validate: noCheck })).toMatchObject({
      kind: 'input',
      prompt: 'Image',
      initial: 'torch:2',
    });
  });

  it('reads the chosen image, or the typed one after "Enter another…"', () => {
    expect(imageOfAnswers({ image: preset.ref })).toBe(preset.ref);
    expect(imageOfAnswers({ image: '' })).toBe('');
    expect(imageOfAnswers({ image: OTHER_IMAGE, imageRef: ' torch:2.4 ' })).toBe('torch:2.4');
    expect(imageOfAnswers({})).toBe('');
  });

  it('offers no image when the list cannot be read', async () => {
    await expect(imagesToOffer({ listImages: () => Promise.reject(new Error('away')) })).resolves.toEqual([]);
    await expect(imagesToOffer({ listImages: () => Promise.resolve({ images }) })).resolves.toEqual(images);
  });

  it('Create Dev Machine: a preset picked from the list', async () => {
    fake.quickPickAnswers.push('JupyterLab', 'none', preset.ref, '5', 'No');
    fake.inputBoxAnswers.push('box', '1', '2Gi', 'default', 'home', '', '', '');
    const spec = await askDevMachineSpec('Create Dev Machine', {}, images);
    expect(spec?.image).toBe(preset.ref);
    const pick = fake.quickPicks.find((p) => p.placeHolder?.startsWith('Container image'));
    expect(pick).toMatchObject({ step: 6, totalSteps: 13 });
    expect(pick?.labels[0]).toBe('No image');
  });

  it('Start Training: another reference typed after "Enter another image reference…", checked there', async () => {
    fake.quickPickAnswers.push('ddp', 'none', 'Enter another image reference…', '5', 'Server default');
    fake.inputBoxAnswers.push('job', 'python train.py', '1', '1', '2Gi', '  ', 'tf:2.15', 'default', 'home');
    const spec = await askJobSpec({}, images);
    expect(spec && 'image' in spec ? spec.image : undefined).toBe('tf:2.15');
    const ref = fake.inputBoxes.find((box) => box.prompt?.startsWith('Image reference'));
    expect(ref).toMatchObject({ step: 9, totalSteps: 13 });
    expect(fake.inputBoxAnswers).toEqual([]); // the blank reference was refused, tf:2.15 typed next
  });

  it('a service version: the pick, and the typed reference checked by the contract', () => {
    const prompt = versionStepPrompt('imageRef', { images });
    if (prompt.kind !== 'input') throw new Error('not a box');
    expect(prompt.validate?.('')).toBe('Type an image reference, or go back to choose one');
    expect(prompt.validate?.('not an image!')).toMatch(/image/);
    expect(prompt.validate?.('serve:1')).toBeUndefined();
    expect(versionStepPrompt('image', { images, currentImage: 'serve:1' })).toMatchObject({
      kind: 'pick',
      items: expect.arrayContaining([expect.objectContaining({ label: 'serve:1', description: 'current' })]),
    });
    expect(versionInput({ image: OTHER_IMAGE, imageRef: 'serve:2', cpu: '1', memory: '1Gi' }).image).toBe('serve:2');
  });
});
