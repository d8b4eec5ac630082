import type { Service } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { LiveList, RowNotes } from '../../training/views/LiveList.js';
import { ModelWidget } from '../../training/views/ModelWidget.js';
import { StateBadge } from '../../training/views/StateBadge.js';
import { readyReplicas, serviceActions, type ServiceListModel } from '../model/serviceListModel.js';
import { serviceStateLabel } from './labels.js';

export interface ServiceListPanelProps {
  model: ServiceListModel;
  trans: TranslationBundle;
  onDeploy: () => void;
  onOpen: (name: string) => void;
  /** Opens the service's update form (scale, a new version, callers and limits). */
  onUpdate: (name: string) => void;
  /** Asks before a stop or a delete; resolves true to go ahead. */
  confirm: (action: 'stop' | 'delete', service: Service) => Promise<boolean>;
}

function Row({ service, ...props }: ServiceListPanelProps & { service: Service }) {
  const { model, trans } = props;
  const { name, state } = service;
  const { ready, total } = readyReplicas(service);
  const can = serviceActions(service);
  const url = model.gatewayUrl(service);
  const why = state === 'Failed' ? service.failure?.message : service.waitReason?.message;
  const button = (action: string, label: string, onClick: () => void, accept = false) => (
    <button
      className={`jp-mod-styled${accept ? ' jp-mod-accept' : ''}`}
      data-testid={`aiplat-service-${action}-${name}`}
      onClick={onClick}
    >
      {label}
    </button>
  );
  const confirmed = (action: 'stop' | 'delete', run: () => Promise<void>) => {
    void props.confirm(action, service).then((yes) => (yes ? run() : undefined));
  };
  return (
    <li className="aiplat-service-item" data-testid={`aiplat-service-row-${name}`} data-state={state}>
      <div className="aiplat-jobList-line">
        <a
          className="aiplat-jobList-name aiplat-service-name"
          href="#"
          title={service.description ?? name}
          onClick={(e) => {
            e.preventDefault();
            props.onOpen(name);
          }}
        >
          {name}
        </a>
        <StateBadge
          kind="aiplat-serviceState"
          state={state}
          label={serviceStateLabel(state, trans)}
          testId={`aiplat-service-state-${name}`}
        />
      </div>
      <div className="aiplat-jobList-line aiplat-jobList-meta">
        <span data-testid={`aiplat-service-replicas-${name}`}>{trans.__('%1/%2 ready', ready, total)}</span>
        <span>{trans.__('v%1', service.version)}</span>
      </div>
      <div className="aiplat-service-url" data-testid={`aiplat-service-url-${name}`} title={url}>
        {url}
      </div>
      <RowNotes why={why} error={model.actionError(name)} />
      <div className="aiplat-devMachine-actions">
        {button('open', trans.__('Open'), () => props.onOpen(name), true)}
        {can.start && button('start', trans.__('Start'), () => void model.start(name))}
        {can.stop && button('stop', trans.__('Stop'), () => confirmed('stop', () => model.stop(name)))}
        {can.restart && button('restart', trans.__('Restart'), () => void model.restart(name))}
        {button('update', trans.__('Update'), () => props.onUpdate(name))}
        {can.delete && button('delete', trans.__('Delete'), () => confirmed('delete', () => model.delete(name)))}
      </div>
    </li>
  );
}

function ServiceList(props: ServiceListPanelProps) {
  const { model, trans } = props;
  return (
    <LiveList
      model={model}
      trans={trans}
      kind="service"
      className="aiplat-serviceList"
      newLabel={trans.__('Deploy service')}
      onNew={props.onDeploy}
      empty={trans.__('No services yet.')}
      emptyDisconnected={trans.__('Connect to see your services.')}
      row={(service) => <Row key={service.name} service={service} {...props} />}
    />
  );
}

/** The sidebar's Services section: the live list, each with its state, replicas, URL and actions. */
export class ServiceListPanel extends ModelWidget<ServiceListPanelProps> {
  constructor(props: ServiceListPanelProps) {
    super(props, props.model.changed, ServiceList, 'aiplat-services-panel');
  }
}
