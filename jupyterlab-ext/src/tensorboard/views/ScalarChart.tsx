import type { TagChart, XAxis } from '@aiplat/api';
import * as React from 'react';
import uPlot from 'uplot';
import { chartColor, cssVar } from '../../training/views/MetricChart.js';

export interface ScalarChartProps {
  chart: TagChart;
  xAxis: XAxis;
  /** The x axis's name in the legend (Step, Relative time, Wall time). */
  axisName: string;
  logScale: boolean;
  height?: number;
}

/** One x for every line: the union of their x values, each line's values placed at its own x. */
function align(chart: TagChart): uPlot.AlignedData {
  const xs = [...new Set(chart.lines.flatMap((line) => line.x))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const columns: (number | null)[][] = [];
  for (const line of chart.lines) {
    const raw: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    const smoothed: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    line.x.forEach((x, i) => {
      raw[at.get(x)!] = line.raw[i] ?? null;
      smoothed[at.get(x)!] = line.smoothed[i] ?? null;
    });
    columns.push(raw, smoothed);
  }
  return [xs, ...columns] as unknown as uPlot.AlignedData;
}

function formatX(axis: XAxis, value: number): string {
  if (axis === 'step') return Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (axis === 'relative') {
    if (value < 120) return `${Math.round(value)}s`;
    if (value < 7200) return `${(value / 60).toFixed(value < 600 ? 1 : 0)}m`;
    return `${(value / 3600).toFixed(1)}h`;
  }
  return new Date(value * 1000).toLocaleTimeString();
}

function formatY(value: number | null): string {
  if (value === null) return '–';
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(2) : value.toPrecision(4);
}

/** The first line's last raw value, for tests and tooltips. */
function lastValue(chart: TagChart): string {
  const last = chart.lines[0]?.raw.at(-1);
  return last === undefined || last === null ? '' : String(last);
}

/**
 * A tag's chart as TensorBoard draws it: per run the raw line faint and the smoothed line solid in
 * the same colour; x by step, relative or wall time; linear or log y. Recreated when its lines or
 * axes change, updated in place as points arrive.
 */
export function ScalarChart({ chart, xAxis, axisName, logScale, height = 200 }: ScalarChartProps) {
  const ref = React.useRef<HTMLDivElement>(null);
  const plot = React.useRef<uPlot | null>(null);
  const data = React.useMemo(() => align(chart), [chart]);
  const shape = `${chart.lines.map((l) => l.key).join('|')}:${xAxis}:${logScale}`;

  React.useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axisColor = cssVar('--jp-ui-font-color2', '#888');
    const gridColor = cssVar('--jp-border-color2', '#ddd');
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
    const series: uPlot.Series[] = [{ label: axisName, value: (_u, v) => formatX(xAxis, v) }];
    chart.lines.forEach((line, i) => {
      const color = chartColor(i);
      series.push({ label: `${line.label} (raw)`, stroke: `${color}55`, width: 1, spanGaps: true, show: true });
      series.push({ label: line.label, stroke: color, width: 1.75, spanGaps: true, value: (_u, v) => formatY(v) });
    });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth || 400),
      height,
      series,
      axes: [
        { ...axis, values: (_u, ticks) => ticks.map((t) => formatX(xAxis, t)) },
        { ...axis, size: 64, values: (_u, ticks) => ticks.map((t) => formatY(t)) },
      ],
      scales: { x: { time: false }, y: logScale ? { distr: 3 } : {} },
      legend: { show: true },
    };
    const created = new uPlot(opts, data, el);
    plot.current = created;
    const observer = new ResizeObserver(() => created.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      created.destroy();
      plot.current = null;
    };
    // Recreated only when the lines or axes change; new points go through setData below.
  }, [shape, height, axisName]);

  React.useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <div
      className="aiplat-chart aiplat-scalar-chart"
      data-testid="aiplat-scalar-chart"
      data-tag={chart.tag}
      data-lines={chart.lines.length}
      data-points={chart.lines.reduce((sum, line) => sum + line.x.length, 0)}
      data-last={lastValue(chart)}
    >
      <div className="aiplat-chart-title">{chart.tag}</div>
      <div ref={ref} className="aiplat-chart-plot" />
    </div>
  );
}
