/*
 * What every chart of the webviews computes apart from the DOM: the plot box, round ticks (linear or
 * powers of ten), where a value goes, and a line's points as SVG polyline lists. Pure, so it is
 * tested directly; the job details metrics and the TensorBoard charts both lay out with it.
 */

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the y labels (left) and the x labels (bottom). */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const CHART_BOX: ChartBox = { width: 560, height: 180, left: 64, right: 12, top: 10, bottom: 28 };

/** A palette readable on light and dark themes (the same as JupyterLab's charts). */
export const CHART_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function chartColour(index: number): string {
  return CHART_COLOURS[index % CHART_COLOURS.length] ?? '#1f77b4';
}

/** 1, 2 or 5 times a power of ten: a step that gives about `count` ticks over a span of `max`. */
export function niceStep(max: number, count = 4): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

/** A tick value with as many decimals as its step needs (at most 3). */
export function tickLabel(value: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
  return String(Number(value.toFixed(decimals)));
}

/** The smallest and largest of many values (no spread: a long series would overflow the stack). */
export function extent(values: readonly number[]): [number, number] | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A range widened to multiples of a round step, and the ticks at those multiples. */
export interface LinearTicks {
  min: number;
  max: number;
  step: number;
  values: number[];
}

/**
 * Round ticks covering `min`..`max` (any sign); a single value is centred in a range around it.
 * `minStep`: no finer step than this (1 for whole numbers such as training steps).
 */
export function linearTicks(from: number, to: number, count = 4, minStep = 0): LinearTicks {
  const pad = from === to ? Math.abs(to) / 2 || 0.5 : 0;
  const min = from - pad;
  const max = to + pad;
  const step = Math.max(niceStep(max - min, count), minStep);
  const low = Math.floor(min / step) * step;
  let high = Math.ceil(max / step) * step;
  if (high <= low) high = low + step;
  const values: number[] = [];
  for (let i = 0; low + i * step <= high + step / 2; i++) values.push(Number((low + i * step).toPrecision(12)));
  return { min: low, max: high, step, values };
}

/** Powers of ten covering `min`..`max` (both positive), as exponents; at least one decade. */
export function logTicks(min: number, max: number): { min: number; max: number; exponents: number[] } {
  const low = Math.floor(Math.log10(min));
  let high = Math.ceil(Math.log10(max));
  if (high <= low) high = low + 1;
  const stride = Math.ceil((high - low) / 6);
  const exponents: number[] = [];
  for (let e = low; e <= high; e += stride) exponents.push(e);
  return { min: low, max: high, exponents };
}

/** 10^e for a log axis label: plain between 0.001 and 10000, `1e-5` beyond. */
export function powerLabel(exponent: number): string {
  return exponent >= -3 && exponent <= 4 ? String(Number((10 ** exponent).toPrecision(1))) : `1e${exponent}`;
}

/** Maps a value of `domain` onto `range` linearly (a flat domain maps to the range's start). */
export function scale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (value) => (d1 === d0 ? r0 : r0 + ((value - d0) / (d1 - d0)) * (r1 - r0));
}

/**
 * A line's points as SVG polyline lists (`x,y x,y`), split where a value is missing (null), so a
 * gap shows as a gap; a lone point between gaps is a list of one.
 */
export function polylines(
  points: readonly (readonly [number, number | null])[],
  px: (x: number) => number,
  py: (y: number) => number,
): string[] {
  const lists: string[] = [];
  let current: string[] = [];
  for (const [x, y] of points) {
    if (y === null || !Number.isFinite(y)) {
      if (current.length > 0) lists.push(current.join(' '));
      current = [];
      continue;
    }
    current.push(`${round(px(x))},${round(py(y))}`);
  }
  if (current.length > 0) lists.push(current.join(' '));
  return lists;
}
