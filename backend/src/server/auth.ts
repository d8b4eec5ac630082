import { createHash, timingSafeEqual } from 'node:crypto';
import type { User } from './handlers.js';

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Maps bearer tokens to users; compares digests in constant time. */
export class TokenAuthenticator {
  private readonly entries: { digest: Buffer; user: User }[];

  constructor(users: readonly { name: string; token: string }[]) {
    this.entries = users.map((u) => ({ digest: digest(u.token), user: { name: u.name } }));
  }

  authenticate(token: string | undefined): User | undefined {
    if (!token) return undefined;
    const candidate = digest(token);
    let found: User | undefined;
    // Compare against every entry so timing does not tell which one matched.
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate)) found = entry.user;
    }
    return found;
  }

  /** `Authorization: Bearer <token>` → token. */
  static bearerToken(header: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    return match?.[1];
  }
}
