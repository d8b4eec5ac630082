import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Config } from './config.js';
import { TokenAuthenticator } from './server/auth.js';
import { sessionIdOf } from './sessions/cookies.js';
import { fromThisSite, safeForState } from './sessions/sameOrigin.js';
import type { SessionStore } from './sessions/sessionStore.js';
import type { Store } from './store/store.js';

export interface PlatformUser {
  name: string;
  token: string;
}

/** Configured users, or the default user with a token generated once and kept in the store. */
export function resolveUsers(config: Config, store: Store): { users: PlatformUser[]; generated: boolean } {
  if (config.users.length > 0) return { users: [...config.users], generated: false };
  const key = `token:${config.defaultUser}`;
  let token = store.getSetting(key);
  if (!token) {
    token = randomBytes(24).toString('base64url');
    store.setSetting(key, token);
  }
  return { users: [{ name: config.defaultUser, token }], generated: true };
}

/**
 * Who the platform's user of a request is, for what is served beside the API (the services
 * gateway, the API's browser sessions): a platform bearer token (digests compared in constant
 * time), or a browser session, which counts only for requests from a page of this server (no
 * cross-site request or navigation acts as the signed-in user).
 */
export function platformCredentials(
  users: readonly PlatformUser[],
  sessions: Pick<SessionStore, 'lookup'>,
  allowedOrigins: readonly string[],
): {
  browserUser(req: http.IncomingMessage): string | undefined;
  platformUser(req: http.IncomingMessage): string | undefined;
} {
  const tokens = new TokenAuthenticator(users);
  const browserUser = (req: http.IncomingMessage): string | undefined => {
    const name = sessions.lookup(sessionIdOf(req));
    return name !== undefined && safeForState(req, allowedOrigins) && fromThisSite(req, allowedOrigins)
      ? name
      : undefined;
  };
  return {
    browserUser,
    platformUser: (req) => {
      const token = TokenAuthenticator.bearerToken(req.headers.authorization);
      return token ? tokens.authenticate(token)?.name : browserUser(req);
    },
  };
}
