import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { withoutCookie } from '../proxy/proxyCore.js';
import { LoginLinks } from './loginLinks.js';
import { isLocalPath } from './nextPath.js';
import { fromThisSite, safeForState } from './sameOrigin.js';
import { SessionStore } from './sessionStore.js';

const request = (method: string, headers: Record<string, string>) =>
  ({ method, headers: { host: 'platform.example:8080', ...headers } }) as unknown as http.IncomingMessage;

describe('login links', () => {
  it('open once, within their lifetime, and are kept as digests only', () => {
    let now = 1_000;
    const links = new LoginLinks({ ttlMs: 60_000, now: () => now });
    const { path } = links.issue('alice', '/devmachines/dm-abcdef/lab/');
    const ticket = new URL(path, 'http://x').searchParams.get('ticket')!;
    expect(links.digests).toHaveLength(1);
    expect(links.digests[0]).not.toBe(ticket);
    expect(links.redeem(ticket)).toEqual({ user: 'alice', next: '/devmachines/dm-abcdef/lab/' });
    expect(links.redeem(ticket)).toBeUndefined();

    const late = new URL(links.issue('alice', '/').path, 'http://x').searchParams.get('ticket')!;
    now += 60_000;
    expect(links.redeem(late)).toBeUndefined();
    expect(links.redeem('not a ticket')).toBeUndefined();
    expect(links.redeem(undefined)).toBeUndefined();
  });

  it('send browsers only to paths on this server', () => {
    for (const next of ['/', '/devmachines/dm-1/lab/?reset', '/a/b']) expect(isLocalPath(next), next).toBe(true);
    for (const next of [
      '//evil.example/',
      'https://evil.example/',
      '/\\evil.example',
      'relative',
      '/a\u0000b',
      '/a\nb',
    ])
      expect(isLocalPath(next), JSON.stringify(next)).toBe(false);
    expect(() => new LoginLinks().issue('alice', '//evil.example')).toThrow(/path on this server/);
  });
});

describe('sessions', () => {
  it('end when idle and at their absolute age, and for a user at once', () => {
    let now = 0;
    const sessions = new SessionStore({ idleMs: 1_000, maxAgeMs: 5_000, now: () => now });
    const { id } = sessions.create('alice');
    expect(sessions.digests).not.toContain(id);
    for (now = 900; now <= 4_500; now += 900) expect(sessions.lookup(id)).toBe('alice');
    now = 5_000;
    expect(sessions.lookup(id)).toBeUndefined();

    now = 0;
    const idle = sessions.create('alice').id;
    now = 1_000;
    expect(sessions.lookup(idle)).toBeUndefined();

    const a = sessions.create('alice').id;
    const b = sessions.create('bob').id;
    sessions.revokeUser('alice');
    expect([sessions.lookup(a), sessions.lookup(b)]).toEqual([undefined, 'bob']);
  });

  it('keep at most so many per user, dropping the oldest', () => {
    const sessions = new SessionStore({ maxPerUser: 2 });
    const [first, second, third] = [1, 2, 3].map(() => sessions.create('alice').id);
    expect([first, second, third].map((id) => sessions.lookup(id))).toEqual([undefined, 'alice', 'alice']);
  });
});

describe('same-site checks', () => {
  it('let GET through, and other methods only from a page of this server', () => {
    expect(safeForState(request('GET', { origin: 'https://evil.example' }))).toBe(true);
    expect(safeForState(request('POST', { origin: 'http://platform.example:8080' }))).toBe(true);
    expect(safeForState(request('POST', { origin: 'https://evil.example' }))).toBe(false);
    expect(safeForState(request('POST', { referer: 'http://platform.example:8080/devmachines/x/lab/' }))).toBe(true);
    expect(safeForState(request('POST', {}))).toBe(false);
    expect(safeForState(request('POST', { origin: 'https://trusted.example' }), ['https://trusted.example'])).toBe(
      true,
    );
    expect(fromThisSite(request('GET', { origin: 'null' }))).toBe(false);
  });

  it('keep the platform’s session cookie away from an upstream', () => {
    expect(withoutCookie('a=1; aiplat_session=secret; _xsrf=2', 'aiplat_session')).toBe('a=1; _xsrf=2');
    expect(withoutCookie('aiplat_session=secret', 'aiplat_session')).toBeUndefined();
  });
});
