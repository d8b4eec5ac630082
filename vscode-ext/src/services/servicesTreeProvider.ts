import type { ApiClient, Service, ServiceEvent, ServiceReplica, ServiceVersion } from '@aiplat/api';
import * as vscode from 'vscode';
import { ModelTreeProvider } from '../views/modelTreeProvider.js';
import { CommandIds } from '../commands/commandIds.js';
import { describeError } from '../connection/errorMessage.js';
import {
  eventIcon,
  replicaIcon,
  replicaStateLabel,
  serviceContextValue,
  serviceDescription,
  serviceEventText,
  serviceIcon,
  serviceResourcesText,
  serviceStateLabel,
} from './servicePresentation.js';
import { liveListRoots } from '../model/liveListModel.js';
import type { ServicesModel } from './servicesModel.js';

export type ServiceGroup = 'versions' | 'replicas' | 'events';

export type ServiceNode =
  | { kind: 'service'; service: Service }
  | { kind: 'group'; service: Service; group: ServiceGroup }
  | { kind: 'version'; service: Service; version: ServiceVersion }
  | { kind: 'replica'; service: Service; replica: ServiceReplica }
  | { kind: 'event'; event: ServiceEvent }
  | { kind: 'message'; text: string };

/** The argument Show Logs takes from a replica item: which service, which replica of which version. */
export interface ReplicaTarget {
  name: string;
  version: number;
  replica: number;
}

export const EVENTS_SHOWN = 15;

/**
 * The Services view: each of the user's online services with its state and ready replicas (live
 * from the `services` topic); expanded, its versions, replicas (health, restarts) and latest events.
 */
export class ServicesTreeProvider extends ModelTreeProvider<ServiceNode> {
  constructor(
    private readonly model: ServicesModel,
    private readonly client: () => ApiClient | undefined,
  ) {
    super((listener) => model.onDidChange(listener));
  }

  async getChildren(node?: ServiceNode): Promise<ServiceNode[]> {
    if (!node) {
      return liveListRoots<Service, ServiceNode>(this.model, {
        item: (service) => ({ kind: 'service', service }),
        message: (text) => ({ kind: 'message', text }),
        describe: describeError,
        empty: vscode.l10n.t('No services yet'),
      });
    }
    switch (node.kind) {
      case 'service': {
        const { service } = node;
        // The newest state of the service, not the one this node was made with.
        const current = this.model.find(service.name) ?? service;
        return (['versions', 'replicas', 'events'] as const).map((group) => ({
          kind: 'group',
          service: current,
          group,
        }));
      }
      case 'group':
        return this.groupChildren(node.service, node.group);
      default:
        return [];
    }
  }

  private async groupChildren(service: Service, group: ServiceGroup): Promise<ServiceNode[]> {
    switch (group) {
      case 'versions':
        return [...service.versions]
          .sort((a, b) => b.version - a.version)
          .map((version): ServiceNode => ({ kind: 'version', service, version }));
      case 'replicas': {
        const replicas = [...service.replicas].sort((a, b) => b.version - a.version || a.index - b.index);
        if (replicas.length === 0) return [{ kind: 'message', text: vscode.l10n.t('No replicas') }];
        return replicas.map((replica): ServiceNode => ({ kind: 'replica', service, replica }));
      }
      case 'events': {
        const client = this.client();
        if (!client) return [];
        try {
          const { events } = await client.serviceEvents({ params: { name: service.name } });
          if (events.length === 0) return [{ kind: 'message', text: vscode.l10n.t('No events yet') }];
          return events
            .slice(-EVENTS_SHOWN)
            .reverse()
            .map((event): ServiceNode => ({ kind: 'event', event }));
        } catch (error) {
          return [{ kind: 'message', text: describeError(error) }];
        }
      }
    }
  }

  getTreeItem(node: ServiceNode): vscode.TreeItem {
    const { Collapsed, None } = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'service': {
        const { service } = node;
        const item = new vscode.TreeItem(service.name, Collapsed);
        item.id = `service:${service.name}`;
        item.description = serviceDescription(service);
        item.tooltip = [
          service.name,
          service.description,
          serviceStateLabel(service.state),
          vscode.l10n.t('Version {0}', service.version),
          serviceResourcesText(service),
          service.url,
          service.waitReason?.message,
          service.failure?.message,
        ]
          .filter(Boolean)
          .join('\n');
        item.iconPath = new vscode.ThemeIcon(serviceIcon(service));
        item.contextValue = serviceContextValue(service);
        item.command = {
          command: CommandIds.openService,
          title: vscode.l10n.t('Open Service'),
          arguments: [service.name],
        };
        return item;
      }
      case 'group': {
        const labels: Record<ServiceGroup, string> = {
          versions: vscode.l10n.t('Versions'),
          replicas: vscode.l10n.t('Replicas'),
          events: vscode.l10n.t('Events'),
        };
        const icons: Record<ServiceGroup, string> = { versions: 'versions', replicas: 'server', events: 'history' };
        const item = new vscode.TreeItem(labels[node.group], Collapsed);
        item.id = `service:${node.service.name}:${node.group}`;
        item.iconPath = new vscode.ThemeIcon(icons[node.group]);
        if (node.group === 'versions') item.description = String(node.service.versions.length);
        if (node.group === 'replicas') item.description = String(node.service.replicas.length);
        return item;
      }
      case 'version': {
        const { version, service } = node;
        const item = new vscode.TreeItem(vscode.l10n.t('Version {0}', version.version), None);
        item.id = `service:${service.name}:version:${version.version}`;
        item.description = [version.serving ? vscode.l10n.t('serving') : undefined, version.spec.model]
          .filter(Boolean)
          .join(' · ');
        item.tooltip = [
          `model: ${version.spec.model}`,
          version.spec.code ? `code: ${version.spec.code}` : undefined,
          `command: ${version.spec.command}`,
          `port: ${version.spec.port}`,
          `replicas: ${version.spec.replicas}`,
          new Date(version.createdAt).toLocaleString(),
        ]
          .filter(Boolean)
          .join('\n');
        item.iconPath = new vscode.ThemeIcon(version.serving ? 'star-full' : 'tag');
        return item;
      }
      case 'replica': {
        const { replica, service } = node;
        const item = new vscode.TreeItem(vscode.l10n.t('Replica {0} (v{1})', replica.index, replica.version), None);
        item.id = `service:${service.name}:replica:${replica.version}:${replica.index}`;
        const restarts = replica.restarts > 0 ? vscode.l10n.t('{0} restarts', replica.restarts) : undefined;
        item.description = [replicaStateLabel(replica.state), restarts, replica.message].filter(Boolean).join(' · ');
        item.tooltip = [
          replicaStateLabel(replica.state),
          replica.startedAt ? new Date(replica.startedAt).toLocaleString() : undefined,
          replica.message,
        ]
          .filter(Boolean)
          .join('\n');
        item.iconPath = new vscode.ThemeIcon(replicaIcon(replica.state));
        item.contextValue = 'aiplat.serviceReplica';
        item.command = {
          command: CommandIds.showServiceLogs,
          title: vscode.l10n.t('Show Logs'),
          arguments: [{ name: service.name, version: replica.version, replica: replica.index } satisfies ReplicaTarget],
        };
        return item;
      }
      case 'event': {
        const item = new vscode.TreeItem(serviceEventText(node.event), None);
        item.description = new Date(node.event.time).toLocaleString();
        item.iconPath = new vscode.ThemeIcon(eventIcon(node.event));
        item.tooltip = `${node.event.time} · ${node.event.type}\n${node.event.message}`;
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.text, None);
    }
  }
}
