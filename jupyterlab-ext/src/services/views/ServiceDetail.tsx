import type { Service } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { formatTime } from '../../training/views/labels.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import type { ServiceDetailModel } from '../model/serviceDetailModel.js';
import type { ServiceKeysModel } from '../model/serviceKeysModel.js';
import { readyReplicas, serviceActions } from '../model/serviceListModel.js';
import { CopyButton } from './CopyButton.js';
import { replicaStateLabel, serviceEventLabel, serviceStateLabel } from './labels.js';
import { ServiceCalls } from './ServiceCalls.js';
import { ServiceCharts } from './ServiceCharts.js';
import { ServiceKeys } from './ServiceKeys.js';
import { ServiceLogs } from './ServiceLogs.js';

export interface ServiceDetailProps {
  model: ServiceDetailModel;
  keys: ServiceKeysModel;
  trans: TranslationBundle;
  /** Asks a yes/no question (stop, a delete); resolves true to go ahead. */
  confirm: (question: string) => Promise<boolean>;
}

type Tab = 'overview' | 'events' | 'logs' | 'metrics' | 'keys' | 'calls';

function Overview({ service, trans }: { service: Service; trans: TranslationBundle }) {
  const serving = service.versions.find((v) => v.version === service.version);
  const spec = serving?.spec;
  return (
    <div className="aiplat-jobView-overview">
      {service.failure && <div className="aiplat-error">{service.failure.message}</div>}
      {service.waitReason && <div className="aiplat-jobView-wait">{service.waitReason.message}</div>}
      <dl className="aiplat-jobView-facts">
        <dt>{trans.__('Engine')}</dt>
        <dd>{service.engine}</dd>
        <dt>{trans.__('Who may call')}</dt>
        <dd data-testid="aiplat-service-auth">{service.auth.join(', ')}</dd>
        <dt>{trans.__('Limits')}</dt>
        <dd>
          {trans.__(
            '%1 QPS and %2 concurrent requests per replica, bodies up to %3 MiB, %4 s upstream timeout',
            service.limits.qpsPerReplica,
            service.limits.concurrencyPerReplica,
            Math.round((service.limits.maxBodyBytes / 1024 / 1024) * 10) / 10,
            service.limits.upstreamTimeoutSeconds,
          )}
        </dd>
        {spec && (
          <>
            <dt>{trans.__('Model folder')}</dt>
            <dd>/work/{spec.model}</dd>
            <dt>{trans.__('Start command')}</dt>
            <dd>
              <code>{spec.command}</code>
            </dd>
          </>
        )}
        <dt>{trans.__('Created')}</dt>
        <dd>{formatTime(service.createdAt)}</dd>
      </dl>
      <h3>{trans.__('Versions')}</h3>
      <table className="aiplat-jobView-instances" data-testid="aiplat-service-versions">
        <thead>
          <tr>
            <th>{trans.__('Version')}</th>
            <th>{trans.__('Model folder')}</th>
            <th>{trans.__('Replicas')}</th>
            <th>{trans.__('Created')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[...service.versions].reverse().map((v) => (
            <tr key={v.version} data-testid={`aiplat-service-version-${v.version}`} data-serving={v.serving}>
              <td>v{v.version}</td>
              <td>{v.spec.model}</td>
              <td>{v.spec.replicas}</td>
              <td>{formatTime(v.createdAt)}</td>
              <td>
                {v.serving && <strong className="aiplat-service-serving">{trans.__('serving')}</strong>}
                {v.failed && <span className="aiplat-error">{v.failed}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{trans.__('Replicas')}</h3>
      <table className="aiplat-jobView-instances" data-testid="aiplat-service-replicas">
        <thead>
          <tr>
            <th>{trans.__('Replica')}</th>
            <th>{trans.__('Version')}</th>
            <th>{trans.__('Health')}</th>
            <th>{trans.__('Restarts')}</th>
            <th>{trans.__('Started')}</th>
            <th>{trans.__('Message')}</th>
          </tr>
        </thead>
        <tbody>
          {service.replicas.map((r) => (
            <tr
              key={`${r.version}-${r.index}`}
              data-testid={`aiplat-service-replica-${r.version}-${r.index}`}
              data-state={r.state}
            >
              <td>#{r.index}</td>
              <td>v{r.version}</td>
              <td className={`aiplat-replicaState-${r.state}`}>{replicaStateLabel(r.state, trans)}</td>
              <td>{r.restarts}</td>
              <td>{formatTime(r.startedAt)}</td>
              <td className="aiplat-service-message">{r.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Events({ model, trans }: { model: ServiceDetailModel; trans: TranslationBundle }) {
  return (
    <table className="aiplat-jobView-events" data-testid="aiplat-service-events">
      <tbody>
        {[...model.events].reverse().map((e, i) => (
          <tr key={`${e.time}-${i}`} data-type={e.type}>
            <td>{formatTime(e.time)}</td>
            <td>{serviceEventLabel(e.type, trans)}</td>
            <td>
              {e.version !== undefined ? `v${e.version} ` : ''}
              {e.replica !== undefined ? `#${e.replica} ` : ''}
            </td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Header({ model, trans, confirm }: ServiceDetailProps) {
  const service = model.service;
  const url = model.gatewayUrl;
  const can = service ? serviceActions(service) : undefined;
  const { ready, total } = service ? readyReplicas(service) : { ready: 0, total: 0 };
  return (
    <>
      <div className="aiplat-jobView-header">
        <h2>{model.name}</h2>
        {service && (
          <span
            className={`aiplat-jobState aiplat-serviceState-${service.state}`}
            data-testid="aiplat-service-detail-state"
            data-state={service.state}
          >
            {serviceStateLabel(service.state, trans)}
          </span>
        )}
        {service && <span data-testid="aiplat-service-detail-ready">{trans.__('%1/%2 ready', ready, total)}</span>}
        {model.deleted && <span className="aiplat-jobState">{trans.__('Deleted')}</span>}
      </div>
      <div className="aiplat-service-url aiplat-service-secretLine">
        <code data-testid="aiplat-service-detail-url">{url}</code>
        <CopyButton text={url} trans={trans} testId="aiplat-service-url-copy" />
      </div>
      {can && !model.deleted && (
        <div className="aiplat-jobView-actions">
          {can.start && (
            <button
              className="jp-mod-styled"
              data-testid="aiplat-service-detail-start"
              onClick={() => void model.act('start')}
            >
              {trans.__('Start')}
            </button>
          )}
          {can.restart && (
            <button
              className="jp-mod-styled"
              data-testid="aiplat-service-detail-restart"
              onClick={() => void model.act('restart')}
            >
              {trans.__('Restart')}
            </button>
          )}
          {can.stop && (
            <button
              className="jp-mod-styled jp-mod-warn"
              data-testid="aiplat-service-detail-stop"
              onClick={() =>
                void confirm(trans.__('Stop %1? Callers get 503 until it starts again.', model.name)).then((yes) =>
                  yes ? model.act('stop') : undefined,
                )
              }
            >
              {trans.__('Stop')}
            </button>
          )}
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

function ServiceDetailBody(props: ServiceDetailProps) {
  const { model, keys, trans } = props;
  const [tab, setTab] = React.useState<Tab>('overview');
  const service = model.service;
  const tabs: { id: Tab; label: string }[] = [
    { id: 'overview', label: trans.__('Overview') },
    { id: 'events', label: trans.__('Events') },
    { id: 'logs', label: trans.__('Logs') },
    { id: 'metrics', label: trans.__('Metrics') },
    { id: 'keys', label: trans.__('Keys and tokens') },
    { id: 'calls', label: trans.__('Test') },
  ];
  const replicas = service?.replicas.filter((r) => r.version === service.version).map((r) => r.index) ?? [];
  return (
    <div className="aiplat-jobView aiplat-serviceView" data-testid="aiplat-service-view" data-name={model.name}>
      <Header {...props} />
      <div className="aiplat-tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={tab === t.id}
            className={`aiplat-tab${tab === t.id ? ' aiplat-mod-selected' : ''}`}
            data-testid={`aiplat-service-tab-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="aiplat-tab-body">
        {tab === 'overview' && service && <Overview service={service} trans={trans} />}
        {tab === 'events' && <Events model={model} trans={trans} />}
        {tab === 'logs' && <ServiceLogs logs={model.logs} replicas={replicas} trans={trans} />}
        {tab === 'metrics' && (
          <ServiceCharts
            points={model.points}
            step={model.metricStepSeconds}
            trans={trans}
            onRefresh={() => void model.refreshMetrics()}
          />
        )}
        {tab === 'keys' && <ServiceKeys keys={keys} trans={trans} confirm={props.confirm} />}
        {/* Kept while other tabs show: a typed request or a chat in progress stays. */}
        <div hidden={tab !== 'calls'}>
          <ServiceCalls
            serviceUrl={model.gatewayUrl}
            token={() => model.connection.bearerToken}
            appKeys={keys.appKeys}
            trans={trans}
          />
        </div>
      </div>
    </div>
  );
}

/** One service in the main area: state, URL, actions, versions, replicas, events, logs, charts, keys, calls. */
export class ServiceDetailView extends ModelWidget<ServiceDetailProps> {
  constructor(props: ServiceDetailProps) {
    super(props, props.model.changed, ServiceDetailBody, 'aiplat-service-view-widget');
    // The signed curl lists the AppKeys: redraw when they change too.
    props.keys.changed.connect(() => this.update(), this);
  }

  /** The service shown. */
  get serviceName(): string {
    return this.props.model.name;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.props.keys.dispose();
    super.dispose();
  }
}
