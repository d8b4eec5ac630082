import type { ImageSavePreview } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { previewDetail, previewHeadline } from './imageSavePreview.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const preview: ImageSavePreview = {
  bytes: 157_286_400,
  files: 12_345,
  entries: 12_400,
  added: 12_000,
  modified: 300,
  replaced: 2,
  deleted: 43,
  largestDirectories: [
    { path: '/usr/local/lib/python3.11/site-packages/torch', bytes: 104_857_600, files: 9000 },
    { path: '/root/models', bytes: 20_971_520, files: 3 },
  ],
  skipped: [
    { path: '/proc', reason: 'system', detail: 'proc' },
    { path: '/work', reason: 'mount', detail: 'fuse.aiplat' },
    { path: '/root/.cache/pip', reason: 'exclude', detail: '/root/.cache/pip' },
    { path: '/run/app.sock', reason: 'socket', detail: '' },
  ],
  excludes: [{ pattern: '/root/.cache/pip', reason: "pip's download cache" }, { pattern: '*.pyc' }],
};

describe('the preview of a save', () => {
  it('heads with the size, the files and what changed (a replaced folder counts as modified)', () => {
    expect(previewHeadline(preview)).toBe('150.0 MiB in 12,345 files: 12,000 added, 302 modified, 43 deleted');
  });

  it('lists the largest folders, the excludes in force on one line and the paths left out with why', () => {
    expect(previewDetail(preview).split('\n')).toEqual([
      '150.0 MiB in 12,345 files: 12,000 added, 302 modified, 43 deleted',
      '',
      'Largest folders:',
      '  /usr/local/lib/python3.11/site-packages/torch  100.0 MiB · 9,000 files',
      '  /root/models  20.0 MiB · 3 files',
      '',
      'Excluded by pattern: /root/.cache/pip, *.pyc',
      '',
      'Left out:',
      '  /proc (system folder: proc)',
      '  /work (mounted: fuse.aiplat)',
      '  /root/.cache/pip (excluded: /root/.cache/pip)',
      '  /run/app.sock (socket)',
    ]);
  });

  it('says when there is nothing to save, and how many more paths are left out than shown', () => {
    const skipped = Array.from({ length: 11 }, (_, i) => ({
      path: `/mnt/m${i}`,
      reason: 'mount' as const,
      detail: 'nfs',
    }));
    const empty: ImageSavePreview = {
      ...preview,
      bytes: 0,
      files: 0,
      entries: 0,
      added: 0,
      modified: 0,
      replaced: 0,
      deleted: 0,
      largestDirectories: [],
      excludes: [],
      skipped,
    };
    const lines = previewDetail(empty).split('\n');
    expect(lines[0]).toBe('0 B in 0 files: 0 added, 0 modified, 0 deleted');
    expect(lines.filter((line) => line.startsWith('  /mnt/'))).toHaveLength(5);
    expect(lines).toContain('  and 6 more');
    expect(lines.at(-1)).toBe('Nothing changed since the dev machine started: the image would be its base image.');
  });
});
