import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { formatTime } from '../../training/views/labels.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { idleSignalLabel, idleVerdictText, type DevMachineIdleModel } from '../model/idleReport.js';

export interface DevMachineIdleProps {
  model: DevMachineIdleModel;
  trans: TranslationBundle;
}

function DevMachineIdleBody({ model, trans }: DevMachineIdleProps) {
  const { report, verdict, rows } = model;
  return (
    <div className="aiplat-devMachine-idle" data-testid="aiplat-devmachine-idle">
      <div className="aiplat-devMachine-idleHead">
        {verdict && (
          <span
            className="aiplat-devMachine-idleVerdict"
            data-testid="aiplat-devmachine-idle-verdict"
            data-kind={verdict.kind}
          >
            {idleVerdictText(verdict, trans)}
          </span>
        )}
        <button
          className="jp-mod-styled"
          data-testid="aiplat-devmachine-idle-refresh"
          disabled={model.loading}
          onClick={() => void model.refresh()}
        >
          {model.loading ? trans.__('Looking…') : trans.__('Refresh')}
        </button>
      </div>
      {model.error && (
        <div className="aiplat-error" role="alert" data-testid="aiplat-devmachine-idle-error">
          {model.error}
        </div>
      )}
      {report?.sampledAt && (
        <div className="aiplat-form-hint">{trans.__('Looked at %1', formatTime(report.sampledAt))}</div>
      )}
      {report && (
        <table className="aiplat-devMachine-idleTable" data-testid="aiplat-devmachine-idle-signals">
          <thead>
            <tr>
              <th>{trans.__('Signal')}</th>
              <th>{trans.__('Value')}</th>
              <th>{trans.__('Policy')}</th>
              <th>{trans.__('State')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.name}
                data-testid={`aiplat-devmachine-idle-signal-${row.name}`}
                data-counts={row.counts}
                data-idle={row.idle}
                className={row.keepsUp ? 'aiplat-mod-keepsUp' : undefined}
              >
                <td>{idleSignalLabel(row.name, trans)}</td>
                <td>{row.value}</td>
                <td>{row.counts ? trans.__('counts') : trans.__('ignored')}</td>
                <td>{row.idle ? `✓ ${trans.__('idle')}` : `● ${trans.__('active')}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** "Why not idle?" of a running dev machine: its idle signals, their values and the verdict. */
export class DevMachineIdleView extends ModelWidget<DevMachineIdleProps> {
  get model(): DevMachineIdleModel {
    return this.props.model;
  }

  constructor(props: DevMachineIdleProps) {
    super(props, props.model.changed, DevMachineIdleBody, 'aiplat-devmachine-idle-view');
  }
}
