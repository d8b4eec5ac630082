import { createHash } from 'node:crypto';
import type http from 'node:http';
import { checkAppKeySignature, REPLAYED_SIGNATURE, ReplayCache, verifyAppKey, type SignedCall } from './appKeyAuth.js';
import type { GatewayDirectory, GatewayService } from './directory.js';
import { header, unauthorized, unavailable, type Refusal } from './replies.js';
import type { SharedGatewayState } from './sharedState.js';

/** Who is calling a service, once the gateway let them in. */
export interface Caller {
  kind: 'appkey' | 'token' | 'owner' | 'anyone';
  /** A bearer token's id and its LLM token limits. */
  tokenId?: string;
  limits?: { tokensPerMinute?: number; tokensPerDay?: number };
}

/**
 * Lets a call in by any of the service's auth kinds: 慧聚 AppKey signatures, TI-ONE bearer tokens
 * (looked up by their SHA-256), the service's owner signed in to the platform (the IDEs' test
 * panels), or anyone for `none`. Refusals carry a reason code from GATEWAY_AUTH_REASONS.
 */
export class CallerAuth {
  private readonly replays: ReplayCache;
  private readonly windowMs: number;
  /** SHA-256 of recent bearer texts: a hash per call is most of a token check's time. */
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly deps: {
      directory: GatewayDirectory;
      signatureWindowSeconds: number;
      platformUser?: (req: http.IncomingMessage) => string | undefined;
      /** A data plane's replay cache, used instead of this one's. */
      shared?: SharedGatewayState;
      now: () => number;
    },
  ) {
    this.windowMs = deps.signatureWindowSeconds * 1000;
    this.replays = new ReplayCache(this.windowMs);
  }

  /** Sync but for AppKey calls checked against a data plane's replay cache. */
  authenticate(req: http.IncomingMessage, service: GatewayService): Caller | Refusal | Promise<Caller | Refusal> {
    const auth = service.auth;
    if (auth.includes('none')) return { kind: 'anyone' };
    const appKey = header(req, 'appkey');
    if (appKey && auth.includes('appkey')) {
      const now = this.deps.now();
      const headers = { appKey, timestamp: header(req, 'timestamp'), sign: header(req, 'sign') };
      const shared = this.deps.shared;
      if (shared?.started) {
        const signed = checkAppKeySignature(headers, service.name, this.deps.directory, this.windowMs, now);
        if (!signed.ok) return unauthorized(signed.reason, signed.message);
        return this.firstUseShared(shared, signed, now);
      }
      const verdict = verifyAppKey(headers, service.name, this.deps.directory, this.replays, this.windowMs, now);
      if (!verdict.ok) return unauthorized(verdict.reason, verdict.message);
      this.deps.directory.appKeyUsed(appKey, now);
      return { kind: 'appkey' };
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    if (bearer && auth.includes('token')) {
      const token = this.deps.directory.tokenByHash(this.hashOf(bearer));
      if (token && token.service === service.name) {
        if (!token.enabled) return unauthorized('token_disabled', `this token of ${service.name} is disabled`);
        return { kind: 'token', tokenId: token.id, limits: token };
      }
    }
    // The owner, signed in to the platform (its bearer token or session cookie), may call their own service.
    if (this.deps.platformUser?.(req) === service.owner) return { kind: 'owner' };
    if (bearer && auth.includes('token')) return unauthorized('unknown_token', `no such token for ${service.name}`);
    const ways = auth.map((kind) =>
      kind === 'appkey' ? 'AppKey, Timestamp and Sign headers' : 'Authorization: Bearer <token>',
    );
    return unauthorized('missing_credentials', `call ${service.name} with ${ways.join(' or ')}`);
  }

  private async firstUseShared(shared: SharedGatewayState, signed: SignedCall, now: number): Promise<Caller | Refusal> {
    let first: boolean;
    try {
      first = await shared.firstUse(signed.appKey, signed.signedAtMs);
    } catch {
      return unavailable('the gateway cannot check signatures for replays right now; try again', 1);
    }
    if (!first) return unauthorized(REPLAYED_SIGNATURE.reason, REPLAYED_SIGNATURE.message);
    this.deps.directory.appKeyUsed(signed.appKey, now);
    return { kind: 'appkey' };
  }

  private hashOf(bearer: string): string {
    let hash = this.hashes.get(bearer);
    if (hash === undefined) {
      hash = createHash('sha256').update(bearer).digest('hex');
      if (bearer.length > 256) return hash; // not one of ours: not kept
      if (this.hashes.size >= 4096) this.hashes.clear();
      this.hashes.set(bearer, hash);
    }
    return hash;
  }
}
