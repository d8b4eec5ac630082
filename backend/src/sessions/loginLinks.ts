import { digestOf, looksLikeSecret, newSecret } from './digest.js';
import { isLocalPath } from './nextPath.js';

export interface LoginLinksOptions {
  ttlMs?: number;
  now?: () => number;
}

interface Ticket {
  user: string;
  next: string;
  expiresAt: number;
}

const MAX_OPEN_TICKETS = 10_000;

/**
 * One-time login links (`/login?ticket=…`), as `npm start` prints and `aiplat dev open` gives: a
 * ticket opens one browser session for its user, once, within its lifetime (10 minutes), then
 * sends the browser to `next`. Tickets are kept only as digests.
 */
export class LoginLinks {
  private readonly tickets = new Map<string, Ticket>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: LoginLinksOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  issue(user: string, next: string, ttlMs = this.ttlMs): { path: string; expiresAt: string } {
    if (!isLocalPath(next))
      throw new Error(`next must be a path on this server such as /devmachines/…; got ${JSON.stringify(next)}`);
    this.sweep();
    const { secret, digest } = newSecret();
    const expiresAt = this.now() + ttlMs;
    this.tickets.set(digest, { user, next, expiresAt });
    return { path: `/login?ticket=${secret}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The user and destination of a ticket, once; undefined for an unknown, used, expired or malformed one. */
  redeem(ticket: unknown): { user: string; next: string } | undefined {
    if (!looksLikeSecret(ticket)) return undefined;
    const digest = digestOf(ticket);
    const found = this.tickets.get(digest);
    if (!found) return undefined;
    this.tickets.delete(digest);
    if (found.expiresAt <= this.now() || !isLocalPath(found.next)) return undefined;
    return { user: found.user, next: found.next };
  }

  /** How many tickets are open (for tests: they are kept as digests only). */
  get digests(): readonly string[] {
    return [...this.tickets.keys()];
  }

  private sweep(): void {
    const now = this.now();
    for (const [digest, ticket] of this.tickets) if (ticket.expiresAt <= now) this.tickets.delete(digest);
    while (this.tickets.size >= MAX_OPEN_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
  }
}
