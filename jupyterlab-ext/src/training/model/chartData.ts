import { lossOfLine, metricValue, type JobMetricsResponse, type LogLine, type MetricKind } from '@aiplat/api';

export { METRIC_KINDS, type MetricKind } from '@aiplat/api';

/** One chart: shared x (Unix seconds) and one series per instance, `null` where it has no point. */
export interface ChartData {
  x: number[];
  series: { instance: number; values: (number | null)[] }[];
}

/**
 * The metrics of `kind` as aligned series (uPlot's data layout: `[x, ...series]`). Instances
 * without any value of this kind are left out, so an empty `series` means nothing to chart.
 */
export function metricChartData(metrics: JobMetricsResponse | undefined, kind: MetricKind): ChartData {
  if (!metrics) return { x: [], series: [] };
  const byInstance = metrics.instances
    .map(({ instance, points }) => {
      const values = new Map<number, number>();
      for (const point of points) {
        const value = metricValue(point, kind);
        const time = Date.parse(point.time);
        if (value !== undefined && Number.isFinite(time)) values.set(time / 1000, value);
      }
      return { instance, values };
    })
    .filter((s) => s.values.size > 0);
  const x = [...new Set(byInstance.flatMap((s) => [...s.values.keys()]))].sort((a, b) => a - b);
  return {
    x,
    series: byInstance.map((s) => ({ instance: s.instance, values: x.map((t) => s.values.get(t) ?? null) })),
  };
}

/**
 * A loss curve per instance from the log lines that print one, x being the line's time: what the
 * job's own output gives, nothing inferred beyond it.
 */
export function lossChartData(lines: readonly LogLine[]): ChartData {
  const byInstance = new Map<number, Map<number, number>>();
  for (const line of lines) {
    const value = lossOfLine(line);
    const time = Date.parse(line.time);
    if (value === undefined || !Number.isFinite(time)) continue;
    let values = byInstance.get(line.instance);
    if (!values) byInstance.set(line.instance, (values = new Map()));
    let t = time / 1000;
    while (values.has(t)) t += 0.001;
    values.set(t, value);
  }
  const instances = [...byInstance.keys()].sort((a, b) => a - b);
  const x = [...new Set(instances.flatMap((i) => [...(byInstance.get(i)?.keys() ?? [])]))].sort((a, b) => a - b);
  return {
    x,
    series: instances.map((instance) => ({
      instance,
      values: x.map((t) => byInstance.get(instance)?.get(t) ?? null),
    })),
  };
}
