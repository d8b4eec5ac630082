import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { StateBadge } from '../../training/views/StateBadge.js';
import { TabBar } from '../../training/views/TabBar.js';
import type { ServiceDetailModel, ServiceTab } from '../model/serviceDetailModel.js';
import type { ServiceKeysModel } from '../model/serviceKeysModel.js';
import { readyReplicas, serviceActions } from '../model/serviceListModel.js';
import type { ServiceUpdateModel } from '../model/serviceUpdateModel.js';
import { CopyButton } from './CopyButton.js';
import { serviceStateLabel } from './labels.js';
import { ServiceCalls } from './ServiceCalls.js';
import { ServiceCharts } from './ServiceCharts.js';
import { ServiceKeys } from './ServiceKeys.js';
import { ServiceLogs } from './ServiceLogs.js';
import { ServiceEvents, ServiceOverview } from './ServiceOverview.js';
import type { ImageChoices } from '../../images/model/imageListModel.js';
import { ServiceUpdate } from './ServiceUpdate.js';

export interface ServiceDetailProps {
  model: ServiceDetailModel;
  keys: ServiceKeysModel;
  /** The update form, filled from the service as it loads. */
  update: ServiceUpdateModel;
  trans: TranslationBundle;
  /** The catalog's images, offered in the update form's image field. */
  images?: ImageChoices;
  /** Asks a yes/no question (stop, a delete); resolves true to go ahead. */
  confirm: (question: string) => Promise<boolean>;
}

function Header({ model, trans, confirm }: ServiceDetailProps) {
  const service = model.service;
  const url = model.gatewayUrl;
  const deleted = model.deleted;
  // A deleted service has no state and no actions left.
  const can = service && !deleted ? serviceActions(service) : undefined;
  const { ready, total } = service ? readyReplicas(service) : { ready: 0, total: 0 };
  const button = (action: string, label: string, onClick: () => void, warn = false) => (
    <button
      className={`jp-mod-styled${warn ? ' jp-mod-warn' : ''}`}
      data-testid={`aiplat-service-detail-${action}`}
      onClick={onClick}
    >
      {label}
    </button>
  );
  const stop = () =>
    void confirm(trans.__('Stop %1? Callers get 503 until it starts again.', model.name)).then((yes) =>
      yes ? model.act('stop') : undefined,
    );
  return (
    <>
      <div className="aiplat-jobView-header">
        <h2>{model.name}</h2>
        {deleted ? (
          <StateBadge
            kind="aiplat-serviceState"
            state="Deleted"
            label={trans.__('Deleted')}
            testId="aiplat-service-detail-state"
          />
        ) : (
          service && (
            <StateBadge
              kind="aiplat-serviceState"
              state={service.state}
              label={serviceStateLabel(service.state, trans)}
              testId="aiplat-service-detail-state"
            />
          )
        )}
        {service && !deleted && (
          <span data-testid="aiplat-service-detail-ready">{trans.__('%1/%2 ready', ready, total)}</span>
        )}
      </div>
      {deleted && (
        <div className="aiplat-service-warning" data-testid="aiplat-service-detail-deleted" role="status">
          {trans.__(
            '%1 was deleted. What it was is still shown, but it can no longer be started, updated, scaled or called.',
            model.name,
          )}
        </div>
      )}
      <div className="aiplat-service-detailUrl aiplat-service-secretLine">
        <code data-testid="aiplat-service-detail-url">{url}</code>
        <CopyButton text={url} trans={trans} testId="aiplat-service-url-copy" />
      </div>
      {can && (
        <div className="aiplat-jobView-actions">
          {can.start && button('start', trans.__('Start'), () => void model.act('start'))}
          {can.restart && button('restart', trans.__('Restart'), () => void model.act('restart'))}
          {can.stop && button('stop', trans.__('Stop'), stop, true)}
        </div>
      )}
      {model.error && (
        <div className="aiplat-error" data-testid="aiplat-service-detail-error">
          {model.error}
        </div>
      )}
    </>
  );
}

