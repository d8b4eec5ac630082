import type { ScalarPoint, ScalarSeries } from './schemas/scalars.js';

/*
 * What both IDEs' scalar charts compute, as TensorBoard's scalars dashboard does: the smoothed
 * line, the x axis (step, relative or wall time), and a chart's series kept current from the live
 * topic.
 */

export const X_AXES = ['step', 'relative', 'wall'] as const;
export type XAxis = (typeof X_AXES)[number];

/**
 * TensorBoard's smoothing: an exponential moving average debiased like Adam's (so the line starts
 * at the first value, not at 0); a non-finite value is passed through and does not enter the
 * average; a constant series is left as it is. `weight` is the slider, 0 (none) to 0.999.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (weight <= 0 || finite.every((v) => v === finite[0])) return [...values];
  let last = 0;
  let accumulated = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return value;
    last = last * weight + (1 - weight) * value;
    accumulated++;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, accumulated);
    return last / debias;
  });
}

/** Each point's x: its step, seconds since the series' first point, or its wall time in seconds. */
export function xValues(points: readonly ScalarPoint[], axis: XAxis): number[] {
  const start = points[0]?.wallTime ?? 0;
  return points.map((p) => (axis === 'step' ? p.step : axis === 'relative' ? p.wallTime - start : p.wallTime));
}

/** A series' key in a chart: its source (a job or folder label), run and tag. */
export function seriesKey(source: string, run: string, tag: string): string {
  return `${source}\u0000${run}\u0000${tag}`;
}

/**
 * Series with a live update merged in: each series' points after its last step appended (a writer
 * that went back to an earlier step, restarted from a checkpoint, replaces the points from there),
 * new runs and tags added; at most `cap` points kept per series (evenly thinned, the last kept).
 */
export function mergeScalarSeries(
  current: readonly ScalarSeries[],
  update: readonly ScalarSeries[],
  cap = 2000,
): ScalarSeries[] {
  const merged = current.map((s) => ({ ...s, points: [...s.points] }));
  for (const incoming of update) {
    let target = merged.find((s) => s.run === incoming.run && s.tag === incoming.tag);
    if (!target) merged.push((target = { run: incoming.run, tag: incoming.tag, points: [] }));
    for (const point of incoming.points) {
      const last = target.points.at(-1);
      if (last && point.step <= last.step) {
        if (point.step === last.step && point.wallTime === last.wallTime) continue; // already there
        target.points = target.points.filter((p) => p.step < point.step);
      }
      target.points.push(point);
    }
    if (target.points.length > cap) target.points = thin(target.points, cap);
  }
  return merged;
}

function thin<T>(points: readonly T[], max: number): T[] {
  const stride = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * stride)]!);
}

/** Whether a tag matches the filter: a regular expression, or plain text when the expression is invalid (as TensorBoard). */
export function tagMatches(tag: string, filter: string): boolean {
  if (!filter) return true;
  try {
    return new RegExp(filter, 'i').test(tag);
  } catch {
    return tag.toLowerCase().includes(filter.toLowerCase());
  }
}
