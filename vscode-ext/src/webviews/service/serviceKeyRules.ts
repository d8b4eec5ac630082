import type { AppKey, ServiceToken } from '@aiplat/api';
/*
 * The rules of the service page's keys, free of the DOM: what a typed LLM token limit means, when a
 * secret shown once goes away, and which AppKeys may sign a curl command. No zod (nor protocol.ts,
 * which has it): the page takes this file.
 */

/** The largest LLM token limit the host takes from the page. */
export const MAX_TOKEN_LIMIT = 1e12;

/**
 * An LLM token limit as typed: `{ limit: undefined }` when empty (no limit), `{ limit }` for a whole
 * number above 0, undefined for anything else (0, -5, 0.5, text).
 */
export function parseTokenLimit(text: string): { limit: number | undefined } | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return { limit: undefined };
  if (!/^\d+$/.test(trimmed)) return undefined;
  const limit = Number(trimmed);
  return limit > 0 && limit <= MAX_TOKEN_LIMIT ? { limit } : undefined;
}

/** A token or AppKey as the secret rules see it. */
export interface KeyState {
  id: string;
  enabled: boolean;
}

export const tokenStates = (tokens: readonly ServiceToken[]): KeyState[] =>
  tokens.map((token) => ({ id: token.id, enabled: token.enabled }));

export const appKeyStates = (appKeys: readonly AppKey[]): KeyState[] =>
  appKeys.map((key) => ({ id: key.appKey, enabled: key.enabled }));

/**
 * The secret shown once, still shown after its kind's list changed from `before` to `after`; gone
 * once its key is disabled or deleted. A key neither list has yet keeps it: the host posts the
 * secret before it reads the list again.
 */
export function secretAfterListChange<Secret extends { kind: string; id: string }>(
  secret: Secret | undefined,
  kind: Secret['kind'],
  before: readonly KeyState[],
  after: readonly KeyState[],
): Secret | undefined {
  if (secret?.kind !== kind) return secret;
  const now = after.find((key) => key.id === secret.id);
  if (now) return now.enabled ? secret : undefined;
  return before.some((key) => key.id === secret.id) ? undefined : secret;
}

/** The AppKeys that may sign a command: the enabled ones. */
export function signingAppKeys(appKeys: readonly AppKey[]): string[] {
  return appKeys.filter((key) => key.enabled).map((key) => key.appKey);
}
