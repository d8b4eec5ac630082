import type { DevMachine, DevMachineChange } from '@aiplat/api';
import { LiveListModel, type LiveListOptions, type ListChange } from '../model/liveListModel.js';

export type DevMachinesModelOptions = LiveListOptions;

/** A `devmachines` topic change as a change of the list. */
function listChange(change: DevMachineChange): ListChange<DevMachine> {
  return change.change === 'deleted'
    ? { change: 'deleted', key: change.id }
    : { change: 'updated', item: change.devMachine };
}

/**
 * The user's dev machines, free of `vscode`: `GET /api/devmachines`, kept live by the `devmachines`
 * topic (`updated` upserts, `deleted` removes), newest first.
 */
export class DevMachinesModel extends LiveListModel<DevMachine> {
  constructor(options: DevMachinesModelOptions) {
    super(options, {
      topic: 'devmachines',
      changeOf: (event) => (event.kind === 'devmachines' ? listChange(event.data) : undefined),
      list: async (client) => (await client.listDevMachines()).devMachines,
      key: (machine) => machine.id,
    });
  }

  get machines(): readonly DevMachine[] {
    return this.items;
  }

  /** Applies a change from the topic, or the answer of an action the user just took. */
  apply(change: DevMachineChange): void {
    this.applyChange(listChange(change));
  }
}
