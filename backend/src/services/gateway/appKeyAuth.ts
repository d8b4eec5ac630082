import { createHmac, timingSafeEqual } from 'node:crypto';
import { appKeySignatureMessage, type GatewayAuthReason } from '@aiplat/api';
import type { GatewayDirectory } from './directory.js';

/**
 * Signatures seen inside the time window: a replayed (AppKey, Timestamp, Sign) is refused. An entry
 * lives until its Timestamp leaves the window (after that the Timestamp alone refuses it), so memory
 * is bounded by the calls of one window; past `maxEntries` the oldest are dropped.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private sweptAt = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 1_000_000,
  ) {}

  /** True the first time a signature of a call signed at `signedAtMs` is seen inside the window. */
  firstUse(key: string, nowMs: number, signedAtMs = nowMs): boolean {
    if (nowMs - this.sweptAt > this.windowMs / 4) this.sweep(nowMs);
    const expires = this.seen.get(key);
    if (expires !== undefined && expires >= nowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, signedAtMs + this.windowMs);
    if (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(nowMs: number): void {
    this.sweptAt = nowMs;
    for (const [key, expires] of this.seen) if (expires < nowMs) this.seen.delete(key);
  }
}

export function appKeySign(appKey: string, appSecret: string, timestamp: string): string {
  return createHmac('sha1', appSecret)
    .update(appKeySignatureMessage(appKey, appSecret, timestamp), 'utf8')
    .digest('hex');
}

export type AppKeyVerdict = { ok: true; appKey: string } | { ok: false; reason: GatewayAuthReason; message: string };

/** A signature that checks out, before the replay check: the Sign and its Timestamp. */
export type SignedCall = { ok: true; appKey: string; sign: string; signedAtMs: number };

/** Why a signature is refused. */
export type AppKeyRefusal = Extract<AppKeyVerdict, { ok: false }>;

/** A signature seen inside the window, by this cache or a shared one (the data plane's). */
export const REPLAYED_SIGNATURE: AppKeyRefusal = {
  ok: false,
  reason: 'replayed_signature',
  message: 'this signature was already used; sign each call with a new Timestamp',
};

/**
 * 慧聚's scheme: headers AppKey, Timestamp (Unix ms), Sign = lowercase hex HMAC-SHA1 keyed with
 * AppSecret over AppKey + AppSecret + Timestamp. The Sign is compared in constant time.
 */
export function verifyAppKey(
  headers: { appKey: string; timestamp?: string; sign?: string },
  service: string,
  directory: Pick<GatewayDirectory, 'appKey'>,
  replays: ReplayCache,
  windowMs: number,
  nowMs: number,
): AppKeyVerdict {
  const signed = checkAppKeySignature(headers, service, directory, windowMs, nowMs);
  if (!signed.ok) return signed;
  const { appKey, sign, signedAtMs } = signed;
  if (!replays.firstUse(`${appKey}\n${signedAtMs}\n${sign}`, nowMs, signedAtMs)) return REPLAYED_SIGNATURE;
  return { ok: true, appKey };
}

/** Everything `verifyAppKey` checks but the replay: the key, its services, the window and the Sign. */
export function checkAppKeySignature(
  headers: { appKey: string; timestamp?: string; sign?: string },
  service: string,
  directory: Pick<GatewayDirectory, 'appKey'>,
  windowMs: number,
  nowMs: number,
): SignedCall | AppKeyRefusal {
  const { appKey, timestamp, sign } = headers;
  const key = directory.appKey(appKey);
  if (!key) return { ok: false, reason: 'unknown_app_key', message: `no AppKey ${appKey.slice(0, 40)}` };
  if (!key.enabled) return { ok: false, reason: 'app_key_disabled', message: `AppKey ${appKey} is disabled` };
  if (!key.services.includes(service)) {
    return { ok: false, reason: 'app_key_not_bound', message: `AppKey ${appKey} may not call ${service}` };
  }
  if (!timestamp || !/^\d{1,16}$/.test(timestamp)) {
    return {
      ok: false,
      reason: 'bad_timestamp',
      message: 'Timestamp must be Unix epoch milliseconds, e.g. 1733400000000',
    };
  }
  if (Math.abs(nowMs - Number(timestamp)) > windowMs) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: `Timestamp is more than ${Math.round(windowMs / 1000)} s from the server's clock; sign again with the current time`,
    };
  }
  const expected = Buffer.from(appKeySign(appKey, key.secret, timestamp), 'utf8');
  const given = Buffer.from(sign ?? '', 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'Sign does not match: HMAC-SHA1(AppSecret, AppKey + AppSecret + Timestamp), lowercase hex',
    };
  }
  return { ok: true, appKey, sign: sign!, signedAtMs: Number(timestamp) };
}
