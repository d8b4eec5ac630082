import { loginUrl } from '../../model/loginLink.js';
import type { DevMachine, DevMachineEvent, DevMachineIde, DevMachineSpec } from '@aiplat/api';
import { LiveListModel } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

function newestFirst(a: DevMachine, b: DevMachine): number {
  return b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);
}

/**
 * The user's dev machines: `listDevMachines`, then kept live from the `devmachines` topic (no
 * polling), and the actions on them. Reloads when the connection comes back.
 */
export class DevMachineListModel extends LiveListModel<DevMachine> {
  constructor(connection: IConnectionModel) {
    super(connection, {
      topic: 'devmachines',
      load: async (client) => (await client.listDevMachines()).devMachines,
      changeOf: (event) => {
        if (event.kind !== 'devmachines') return undefined;
        return event.data.change === 'deleted' ? { removed: event.data.id } : { put: event.data.devMachine };
      },
      keyOf: (machine) => machine.id,
      order: newestFirst,
    });
  }

  get machines(): readonly DevMachine[] {
    return this.items;
  }

  /** Starts it; in safe mode its lifecycle config's scripts are skipped, this once. */
  start(id: string, safeMode = false): Promise<void> {
    return this.act(id, async (client) =>
      this.put(await client.startDevMachine({ params: { id }, body: safeMode ? { safeMode } : {} })),
    );
  }

  stop(id: string, force = false): Promise<void> {
    return this.act(id, async (client) =>
      this.put(await client.stopDevMachine({ params: { id }, body: force ? { force } : {} })),
    );
  }

  /** Puts its auto-stop off by one hour; a 409 (nothing to put off) is kept as its action error. */
  snooze(id: string): Promise<void> {
    return this.act(id, async (client) => this.put(await client.snoozeDevMachineAutoStop({ params: { id } })));
  }

  delete(id: string): Promise<void> {
    return this.act(id, async (client) => {
      await client.deleteDevMachine({ params: { id } });
      this.remove(id);
    });
  }

  /** The dev machine's spec under a new name, for the create form. */
  async copy(id: string): Promise<DevMachineSpec | undefined> {
    let spec: DevMachineSpec | undefined;
    await this.act(id, async (client) => {
      spec = (await client.copyDevMachine({ params: { id } })).spec;
    });
    return spec;
  }

  /** Its events, oldest first. */
  async events(id: string): Promise<DevMachineEvent[]> {
    const client = this.connection.client;
    if (!client) return [];
    return (await client.devMachineEvents({ params: { id } })).events;
  }

  /**
   * The URL that opens one of its IDEs signed in as the user: a one-time login link of the
   * platform (one browser, once, for minutes) leading to the IDE's page.
   */
  async ideLink(id: string, ide: DevMachineIde): Promise<string | undefined> {
    const next = this.items.find((m) => m.id === id)?.urls[ide];
    if (!next) return undefined;
    let url: string | undefined;
    await this.act(id, async () => {
      url = await loginUrl(this.connection, next);
    });
    return url;
  }
}
