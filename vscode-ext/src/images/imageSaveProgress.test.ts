import type { ImageSave } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { ImageSaveTracker, isSaveFinished, savePercent, saveProgressText } from './imageSaveProgress.js';
import { aSave } from '../test/imageFakes.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const MiB = 1024 * 1024;

describe('the progress of a save', () => {
  it('says what each state is doing', () => {
    expect(saveProgressText(aSave())).toBe('Scanning the changes…');
    expect(
      saveProgressText(
        aSave({ state: 'Pushing', progress: { bytes: 3 * MiB, files: 1200, totalBytes: 12 * MiB, totalFiles: 5000 } }),
      ),
    ).toBe('Pushing 3.0 MiB of 12.0 MiB · 1,200 of 5,000 files');
    expect(saveProgressText(aSave({ state: 'Pushing', progress: { bytes: 512, files: 3 } }))).toBe(
      'Pushing 512 B · 3 files',
    );
    expect(saveProgressText(aSave({ state: 'Succeeded' }))).toBe('Saved 127.0.0.1:5000/alice/box:v1');
    expect(saveProgressText(aSave({ state: 'Failed', error: 'registry unreachable' }))).toBe(
      'Failed: registry unreachable',
    );
    expect(saveProgressText(aSave({ state: 'Cancelled' }))).toBe('Cancelled');
  });

  it('fills the bar with the bytes pushed of the total, full only once over', () => {
    expect(savePercent(aSave())).toBe(0);
    expect(savePercent(aSave({ state: 'Pushing', progress: { bytes: 5, files: 0 } }))).toBe(0);
    expect(savePercent(aSave({ state: 'Pushing', progress: { bytes: 50, files: 0, totalBytes: 200 } }))).toBe(25);
    expect(savePercent(aSave({ state: 'Pushing', progress: { bytes: 300, files: 0, totalBytes: 200 } }))).toBe(99);
    expect(savePercent(aSave({ state: 'Failed' }))).toBe(100);
    expect(['Succeeded', 'Failed', 'Cancelled'].every((s) => isSaveFinished(s as ImageSave['state']))).toBe(true);
    expect(isSaveFinished('Pushing')).toBe(false);
  });

  it('moves the bar by increments, drops late, repeated and foreign updates, and stays over once over', () => {
    const tracker = new ImageSaveTracker(aSave());
    expect(tracker.start()).toEqual({ message: 'Scanning the changes…' });
    const pushing = (bytes: number) =>
      aSave({ state: 'Pushing', progress: { bytes, files: 1, totalBytes: 100, totalFiles: 2 } });

    expect(tracker.update(pushing(40))).toEqual({
      message: 'Pushing 40 B of 100 B · 1 of 2 files',
      increment: 40,
    });
    expect(tracker.update(pushing(30))).toBeUndefined(); // older than what was shown
    expect(tracker.update(aSave())).toBeUndefined(); // an earlier state
    expect(tracker.update({ ...pushing(90), id: 'is-ffffffffffff' })).toBeUndefined(); // another save
    expect(tracker.update(pushing(70))?.increment).toBe(30);
    expect(tracker.update(pushing(70))).toBeUndefined(); // the same again (a poll)
    expect(
      tracker.update({ ...pushing(70), progress: { bytes: 70, files: 2, totalBytes: 100, totalFiles: 2 } }),
    ).toEqual({
      message: 'Pushing 70 B of 100 B · 2 of 2 files',
    });
    expect(tracker.finished).toBe(false);

    expect(tracker.update(aSave({ state: 'Succeeded', progress: { bytes: 100, files: 2 } }))).toEqual({
      message: 'Saved 127.0.0.1:5000/alice/box:v1',
      increment: 30,
    });
    expect(tracker.finished).toBe(true);
    expect(tracker.update(aSave({ state: 'Failed' }))).toBeUndefined();
    expect(tracker.save.state).toBe('Succeeded');
  });

  it('starts from a save that is already over (a cancel answered at once)', () => {
    const tracker = new ImageSaveTracker(aSave({ state: 'Cancelled' }));
    expect(tracker.finished).toBe(true);
    expect(tracker.start()).toEqual({ message: 'Cancelled', increment: 100 });
  });
});
