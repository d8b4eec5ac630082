import * as React from 'react';
import uPlot from 'uplot';
import type { ChartData } from '../model/chartData.js';

export interface MetricChartProps {
  title: string;
  data: ChartData;
  /** Label of each series, by instance index. */
  seriesLabel: (instance: number) => string;
  formatValue: (value: number) => string;
  testId: string;
  height?: number;
}

/** A palette readable on light and dark themes. */
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** The palette's colour for the i-th line. */
export function chartColor(index: number): string {
  return COLORS[index % COLORS.length]!;
}

/** A JupyterLab theme variable's value, so charts follow the light or dark theme. */
export function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** A uPlot line chart, one line per instance; recreated when the series change, updated in place otherwise. */
export function MetricChart({ title, data, seriesLabel, formatValue, testId, height = 180 }: MetricChartProps) {
  const ref = React.useRef<HTMLDivElement>(null);
  const plot = React.useRef<uPlot | null>(null);
  const shape = data.series.map((s) => s.instance).join(',');
  const aligned = React.useMemo(
    () => [data.x, ...data.series.map((s) => s.values)] as unknown as uPlot.AlignedData,
    [data],
  );

  React.useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axisColor = cssVar('--jp-ui-font-color2', '#888');
    const gridColor = cssVar('--jp-border-color2', '#ddd');
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth || 400),
      height,
      series: [
        {},
        ...data.series.map((s, i) => ({
          label: seriesLabel(s.instance),
          stroke: chartColor(i),
          width: 1.5,
          spanGaps: true,
          value: (_: uPlot, v: number | null) => (v === null ? '–' : formatValue(v)),
        })),
      ],
      axes: [axis, { ...axis, size: 70, values: (_: uPlot, ticks: number[]) => ticks.map(formatValue) }],
      legend: { show: true },
      scales: {
        // One sample (a job just started) would otherwise stretch the time axis over years.
        x: {
          time: true,
          range: (u, min, max) => {
            const xs = u.data[0];
            const only = xs.length === 1 ? xs[0] : undefined;
            return only === undefined ? [min, max] : [only - 30, only + 30];
          },
        },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
    };
    const chart = new uPlot(opts, aligned, el);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Recreated only when the set of series changes; data updates go through setData below.
  }, [shape, height]);

  React.useEffect(() => {
    plot.current?.setData(aligned);
  }, [aligned]);

  return (
    <div className="aiplat-chart" data-testid={testId}>
      <div className="aiplat-chart-title">{title}</div>
      <div ref={ref} className="aiplat-chart-plot" />
    </div>
  );
}
