import type { DevMachine, DevMachineChange } from '@aiplat/api';
import { LiveListModel, type LiveListOptions } from '../model/liveListModel.js';

/**
 * The user's dev machines, free of `vscode`: `GET /api/devmachines`, kept live by the `devmachines`
 * topic (`updated` upserts, `deleted` removes), newest first.
 */
export type DevMachinesModel = LiveListModel<DevMachine, DevMachineChange>;

export function createDevMachinesModel(options: LiveListOptions): DevMachinesModel {
  return new LiveListModel(options, {
    topic: 'devmachines',
    changeOf: (event) => (event.kind === 'devmachines' ? event.data : undefined),
    listChange: (c) =>
      c.change === 'deleted' ? { change: 'deleted', key: c.id } : { change: 'updated', item: c.devMachine },
    list: async (client) => (await client.listDevMachines()).devMachines,
    key: (machine) => machine.id,
  });
}