/**
 * A tab that acts on the service (its keys, calls, update form): every control in it disabled once
 * the service is deleted, what is typed and shown kept.
 */
function ActionTab({ deleted, children }: { deleted: boolean; children: React.ReactNode }) {
  return (
    <fieldset className="aiplat-service-actionTab" disabled={deleted}>
      {children}
    </fieldset>
  );
}

/** The body of a service's view: its header, its tabs and the tab shown. */
export function ServiceDetailBody(props: ServiceDetailProps) {
  const { model, keys, update, trans } = props;
  const tab = model.tab;
  const service = model.service;
  const tabs: { id: ServiceTab; label: string }[] = [
    { id: 'overview', label: trans.__('Overview') },
    { id: 'events', label: trans.__('Events') },
    { id: 'logs', label: trans.__('Logs') },
    { id: 'metrics', label: trans.__('Metrics') },
    { id: 'keys', label: trans.__('Keys and tokens') },
    { id: 'calls', label: trans.__('Test') },
    { id: 'update', label: trans.__('Update') },
  ];
  const replicas = service?.replicas.filter((r) => r.version === service.version).map((r) => r.index) ?? [];
  return (
    <div className="aiplat-jobView aiplat-serviceView" data-testid="aiplat-service-view" data-name={model.name}>
      <Header {...props} />
      <TabBar tabs={tabs} current={tab} onSelect={(t) => model.showTab(t)} testIdPrefix="aiplat-service-tab-" />
      <div className="aiplat-tab-body">
        {tab === 'overview' && service && <ServiceOverview service={service} trans={trans} />}
        {tab === 'events' && <ServiceEvents model={model} trans={trans} />}
        {tab === 'logs' && <ServiceLogs logs={model.logs} replicas={replicas} trans={trans} />}
        {tab === 'metrics' && (
          <ServiceCharts
            points={model.points}
            step={model.metricStepSeconds}
            trans={trans}
            onRefresh={() => void model.refreshMetrics()}
          />
        )}
        {tab === 'keys' && (
          <ActionTab deleted={model.deleted}>
            <ServiceKeys keys={keys} trans={trans} confirm={props.confirm} />
          </ActionTab>
        )}
        {tab === 'update' && service && update.loaded && (
          <ActionTab deleted={model.deleted}>
            <ServiceUpdate update={update} service={service} trans={trans} images={props.images} />
          </ActionTab>
        )}
        {/* Kept while other tabs show: a typed request or a chat in progress stays. */}
        <div hidden={tab !== 'calls'}>
          <ActionTab deleted={model.deleted}>
            <ServiceCalls
              serviceUrl={model.gatewayUrl}
              token={() => model.connection.bearerToken}
              appKeys={keys.appKeys}
              trans={trans}
            />
          </ActionTab>
        </div>
      </div>
    </div>
  );
}

/**
 * One service in the main area: state, URL, actions, versions, replicas, events, logs, charts,
 * keys, calls and its update form.
 */
export class ServiceDetailView extends ModelWidget<ServiceDetailProps> {
  constructor(props: ServiceDetailProps) {
    super(props, props.model.changed, ServiceDetailBody, 'aiplat-service-view-widget');
    // The signed curl lists the AppKeys, the update form shows what is typed: redraw for them too.
    props.keys.changed.connect(() => this.update(), this);
    props.update.changed.connect(() => this.update(), this);
    // The update form follows the service while nothing is typed in it, and sends nothing once it is deleted.
    props.model.changed.connect((model, change) => {
      if (change !== 'service') return;
      if (model.deleted) props.update.markDeleted();
      else if (model.service) props.update.follow(model.service);
    }, this);
  }

  /** The service shown. */
  get serviceName(): string {
    return this.props.model.name;
  }

  /** The detail's model (its service, the tab shown). */
  get model(): ServiceDetailModel {
    return this.props.model;
  }

  /** The update form's model. */
  get updateForm(): ServiceUpdateModel {
    return this.props.update;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.props.keys.dispose();
    this.props.update.dispose();
    super.dispose();
  }
}
