import type { LifecycleConfig } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { IConnectionModel } from '../../tokens.js';
import { LiveList, RowNotes } from '../../training/views/LiveList.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { LifecycleConfigFormModel } from '../model/lifecycleConfigFormModel.js';
import { configSizes, type LifecycleConfigListModel } from '../model/lifecycleConfigListModel.js';
import { formatCount } from '../model/scriptSize.js';
import { LifecycleConfigForm } from './LifecycleConfigForm.js';

export interface LifecycleConfigsPanelProps {
  model: LifecycleConfigListModel;
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Asks before a delete; resolves true to go ahead. */
  confirmDelete: (config: LifecycleConfig) => Promise<boolean>;
}

function Row({
  config,
  onEdit,
  ...props
}: LifecycleConfigsPanelProps & { config: LifecycleConfig; onEdit: () => void }) {
  const { model, trans } = props;
  const { id, spec, usedBy } = config;
  const sizes = configSizes(config);
  return (
    <li className="aiplat-lifecycleConfig-item" data-testid={`aiplat-lifecycleconfig-row-${spec.name}`}>
      <div className="aiplat-jobList-line">
        <span className="aiplat-jobList-name" title={spec.description ?? spec.name}>
          {spec.name}
        </span>
      </div>
      <div
        className="aiplat-jobList-line aiplat-jobList-meta"
        data-testid={`aiplat-lifecycleconfig-sizes-${spec.name}`}
      >
        {trans.__(
          'on-create: %1 · on-start: %2 characters encoded',
          formatCount(sizes.onCreate),
          formatCount(sizes.onStart),
        )}
      </div>
      <div
        className="aiplat-jobList-line aiplat-jobList-meta"
        data-testid={`aiplat-lifecycleconfig-usedby-${spec.name}`}
      >
        {usedBy.length > 0 ? trans.__('Used by %1', usedBy.join(', ')) : trans.__('Used by no dev machine')}
      </div>
      <RowNotes why={undefined} error={model.actionError(id)} />
      <div className="aiplat-devMachine-actions">
        <button className="jp-mod-styled" data-testid={`aiplat-lifecycleconfig-edit-${spec.name}`} onClick={onEdit}>
          {trans.__('Edit')}
        </button>
        <button
          className="jp-mod-styled"
          data-testid={`aiplat-lifecycleconfig-delete-${spec.name}`}
          onClick={() => {
            void props.confirmDelete(config).then((yes) => {
              if (yes) void model.delete(id);
            });
          }}
        >
          {trans.__('Delete')}
        </button>
      </div>
    </li>
  );
}

function LifecycleConfigs(props: LifecycleConfigsPanelProps) {
  const { model, trans, connection } = props;
  const [form, setForm] = React.useState<LifecycleConfigFormModel | undefined>(undefined);
  // The form open is disposed when another replaces it and with the panel.
  React.useEffect(() => () => form?.dispose(), [form]);
  const open = (config?: LifecycleConfig) => setForm(new LifecycleConfigFormModel(connection, config));
  return (
    <div className="aiplat-lifecycleConfigs">
      <p className="aiplat-form-hint">
        {trans.__(
          'Scripts a dev machine runs before its IDEs: on-create at its first start only, on-start at every start. A failing script fails the start; start in safe mode to skip them once.',
        )}
      </p>
      <LiveList
        model={model}
        trans={trans}
        kind="lifecycleconfig"
        className="aiplat-lifecycleConfigList"
        newLabel={trans.__('New lifecycle config')}
        onNew={() => open()}
        empty={trans.__('No lifecycle configs yet.')}
        emptyDisconnected={trans.__('Connect to see your lifecycle configs.')}
        row={(config) => <Row key={config.id} config={config} onEdit={() => open(config)} {...props} />}
      />
      {form && (
        <LifecycleConfigForm
          key={form.editing?.id ?? 'new'}
          form={form}
          trans={trans}
          onSaved={(saved) => {
            model.put(saved);
            setForm(undefined);
          }}
          onCancel={() => setForm(undefined)}
        />
      )}
    </div>
  );
}

/** The user's lifecycle configs in the main area: the list, and the form of the one created or edited. */
export class LifecycleConfigsPanel extends ModelWidget<LifecycleConfigsPanelProps> {
  constructor(props: LifecycleConfigsPanelProps) {
    super(props, props.model.changed, LifecycleConfigs, 'aiplat-lifecycleconfigs-panel');
  }
}
