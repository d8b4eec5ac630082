import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from './config.js';
import { platformCredentials, resolveUsers } from './platformUsers.js';
import { SESSION_COOKIE } from './proxy/proxyCore.js';
import { SqliteStore } from './store/sqliteStore.js';

/* Who a request's platform user is, beside the API: a platform token, or a same-site browser session. */

const USERS = [{ name: 'alice', token: 'alice-token-0123456789abcdef' }];
const sessions = { lookup: (id: unknown) => (id === 'session-1' ? 'alice' : undefined) };
const request = (headers: http.IncomingHttpHeaders, method = 'GET') =>
  ({ method, headers: { host: 'platform.test:8080', ...headers } }) as http.IncomingMessage;
const cookie = `${SESSION_COOKIE}=session-1`;

describe('platformCredentials', () => {
  const { platformUser, browserUser } = platformCredentials(USERS, sessions, ['http://ide.test:8888']);

  it('knows a platform token, and no token that only starts or ends like one', () => {
    expect(platformUser(request({ authorization: `Bearer ${USERS[0]!.token}` }))).toBe('alice');
    expect(platformUser(request({ authorization: `Bearer ${USERS[0]!.token}x` }))).toBeUndefined();
    expect(platformUser(request({ authorization: 'Bearer alice-token' }))).toBeUndefined();
    // A wrong token is not made up for by a session.
    expect(platformUser(request({ authorization: 'Bearer nope', cookie, origin: 'http://platform.test:8080' }))).toBe(
      undefined,
    );
  });

  it('takes a session only from a page of this server or an allowed origin', () => {
    expect(platformUser(request({ cookie, origin: 'http://platform.test:8080' }))).toBe('alice');
    expect(platformUser(request({ cookie, referer: 'http://platform.test:8080/lab' }))).toBe('alice');
    expect(platformUser(request({ cookie, origin: 'http://ide.test:8888' }, 'POST'))).toBe('alice');
    expect(platformUser(request({ cookie, origin: 'https://evil.example' }))).toBeUndefined();
    expect(platformUser(request({ cookie, 'sec-fetch-site': 'cross-site' }))).toBeUndefined();
    expect(browserUser(request({ cookie, referer: 'https://evil.example/' }, 'POST'))).toBeUndefined();
    expect(browserUser(request({ origin: 'http://platform.test:8080' }))).toBeUndefined();
  });
});

describe('resolveUsers', () => {
  it('generates the default user’s token once and keeps it', () => {
    const store = new SqliteStore(':memory:');
    try {
      const config = ConfigSchema.parse({});
      const first = resolveUsers(config, store);
      expect(first.generated).toBe(true);
      expect(first.users).toEqual([{ name: 'dev', token: expect.stringMatching(/^[\w-]{32}$/) }]);
      expect(resolveUsers(config, store).users).toEqual(first.users);
      expect(resolveUsers(ConfigSchema.parse({ users: USERS }), store)).toEqual({ users: USERS, generated: false });
    } finally {
      store.close();
    }
  });
});
