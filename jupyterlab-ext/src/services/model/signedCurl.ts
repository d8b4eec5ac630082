import { appKeySignature, servicePathUrl, signedCurlCommand, type AppKey } from '@aiplat/api';

/*
 * A ready-to-paste curl call of a service signed the 慧聚 way: `Sign` computed here from the
 * AppKey, the AppSecret the user pasted (never stored, never sent) and the timestamp.
 */

export interface SignedCurlInput {
  /** The service's full URL through the gateway (ends with `/`). */
  serviceUrl: string;
  /** A path under the service, e.g. `/predict`. */
  path: string;
  appKey: string;
  appSecret: string;
  /** JSON body; a GET-style call without one when empty. */
  body: string;
  /** Unix epoch milliseconds; the gateway accepts it for a few minutes (its window). */
  now: number;
}

export async function signedCurl(input: SignedCurlInput): Promise<string> {
  const timestamp = String(Math.floor(input.now));
  const sign = await appKeySignature(input.appKey, input.appSecret, timestamp);
  const path = input.path.startsWith('/') ? input.path : `/${input.path}`;
  return signedCurlCommand({
    url: servicePathUrl(input.serviceUrl, path),
    appKey: input.appKey,
    timestamp,
    sign,
    ...(input.body.trim() ? { body: input.body.trim() } : {}),
  });
}

/**
 * The AppKeys a signed curl may use: only enabled ones (the gateway refuses a disabled key's
 * calls), with the one picked, or the first when the picked one is not offered.
 */
export type CurlAppKeys =
  { kind: 'none' } | { kind: 'all-disabled' } | { kind: 'offered'; keys: readonly AppKey[]; chosen: string };

export function curlAppKeys(bound: readonly AppKey[], picked: string): CurlAppKeys {
  if (bound.length === 0) return { kind: 'none' };
  const keys = bound.filter((k) => k.enabled);
  const first = keys[0];
  if (!first) return { kind: 'all-disabled' };
  return { kind: 'offered', keys, chosen: keys.some((k) => k.appKey === picked) ? picked : first.appKey };
}
