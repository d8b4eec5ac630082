import { describe, expect, it } from 'vitest';
import { formatImageReference, InvalidImageReferenceError, parseImageReference } from './references.js';

describe('parseImageReference', () => {
  it('reads the registry, repository, tag and digest', () => {
    expect(parseImageReference('127.0.0.1:5000/team/app:v1', 'r.example')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      tag: 'v1',
    });
    expect(parseImageReference(`localhost/app@sha256:${'a'.repeat(64)}`, 'r.example')).toEqual({
      registry: 'localhost',
      repository: 'app',
      digest: `sha256:${'a'.repeat(64)}`,
    });
  });

  it('puts a reference without a registry on the default one, tag latest', () => {
    expect(parseImageReference('team/app', 'r.example:443')).toEqual({
      registry: 'r.example:443',
      repository: 'team/app',
      tag: 'latest',
    });
    expect(formatImageReference(parseImageReference('app:1', 'r.example'))).toBe('r.example/app:1');
  });

  it('refuses uppercase repositories and bad tags, saying what is wrong', () => {
    expect(() => parseImageReference('Team/App:v1', 'r')).toThrow(InvalidImageReferenceError);
    expect(() => parseImageReference('app:bad/tag!', 'r')).toThrow(/is not an image reference/);
  });
});
