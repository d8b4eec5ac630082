/// <reference lib="dom" />
/*
 * Draws a laid-out chart (chartLayout.ts) as SVG inside the webview: axes with ticks and labels,
 * a line per instance, and a legend naming each line. Plain DOM: the page's CSP allows no inline
 * styles or libraries from elsewhere, and needs none for this.
 */
import { layoutChart, isByteKind, type ChartKind, type ChartSeries } from './chartLayout.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

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
  const { box } = layout;
  const title = isByteKind(options.kind) ? `${options.title} (${layout.unit})` : options.title;
  const root = document.createElement('div');
  root.className = 'chart';
  root.dataset.kind = options.kind;
  const heading = document.createElement('div');
  heading.className = 'chart-title';
  heading.textContent = title;
  root.append(heading);

  const plot = svg('svg', {
    width: box.width,
    height: box.height,
    viewBox: `0 0 ${box.width} ${box.height}`,
    role: 'img',
    'aria-label': title,
  });
  const bottom = box.height - box.bottom;
  const right = box.width - box.right;
  for (const tick of layout.yTicks) {
    const group = svg('g', { class: 'y-tick' });
    group.append(
      svg('line', { x1: box.left, x2: right, y1: tick.y, y2: tick.y, class: 'grid' }),
      svg('text', { x: box.left - 6, y: tick.y + 4, 'text-anchor': 'end' }, tick.label),
    );
    plot.append(group);
  }
  layout.xTicks.forEach((tick, i) => {
    const anchor = i === 0 ? 'start' : i === layout.xTicks.length - 1 ? 'end' : 'middle';
    const group = svg('g', { class: 'x-tick' });
    group.append(
      svg('line', { x1: tick.x, x2: tick.x, y1: bottom, y2: bottom + 4, class: 'axis' }),
      svg('text', { x: tick.x, y: bottom + 16, 'text-anchor': anchor }, tick.label),
    );
    plot.append(group);
  });
  plot.append(
    svg('line', { x1: box.left, x2: right, y1: bottom, y2: bottom, class: 'axis' }),
    svg('line', { x1: box.left, x2: box.left, y1: box.top, y2: bottom, class: 'axis' }),
    svg(
      'text',
      {
        x: 12,
        y: box.top + (bottom - box.top) / 2,
        class: 'axis-title',
        transform: `rotate(-90 12 ${box.top + (bottom - box.top) / 2})`,
        'text-anchor': 'middle',
      },
      layout.unit,
    ),
  );
  for (const line of layout.lines) {
    const polyline = svg('polyline', { points: line.points, stroke: line.colour, 'data-instance': line.instance });
    polyline.append(svg('title', {}, options.seriesName(line.instance)));
    plot.append(polyline);
  }
  root.append(plot);

  const legend = document.createElement('div');
  legend.className = 'legend';
  const axis = document.createElement('span');
  axis.className = 'muted';
  axis.textContent = `${options.timeLabel} →`;
  legend.append(axis);
  for (const line of layout.lines) {
    const entry = document.createElement('span');
    entry.className = 'legend-entry';
    const swatch = svg('svg', { width: 14, height: 4, class: 'swatch' });
    swatch.append(svg('line', { x1: 0, x2: 14, y1: 2, y2: 2, stroke: line.colour }));
    entry.append(swatch, document.createTextNode(options.seriesName(line.instance)));
    legend.append(entry);
  }
  root.append(legend);
  return root;
}
