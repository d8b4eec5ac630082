/// <reference lib="dom" />
/*
 * Draws a job details chart (chartLayout.ts) with the webviews' plot renderer: a line per
 * instance, the unit on the y axis and in the title of byte charts, time along x.
 */
import { renderPlot } from '../charts/plotView.js';
import { layoutChart, isByteKind, type ChartKind, type ChartSeries } from './chartLayout.js';

export interface ChartOptions {
  kind: ChartKind;
  title: string;
  timeLabel: string;
  series: ChartSeries[];
  seriesName: (instance: number) => string;
}

/** A chart box: title with its unit, the SVG plot, and the legend. */
export function renderChart(options: ChartOptions): HTMLElement {
  const layout = layoutChart(options.series, options.kind, (ms) => new Date(ms).toLocaleTimeString());
  return renderPlot({
    box: layout.box,
    title: isByteKind(options.kind) ? `${options.title} (${layout.unit})` : options.title,
    data: { kind: options.kind },
    yTitle: layout.unit,
    xTitle: options.timeLabel,
    xTicks: layout.xTicks,
    yTicks: layout.yTicks,
    lines: layout.lines.map((line) => ({
      colour: line.colour,
      polylines: [line.points],
      title: options.seriesName(line.instance),
      data: { instance: String(line.instance) },
    })),
    legend: layout.lines.map((line) => ({ colour: line.colour, label: options.seriesName(line.instance) })),
  });
}
