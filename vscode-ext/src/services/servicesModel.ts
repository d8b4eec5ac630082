import type { Service, ServiceChange } from '@aiplat/api';
import { LiveListModel, type LiveListOptions } from '../model/liveListModel.js';

/**
 * The user's online services, free of `vscode`: `GET /api/services`, kept live by the `services`
 * topic (`updated` upserts, `deleted` removes), newest first.
 */
export type ServicesModel = LiveListModel<Service, ServiceChange>;

export function createServicesModel(options: LiveListOptions): ServicesModel {
  return new LiveListModel(options, {
    topic: 'services',
    changeOf: (event) => (event.kind === 'services' ? event.data : undefined),
    listChange: (c) =>
      c.change === 'deleted' ? { change: 'deleted', key: c.name } : { change: 'updated', item: c.service },
    list: async (client) => (await client.listServices()).services,
    key: (service) => service.name,
    // Changes may overtake each other (an action's answer and the topic): the newer one stays.
    isStale: (current, incoming) => current.updatedAt > incoming.updatedAt,
  });
}
