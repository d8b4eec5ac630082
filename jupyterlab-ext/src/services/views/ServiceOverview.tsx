import type { Service } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { formatTime } from '../../training/views/labels.js';
import type { ServiceDetailModel } from '../model/serviceDetailModel.js';
import { replicaStateLabel, serviceEventLabel } from './labels.js';

/** A service's facts, its versions (the serving one marked) and its replicas with their health. */
export function ServiceOverview({ service, trans }: { service: Service; trans: TranslationBundle }) {
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

/** A service's events, newest first. */
export function ServiceEvents({ model, trans }: { model: ServiceDetailModel; trans: TranslationBundle }) {
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
