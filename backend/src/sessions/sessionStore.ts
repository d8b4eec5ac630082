import { digestOf, looksLikeSecret, newSecret } from './digest.js';

export interface SessionStoreOptions {
  /** A session unused this long ends (sliding). */
  idleMs?: number;
  /** A session ends this long after it began, used or not. */
  maxAgeMs?: number;
  maxPerUser?: number;
  now?: () => number;
}

interface Session {
  user: string;
  createdAt: number;
  lastSeen: number;
}

/**
 * Browser sessions of the platform's users, kept in memory as digests of their ids: a backend
 * restart logs browsers out (a new login link logs them in again), which keeps no session secret
 * on disk.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxPerUser: number;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.idleMs = options.idleMs ?? 12 * 3_600_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3_600_000;
    this.maxPerUser = options.maxPerUser ?? 50;
    this.now = options.now ?? Date.now;
  }

  /** A new session; its id goes into the cookie and nowhere else. */
  create(user: string): { id: string; maxAgeSeconds: number } {
    const mine = [...this.sessions].filter(([, session]) => session.user === user);
    for (const [digest] of mine.slice(0, Math.max(0, mine.length - this.maxPerUser + 1))) this.sessions.delete(digest);
    const { secret, digest } = newSecret();
    const now = this.now();
    this.sessions.set(digest, { user, createdAt: now, lastSeen: now });
    return { id: secret, maxAgeSeconds: Math.floor(this.maxAgeMs / 1000) };
  }

  /** The user of a live session (and it is used now), or undefined. */
  lookup(id: unknown): string | undefined {
    if (!looksLikeSecret(id)) return undefined;
    const digest = digestOf(id);
    const session = this.sessions.get(digest);
    if (!session) return undefined;
    const now = this.now();
    if (now - session.lastSeen >= this.idleMs || now - session.createdAt >= this.maxAgeMs) {
      this.sessions.delete(digest);
      return undefined;
    }
    session.lastSeen = now;
    return session.user;
  }

  revoke(id: unknown): void {
    if (looksLikeSecret(id)) this.sessions.delete(digestOf(id));
  }

  revokeUser(user: string): void {
    for (const [digest, session] of this.sessions) if (session.user === user) this.sessions.delete(digest);
  }

  /** The digests kept (for tests: never the ids themselves). */
  get digests(): readonly string[] {
    return [...this.sessions.keys()];
  }
}
