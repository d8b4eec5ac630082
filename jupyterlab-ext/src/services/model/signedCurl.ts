import { appKeySignature, servicePathUrl, signedCurlCommand } from '@aiplat/api';

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
