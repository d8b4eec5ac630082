import type { Service } from '@aiplat/api';
import { LiveListModel } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

function newestFirst(a: Service, b: Service): number {
  return b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);
}

/** The serving version's replicas: how many are ready out of how many. */
export function readyReplicas(service: Service): { ready: number; total: number } {
  const serving = service.replicas.filter((r) => r.version === service.version && r.state !== 'Stopped');
  return { ready: serving.filter((r) => r.state === 'Ready').length, total: serving.length };
}

/** Which actions a service's state allows. */
export function serviceActions(service: Service): { start: boolean; stop: boolean; restart: boolean; delete: boolean } {
  const { state } = service;
  return {
    start: state === 'Stopped' || state === 'Failed' || state === 'Sleeping',
    stop: state === 'Deploying' || state === 'Running' || state === 'Updating' || state === 'Sleeping',
    restart: state === 'Running',
    delete: state === 'Stopped' || state === 'Failed',
  };
}

/**
 * The user's services: `listServices`, then kept live from the `services` topic (no polling), and
 * the actions on them. Reloads when the connection comes back.
 */
export class ServiceListModel extends LiveListModel<Service> {
  constructor(connection: IConnectionModel) {
    super(connection, {
      topic: 'services',
      load: async (client) => (await client.listServices()).services,
      changeOf: (event) => {
        if (event.kind !== 'services') return undefined;
        return event.data.change === 'deleted' ? { removed: event.data.name } : { put: event.data.service };
      },
      keyOf: (service) => service.name,
      order: newestFirst,
    });
  }

  get services(): readonly Service[] {
    return this.items;
  }

  /** The service's full URL through the gateway, e.g. `http://server:8080/services/chat/`. */
  gatewayUrl(service: Service): string {
    return new URL(service.url, `${this.connection.serverUrl.replace(/\/+$/, '')}/`).toString();
  }

  start(name: string): Promise<void> {
    return this.act(name, async (client) => this.put(await client.startService({ params: { name } })));
  }

  stop(name: string): Promise<void> {
    return this.act(name, async (client) => this.put(await client.stopService({ params: { name }, body: {} })));
  }

  restart(name: string): Promise<void> {
    return this.act(name, async (client) => this.put(await client.restartService({ params: { name } })));
  }

  delete(name: string): Promise<void> {
    return this.act(name, async (client) => {
      await client.deleteService({ params: { name } });
      this.remove(name);
    });
  }
}
