import { LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS } from '@aiplat/api';

/** A lifecycle script's size as the API counts it: the characters of its base64 form. */
export interface ScriptSize {
  /** Characters once base64-encoded (UTF-8 bytes, 4 characters per 3 bytes, padded). */
  encoded: number;
  limit: number;
  /** Above the limit: the server refuses it, so the form does not send it. */
  over: boolean;
}

/** The length of `encodeLifecycleScript(text)`, without building it. */
export function encodedLength(text: string): number {
  return 4 * Math.ceil(new TextEncoder().encode(text).length / 3);
}

export function scriptSize(text: string, limit: number = LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS): ScriptSize {
  const encoded = encodedLength(text);
  return { encoded, limit, over: encoded > limit };
}

const COUNT = new Intl.NumberFormat('en-US');

/** A count with thousands separators: 16,384. */
export function formatCount(n: number): string {
  return COUNT.format(n);
}
