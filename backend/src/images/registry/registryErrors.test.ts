import { describe, expect, it } from 'vitest';
import {
  errorForResponse,
  RegistryAuthError,
  RegistryProtocolError,
  RegistryQuotaError,
  unreachableError,
} from './registryErrors.js';

const body = (code: string, message: string): string => JSON.stringify({ errors: [{ code, message, detail: {} }] });

describe('errorForResponse', () => {
  it('413, SIZE_INVALID and a DENIED about quota are quota errors that say what to do', () => {
    expect(errorForResponse('r.example', 'upload a layer', 413, '')).toBeInstanceOf(RegistryQuotaError);
    expect(errorForResponse('r.example', 'upload a layer', 400, body('SIZE_INVALID', 'bad size'))).toBeInstanceOf(
      RegistryQuotaError,
    );
    const denied = errorForResponse('r.example', 'upload a layer', 403, body('DENIED', 'storage quota exceeded'));
    expect(denied).toBeInstanceOf(RegistryQuotaError);
    expect(denied.message).toMatch(/DENIED: storage quota exceeded.*raise the limit/);
    expect(denied.details).toEqual([{ code: 'DENIED', message: 'storage quota exceeded' }]);
  });

  it('a 403 DENIED otherwise is an auth error naming the registry', () => {
    const error = errorForResponse(
      'r.example',
      'push to team/app',
      403,
      body('DENIED', 'requested access to the resource is denied'),
    );
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect(error.message).toMatch(/^wrong credentials for r\.example, or no permission to push to team\/app/);
  });

  it('anything else is a protocol error with the registry’s own words', () => {
    const error = errorForResponse('r.example', 'put the manifest', 400, body('MANIFEST_INVALID', 'manifest invalid'));
    expect(error).toBeInstanceOf(RegistryProtocolError);
    expect(error.message).toBe('r.example failed to put the manifest: MANIFEST_INVALID: manifest invalid');
  });
});

describe('unreachableError', () => {
  it('spells out fetch’s cause', () => {
    const cause = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    expect(unreachableError('nowhere.invalid', new TypeError('fetch failed', { cause })).message).toBe(
      'cannot reach nowhere.invalid: getaddrinfo ENOTFOUND nowhere.invalid',
    );
  });
});
