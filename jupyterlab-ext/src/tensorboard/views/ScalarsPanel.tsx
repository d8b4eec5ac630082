import { X_AXES, type XAxis } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { ScalarsViewModel } from '../model/scalarsViewModel.js';
import { ScalarChart } from './ScalarChart.js';

export interface ScalarsPanelProps {
  model: ScalarsViewModel;
  trans: TranslationBundle;
  /** Turns what the user typed into "Compare with" (a job's name or id, or a folder under /work) into a source. */
  onCompare?: (text: string) => Promise<string | undefined>;
}

function axisLabel(axis: XAxis, trans: TranslationBundle): string {
  switch (axis) {
    case 'step':
      return trans.__('Step');
    case 'relative':
      return trans.__('Relative time');
    case 'wall':
      return trans.__('Wall time');
  }
}

function Controls({ model, trans }: ScalarsPanelProps) {
  const { options } = model;
  return (
    <div className="aiplat-scalars-controls">
      <label>
        {trans.__('Filter tags')}
        <input
          type="search"
          data-testid="aiplat-scalars-filter"
          placeholder={trans.__('regular expression')}
          value={options.tagFilter}
          onChange={(e) => model.setOptions({ tagFilter: e.target.value })}
        />
      </label>
      <label title={trans.__('Exponential moving average, as TensorBoard smooths')}>
        {trans.__('Smoothing')}
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          data-testid="aiplat-scalars-smoothing"
          value={options.smoothing}
          onChange={(e) => model.setOptions({ smoothing: Number(e.target.value) })}
        />
        <span>{options.smoothing.toFixed(2)}</span>
      </label>
      <label>
        {trans.__('X axis')}
        <select
          data-testid="aiplat-scalars-xaxis"
          value={options.xAxis}
          onChange={(e) => model.setOptions({ xAxis: e.target.value as XAxis })}
        >
          {X_AXES.map((axis) => (
            <option key={axis} value={axis}>
              {axisLabel(axis, trans)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="aiplat-scalars-log"
          checked={options.logScale}
          onChange={(e) => model.setOptions({ logScale: e.target.checked })}
        />
        {trans.__('Log scale')}
      </label>
    </div>
  );
}

function Compare({ onCompare, trans }: Pick<ScalarsPanelProps, 'onCompare' | 'trans'>) {
  const [text, setText] = React.useState('');
  const [problem, setProblem] = React.useState<string | undefined>();
  if (!onCompare) return null;
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    void onCompare(text.trim()).then((why) => {
      setProblem(why);
      if (!why) setText('');
    });
  };
  return (
    <form className="aiplat-scalars-compare" onSubmit={submit}>
      <input
        data-testid="aiplat-scalars-compare"
        placeholder={trans.__('Compare with a job (name or id) or a folder, e.g. home/runs')}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="jp-mod-styled" data-testid="aiplat-scalars-compare-add">
        {trans.__('Add')}
      </button>
      {problem && <div className="aiplat-error">{problem}</div>}
    </form>
  );
}

function TensorBoardButton({ model, trans }: ScalarsPanelProps) {
  const action = model.tensorboard;
  const open = () => {
    // Opened now, while the click counts as the user's: a window opened after the await is blocked.
    const tab = window.open('', '_blank');
    void model.tensorBoardUrl().then((url) => {
      if (url && tab) tab.location.href = url;
      else tab?.close();
    });
  };
  return (
    <div className="aiplat-scalars-tensorboard">
      <button
        className="jp-mod-styled"
        data-testid="aiplat-open-tensorboard"
        disabled={action.status === 'starting'}
        onClick={open}
      >
        {action.status === 'starting' ? trans.__('Starting TensorBoard…') : trans.__('Open TensorBoard')}
      </button>
      {(action.status === 'unavailable' || action.status === 'failed') && (
        <div className="aiplat-muted" data-testid="aiplat-tensorboard-problem">
          {action.message}
        </div>
      )}
    </div>
  );
}

/** The TensorBoard view: the sources' scalars as charts (one per tag) with TensorBoard's controls. */
export function ScalarsPanel(props: ScalarsPanelProps) {
  const { model, trans } = props;
  return (
    <UseSignal signal={model.changed}>
      {() => {
        const charts = model.charts();
        const runs = model.runs();
        const loading = model.sources.some((s) => s.loading);
        return (
          <div className="aiplat-scalars" data-testid="aiplat-scalars">
            <div className="aiplat-scalars-bar">
              <Controls {...props} />
              <TensorBoardButton {...props} />
            </div>
            <Compare onCompare={props.onCompare} trans={trans} />
            <div className="aiplat-scalars-sources">
              {model.sources.map((s) => (
                <div key={s.source.path} className="aiplat-scalars-source" data-testid="aiplat-scalars-source">
                  <span title={s.source.path}>{s.source.label}</span>
                  {s.error && <span className="aiplat-error"> {s.error}</span>}
                  {model.sources.length > 1 && (
                    <button
                      className="jp-mod-minimal jp-Button"
                      title={trans.__('Remove from the comparison')}
                      onClick={() => model.remove(s.source.path)}
                    >
                      ×
                    </button>
                  )}
                </div>
              ))}
            </div>
            {runs.length > 1 && (
              <div className="aiplat-scalars-runs" data-testid="aiplat-scalars-runs">
                {runs.map((run) => (
                  <label key={run.key}>
                    <input
                      type="checkbox"
                      checked={!model.options.hidden.includes(run.key)}
                      onChange={() => model.toggleRun(run.key)}
                    />
                    {run.label}
                  </label>
                ))}
              </div>
            )}
            {model.sources.flatMap((s) =>
              s.warnings.slice(-3).map((w) => (
                <div key={`${s.source.path}:${w.run}:${w.file}:${w.offset}`} className="aiplat-warning">
                  {trans.__('Skipped a damaged record in %1 at byte %2: %3', `${w.run}/${w.file}`, w.offset, w.message)}
                </div>
              )),
            )}
            {charts.length === 0 && !loading && (
              <div className="aiplat-muted" data-testid="aiplat-scalars-empty">
                {trans.__(
                  'No scalars yet. A job writes them with a TensorBoard SummaryWriter into $AIPLAT_SUMMARY_DIR; they appear here as they are written.',
                )}
              </div>
            )}
            <div className="aiplat-scalars-charts">
              {charts.map((chart) => (
                <ScalarChart
                  key={chart.tag}
                  chart={chart}
                  xAxis={model.options.xAxis}
                  axisName={axisLabel(model.options.xAxis, trans)}
                  logScale={model.options.logScale}
                />
              ))}
            </div>
          </div>
        );
      }}
    </UseSignal>
  );
}
