/// <reference lib="dom" />
/*
 * The TensorBoard page, running inside the webview (bundled separately into
 * dist/webviews/scalars.js). It draws what the page model (scalarsPage.ts) computes from the
 * extension's messages and the controls; it never talks to the server. Plain DOM and SVG.
 */
import { X_AXES, type XAxis } from '@aiplat/api';
import { renderPlot, type PlotLine } from '../charts/plotView.js';
import { dispatch } from '../messages.js';
import type { HostMessage, ScalarsState, WebviewMessage } from './protocol.js';
import { valueLabel, type ScalarChartLayout } from './scalarLayout.js';
import { ScalarsPage, type ScalarsView } from './scalarsPage.js';
import { el } from '../dom.js';
import { connectPage } from '../pageHost.js';

const host = connectPage<WebviewMessage, ScalarsState>();
const send = host.send;
const page = new ScalarsPage();

function byId<T extends HTMLElement>(id: string): T | undefined {
  return (document.getElementById(id) as T | null) ?? undefined;
}

function labelled(text: string, control: HTMLElement, ...after: HTMLElement[]): HTMLLabelElement {
  const label = el('label');
  label.append(text, ' ', control, ...after);
  return label;
}

/** The controls, built once per `init` (so typing in the filter keeps its focus while charts redraw). */
function renderToolbar(): void {
  const toolbar = byId('toolbar');
  const strings = page.strings;
  if (!toolbar || !strings) return;
  const options = page.options;

  const filter = el('input');
  filter.id = 'tagFilter';
  filter.type = 'search';
  filter.placeholder = strings.tagFilterPlaceholder;
  filter.value = options.tagFilter;
  filter.addEventListener('input', () => changeOptions({ tagFilter: filter.value }));

  const smoothing = el('input');
  smoothing.id = 'smoothing';
  smoothing.type = 'range';
  smoothing.min = '0';
  smoothing.max = '0.99';
  smoothing.step = '0.01';
  smoothing.value = String(options.smoothing);
  const smoothingValue = el('span', options.smoothing.toFixed(2), 'muted');
  smoothingValue.id = 'smoothingValue';
  smoothing.addEventListener('input', () => {
    smoothingValue.textContent = Number(smoothing.value).toFixed(2);
    changeOptions({ smoothing: Number(smoothing.value) });
  });

  const xAxis = el('select');
  xAxis.id = 'xAxis';
  for (const axis of X_AXES) {
    const option = el('option', strings.xAxes[axis]);
    option.value = axis;
    xAxis.append(option);
  }
  xAxis.value = options.xAxis;
  xAxis.addEventListener('change', () => changeOptions({ xAxis: xAxis.value as XAxis }));

  const logScale = el('input');
  logScale.id = 'logScale';
  logScale.type = 'checkbox';
  logScale.checked = options.logScale;
  logScale.addEventListener('change', () => changeOptions({ logScale: logScale.checked }));
  const logLabel = el('label');
  logLabel.append(logScale, ' ', strings.logScale);

  const compare = el('button', strings.compare);
  compare.id = 'compare';
  compare.addEventListener('click', () => send({ type: 'compare' }));
  const open = el('button', strings.openTensorBoard);
  open.id = 'openTensorBoard';
  open.addEventListener('click', () => send({ type: 'openTensorBoard' }));

  toolbar.replaceChildren(
    labelled(strings.tagFilter, filter),
    labelled(strings.smoothing, smoothing, smoothingValue),
    labelled(strings.xAxis, xAxis),
    logLabel,
    compare,
    open,
  );
}

function changeOptions(patch: Parameters<ScalarsPage['setOptions']>[0]): void {
  page.setOptions(patch);
  render();
}

function chart(layout: ScalarChartLayout, xTitle: string): HTMLElement {
  const lines: PlotLine[] = layout.lines.flatMap((line) => [
    {
      colour: line.colour,
      polylines: line.raw,
      title: line.label,
      className: 'raw',
      data: { line: line.key, points: String(line.count) },
    },
    { colour: line.colour, polylines: line.smoothed, title: line.label, className: 'smoothed' },
  ]);
  return renderPlot({
    box: layout.box,
    title: layout.tag,
    data: { tag: layout.tag },
    yTitle: '',
    xTitle,
    xTicks: layout.xTicks,
    yTicks: layout.yTicks,
    lines,
    legend: layout.lines.map((line) => ({
      colour: line.colour,
      label: line.last === undefined ? line.label : `${line.label} · ${valueLabel(line.last)}`,
      data: { line: line.key },
    })),
  });
}

const SVG = 'http://www.w3.org/2000/svg';

/** A run's colour as a small square: an SVG attribute, since the CSP allows no inline styles. */
function swatchOf(colour: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'run-swatch');
  svg.setAttribute('width', '10');
  svg.setAttribute('height', '10');
  const rect = document.createElementNS(SVG, 'rect');
  rect.setAttribute('width', '10');
  rect.setAttribute('height', '10');
  rect.setAttribute('fill', colour);
  svg.append(rect);
  return svg;
}

function renderRuns(view: ScalarsView): HTMLElement[] {
  const strings = page.strings;
  if (!strings || view.runs.length === 0) return [];
  const legend = el('legend', strings.runs);
  const boxes = view.runs.map((run) => {
    const box = el('input');
    box.type = 'checkbox';
    box.checked = run.visible;
    box.addEventListener('change', () => {
      page.toggleRun(run.key);
      render();
    });
    const swatch = swatchOf(run.colour);
    const label = el('label', undefined, 'run');
    label.append(box, swatch, run.label);
    return label;
  });
  return [legend, ...boxes];
}

function render(): void {
  const strings = page.strings;
  const sources = byId('sources');
  const runs = byId('runs');
  const charts = byId('charts');
  const warnings = byId('warnings');
  const tensorboard = byId('tensorboard');
  if (!strings || !sources || !runs || !charts || !warnings || !tensorboard) return;
  const state = page.savedState();
  if (state) host.save(state);
  const view = page.view((seconds) => new Date(seconds * 1000).toLocaleTimeString());

  sources.replaceChildren(
    ...view.sources.map((source) => {
      const row = el('div', undefined, 'source');
      row.dataset.path = source.path;
      row.append(el('span', source.label, 'source-label'), el('span', ` /work/${source.path}`, 'muted'));
      if (source.removable) {
        const remove = el('button', strings.remove, 'link');
        remove.addEventListener('click', () => send({ type: 'remove', path: source.path }));
        row.append(remove);
      }
      if (source.notice) row.append(el('div', source.notice, source.failed ? 'error notice' : 'muted notice'));
      return row;
    }),
  );
  runs.replaceChildren(...renderRuns(view));
  runs.hidden = view.runs.length === 0;
  const xTitle = strings.xAxes[page.options.xAxis];
  charts.replaceChildren(...view.charts.map((layout) => chart(layout, xTitle)));
  if (view.noTags) charts.append(el('p', strings.noTags, 'muted'));
  warnings.hidden = view.warnings.length === 0;
  warnings.replaceChildren(el('summary', `${strings.warnings} (${view.warnings.length})`));
  for (const warning of view.warnings) warnings.append(el('div', warning, 'warning'));
  tensorboard.textContent = view.tensorboard?.text ?? '';
  tensorboard.className = view.tensorboard?.failed ? 'error' : 'muted';
  const error = byId('error');
  if (error) error.textContent = page.error;
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  void dispatch(page.handlers, event.data);
  if (event.data.type === 'init') renderToolbar();
  render();
});
send({ type: 'ready' });
