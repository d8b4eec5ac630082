import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './auth.js';

describe('parseWwwAuthenticate', () => {
  it('reads a bearer challenge with quoted parameters', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
  });

  it('reads a basic challenge and refuses unknown schemes', () => {
    expect(parseWwwAuthenticate('Basic realm="registry"')).toEqual({ scheme: 'basic', params: { realm: 'registry' } });
    expect(parseWwwAuthenticate('Negotiate abc')).toBeUndefined();
    expect(parseWwwAuthenticate(null)).toBeUndefined();
  });
});
