import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@aiplat/api';
import {
  DEFAULT_IMAGE_TAG,
  repositoryFromName,
  repositoryProblem,
  saveFieldProblems,
  tagProblem,
} from './imageNames.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

describe('image names', () => {
  it.each(['alice/torch-env', 'torch', 'a.b_c/d--e/f9', 'team/sub/x'])('takes the repository %s', (repository) => {
    expect(repositoryProblem(repository)).toBeUndefined();
  });

  it.each([
    ['Alice/torch', /lowercase/],
    ['torch env', /lowercase/],
    ['/torch', /lowercase/],
    ['torch/', /lowercase/],
    ['-torch', /lowercase/],
    ['', /lowercase/],
    ['a'.repeat(256), /longer than 255/],
  ])('refuses the repository %s with the API’s sentence', (repository, message) => {
    expect(repositoryProblem(repository)).toMatch(message);
  });

  it.each([DEFAULT_IMAGE_TAG, 'V1.0', '2024-12-05', '_x', 'a'.repeat(128)])('takes the tag %s', (tag) => {
    expect(tagProblem(tag)).toBeUndefined();
  });

  it.each(['', '.v1', '-v1', 'v 1', 'v1:2', 'a'.repeat(129)])('refuses the tag "%s"', (tag) => {
    expect(tagProblem(tag)).toMatch(/^tag must be letters, digits/);
  });

  it.each([
    ['torch-box', 'torch-box'],
    ['My_Box 2', 'my_box-2'],
    ['  GPU  box!! ', 'gpu-box'],
    ['a-.b', 'a.b'],
    ['x__y', 'x_y'],
    ['---', ''],
    ['中文', ''],
  ])('prefills the repository of a dev machine named %j as %j', (name, repository) => {
    expect(repositoryFromName(name)).toBe(repository);
    if (repository) expect(repositoryProblem(repository)).toBeUndefined();
  });

  it('reads what a 400 says of each typed field, and nothing from other errors', () => {
    const refused = new ApiError('validation_failed', 'refused', {
      issues: [
        { path: 'body.tag', message: 'tag must be letters' },
        { path: 'repository', message: 'repository is reserved' },
        { path: 'body.tag', message: 'and short' },
        { path: 'body.excludes.0', message: 'one line' },
      ],
    });
    expect(saveFieldProblems(refused)).toEqual({
      tag: 'tag must be letters; and short',
      repository: 'repository is reserved',
    });
    expect(
      saveFieldProblems(new ApiError('validation_failed', 'x', { issues: [{ path: 'body', message: 'm' }] })),
    ).toBe(undefined);
    expect(saveFieldProblems(new ApiError('conflict', 'box is Stopped'))).toBeUndefined();
    expect(saveFieldProblems(new Error('x'))).toBeUndefined();
  });
});
