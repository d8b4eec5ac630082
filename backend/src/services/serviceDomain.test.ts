import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { selfSignedPair, type TlsPairPem } from '../../../testing/src/services/selfSignedPair.js';
import { SqliteStore } from '../store/sqliteStore.js';
import { checkDomain } from './serviceDomain.js';

/* A service's own domain as the core checks it before keeping it: its host, and its TLS pair. */

let store: SqliteStore;
let chat: TlsPairPem;
let other: TlsPairPem;

beforeAll(() => {
  store = new SqliteStore(':memory:');
  chat = selfSignedPair('chat.example.test');
  other = selfSignedPair('other.example.test');
});
afterAll(() => store.close());

const check = (domain: Parameters<typeof checkDomain>[0], httpsServed = true) => {
  try {
    checkDomain(domain, {
      store: store.services,
      policy: { httpsServed, platformHosts: ['aiplat.example.test', '10.0.0.5'] },
      at: 'body.spec.domain',
    });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
};

describe('checkDomain', () => {
  it.each([
    ['aiplat.example.test', "the platform's own name"],
    ['localhost', "the platform's own name"],
    ['127.0.0.1', 'a DNS name, not an address'],
    ['10.0.0.5', 'a DNS name, not an address'],
  ])('refuses %s, which would take calls meant for the platform', (host, issue) => {
    const error = check({ host });
    expect(error?.issues).toEqual([{ path: 'body.spec.domain.host', message: issue }]);
    expect(error?.status).toBe(400);
  });

  it('takes a pair that parses, belongs together and names the host', () => {
    expect(check({ host: 'chat.example.test', tls: chat })).toBeUndefined();
    expect(check({ host: 'chat.example.test' }, false)).toBeUndefined();
  });

  it('refuses TLS when the server serves no HTTPS, naming the setting', () => {
    const error = check({ host: 'chat.example.test', tls: chat }, false);
    expect(error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('services.httpsPort') });
    expect(error?.issues).toEqual([
      { path: 'body.spec.domain.tls', message: expect.stringContaining('services.httpsPort') },
    ]);
  });

  it('names the field of a pair that does not parse or does not belong together', () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const badCertificate = check({ host: 'chat.example.test', tls: { ...chat, certificate: garbage } });
    expect(badCertificate?.message).toMatch(/^domain\.tls\.certificate is not a PEM X\.509 certificate/);
    expect(badCertificate?.issues?.[0]?.path).toBe('body.spec.domain.tls.certificate');
    const badKey = check({
      host: 'chat.example.test',
      tls: { ...chat, privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' },
    });
    expect(badKey?.message).toMatch(/^domain\.tls\.privateKey is not a PEM private key/);
    expect(badKey?.issues?.[0]?.path).toBe('body.spec.domain.tls.privateKey');
    const mismatched = check({ host: 'chat.example.test', tls: { ...chat, privateKey: other.privateKey } });
    expect(mismatched?.message).toContain('is not the key of domain.tls.certificate');
    expect(mismatched?.issues?.[0]).toEqual({
      path: 'body.spec.domain.tls.privateKey',
      message: 'does not match the certificate',
    });
  });

  it('refuses a certificate for another host, saying which names it has', () => {
    const error = check({ host: 'chat.example.test', tls: other });
    expect(error?.message).toContain('is not for chat.example.test (it names DNS:other.example.test)');
    expect(error?.issues?.[0]?.path).toBe('body.spec.domain.tls.certificate');
  });
});
