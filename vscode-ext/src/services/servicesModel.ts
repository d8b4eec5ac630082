import type { Service, ServiceChange } from '@aiplat/api';
import { LiveListModel, type LiveListOptions, type ListChange } from '../model/liveListModel.js';

export type ServicesModelOptions = LiveListOptions;

/** A `services` topic change as a change of the list. */
function listChange(change: ServiceChange): ListChange<Service> {
  return change.change === 'deleted'
    ? { change: 'deleted', key: change.name }
    : { change: 'updated', item: change.service };
}

/**
 * The user's online services, free of `vscode`: `GET /api/services`, kept live by the `services`
 * topic (`updated` upserts, `deleted` removes), newest first.
 */
export class ServicesModel extends LiveListModel<Service> {
  constructor(options: ServicesModelOptions) {
    super(options, {
      topic: 'services',
      changeOf: (event) => (event.kind === 'services' ? listChange(event.data) : undefined),
      list: async (client) => (await client.listServices()).services,
      key: (service) => service.name,
      // Changes may overtake each other (an action's answer and the topic): the newer one stays.
      isStale: (current, incoming) => current.updatedAt > incoming.updatedAt,
    });
  }

  get services(): readonly Service[] {
    return this.items;
  }

  /** Applies a change from the topic, or the answer of an action the user just took. */
  apply(change: ServiceChange): void {
    this.applyChange(listChange(change));
  }
}
