/** The middle of `xs` (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The nearest-rank percentile: the smallest value at or above fraction `p` (0..1) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil(p * s.length) - 1))]!;
}

/** The rounds, and the one whose score is their median (the lower middle one of an even count). */
export function medianRound<T extends { score: number }>(rounds: T[]): { rounds: T[]; median: T } {
  const sorted = [...rounds].sort((x, y) => x.score - y.score);
  return { rounds, median: sorted[Math.floor((sorted.length - 1) / 2)]! };
}
