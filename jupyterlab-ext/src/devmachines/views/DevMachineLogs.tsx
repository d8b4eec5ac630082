import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { LogView } from '../../training/views/LogView.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import type { DevMachineLogsModel } from '../model/devMachineLogsModel.js';

export interface DevMachineLogsProps {
  model: DevMachineLogsModel;
  trans: TranslationBundle;
}

function DevMachineLogsBody({ model, trans }: DevMachineLogsProps) {
  return (
    <>
      {model.error && (
        <div className="aiplat-error" role="alert">
          {model.error}
        </div>
      )}
      <LogView
        logs={model.logs}
        trans={trans}
        instances={[]}
        instanceLabel={() => trans.__('Lifecycle scripts')}
        linePrefix={() => ''}
        selectLabel={trans.__('Output')}
        allLabel={trans.__('All output')}
        testIds={{
          select: 'aiplat-devmachine-log-select',
          search: 'aiplat-devmachine-log-search',
          count: 'aiplat-devmachine-log-count',
          next: 'aiplat-devmachine-log-next',
          follow: 'aiplat-devmachine-log-follow',
          lines: 'aiplat-devmachine-logs',
        }}
        firstErrorTestId="aiplat-devmachine-log-first-error"
        className="aiplat-devMachine-logs"
      />
    </>
  );
}

/** A dev machine's lifecycle log in the main area: its scripts' output, live (search, follow, first error). */
export class DevMachineLogsView extends ModelWidget<DevMachineLogsProps> {
  constructor(props: DevMachineLogsProps) {
    super(props, props.model.changed, DevMachineLogsBody, 'aiplat-devmachine-logs-view');
  }
}
