/** Code-unit order: the same on every machine and locale, unlike `localeCompare`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Ordered {
  id: string;
  priority: number;
  submittedAt: number;
}

/** Scheduling order: priority (0 first), then submission, then id. */
export function compareJobs(a: Ordered, b: Ordered): number {
  return a.priority - b.priority || a.submittedAt - b.submittedAt || compareText(a.id, b.id);
}
