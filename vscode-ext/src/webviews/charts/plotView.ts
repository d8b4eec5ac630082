/// <reference lib="dom" />
/*
 * Draws a laid-out chart as SVG inside a webview: title, axes with ticks and labels, the lines and
 * a legend naming each. Plain DOM: the pages' CSP allows no inline styles or libraries from
 * elsewhere, and needs none for this.
 */
import type { ChartBox } from './plotLayout.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `data-*` attributes, for the page's styles and for tests. */
export type DataAttributes = Record<string, string>;

export interface PlotLine {
  colour: string;
  /** Polyline point lists (a line with gaps has several). */
  polylines: string[];
  /** The line's tooltip. */
  title: string;
  className?: string;
  data?: DataAttributes;
}

export interface Plot {
  box: ChartBox;
  title: string;
  /** On the chart's root element. */
  data: DataAttributes;
  /** The y axis' title (a unit), drawn along it. */
  yTitle: string;
  /** Named before the legend, with an arrow: what x is. */
  xTitle: string;
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  lines: PlotLine[];
  legend: { colour: string; label: string; data?: DataAttributes }[];
}

function setData(node: HTMLElement | SVGElement, data: DataAttributes | undefined): void {
  for (const [name, value] of Object.entries(data ?? {})) node.dataset[name] = value;
}

/** A chart box: title, the SVG plot, and the legend. */
export function renderPlot(plot: Plot): HTMLElement {
  const { box } = plot;
  const root = document.createElement('div');
  root.className = 'chart';
  setData(root, plot.data);
  const heading = document.createElement('div');
  heading.className = 'chart-title';
  heading.textContent = plot.title;
  root.append(heading);

  const area = svg('svg', {
    width: box.width,
    height: box.height,
    viewBox: `0 0 ${box.width} ${box.height}`,
    role: 'img',
    'aria-label': plot.title,
  });
  const bottom = box.height - box.bottom;
  const right = box.width - box.right;
  for (const tick of plot.yTicks) {
    const group = svg('g', { class: 'y-tick' });
    group.append(
      svg('line', { x1: box.left, x2: right, y1: tick.y, y2: tick.y, class: 'grid' }),
      svg('text', { x: box.left - 6, y: tick.y + 4, 'text-anchor': 'end' }, tick.label),
    );
    area.append(group);
  }
  plot.xTicks.forEach((tick, i) => {
    const anchor = i === 0 ? 'start' : i === plot.xTicks.length - 1 ? 'end' : 'middle';
    const group = svg('g', { class: 'x-tick' });
    group.append(
      svg('line', { x1: tick.x, x2: tick.x, y1: bottom, y2: bottom + 4, class: 'axis' }),
      svg('text', { x: tick.x, y: bottom + 16, 'text-anchor': anchor }, tick.label),
    );
    area.append(group);
  });
  const middle = box.top + (bottom - box.top) / 2;
  area.append(
    svg('line', { x1: box.left, x2: right, y1: bottom, y2: bottom, class: 'axis' }),
    svg('line', { x1: box.left, x2: box.left, y1: box.top, y2: bottom, class: 'axis' }),
    svg(
      'text',
      { x: 12, y: middle, class: 'axis-title', transform: `rotate(-90 12 ${middle})`, 'text-anchor': 'middle' },
      plot.yTitle,
    ),
  );
  for (const line of plot.lines) {
    for (const points of line.polylines) {
      const polyline = svg('polyline', { points, stroke: line.colour });
      if (line.className) polyline.setAttribute('class', line.className);
      setData(polyline, line.data);
      polyline.append(svg('title', {}, line.title));
      area.append(polyline);
    }
  }
  root.append(area);

  const legend = document.createElement('div');
  legend.className = 'legend';
  const axis = document.createElement('span');
  axis.className = 'muted';
  axis.textContent = `${plot.xTitle} →`;
  legend.append(axis);
  for (const item of plot.legend) {
    const entry = document.createElement('span');
    entry.className = 'legend-entry';
    setData(entry, item.data);
    const swatch = svg('svg', { width: 14, height: 4, class: 'swatch' });
    swatch.append(svg('line', { x1: 0, x2: 14, y1: 2, y2: 2, stroke: item.colour }));
    entry.append(swatch, document.createTextNode(item.label));
    legend.append(entry);
  }
  root.append(legend);
  return root;
}
