/** The longest a share token (of an image, a dataset, a model) is valid for: a year, in hours. */
export const MAX_SHARE_HOURS = 8760;

/** Hours as typed for a share: empty is none (until revoked); else a whole number from 1 to MAX_SHARE_HOURS. */
export function parseShareHours(text: string): number | undefined | 'invalid' {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const hours = Number(trimmed);
  return /^\d+$/.test(trimmed) && hours >= 1 && hours <= MAX_SHARE_HOURS ? hours : 'invalid';
}
