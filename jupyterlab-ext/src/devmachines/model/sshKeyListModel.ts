import type { SshKey } from '@aiplat/api';
import { LiveListModel } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

function newestFirst(a: SshKey, b: SshKey): number {
  return b.addedAt.localeCompare(a.addedAt) || a.id.localeCompare(b.id);
}

/**
 * The user's SSH public keys, newest first, and their removal. They have no topic of their own and
 * no dev machine change touches them: the list is read when connected and put to by the add form.
 */
export class SshKeyListModel extends LiveListModel<SshKey> {
  constructor(connection: IConnectionModel) {
    super(connection, {
      topic: 'devmachines',
      load: async (client) => (await client.listSshKeys()).sshKeys,
      changeOf: () => undefined,
      keyOf: (key) => key.id,
      order: newestFirst,
    });
  }

  get keys(): readonly SshKey[] {
    return this.items;
  }

  /** Removes it; a refusal is kept as its action error. */
  delete(id: string): Promise<void> {
    return this.act(id, async (client) => {
      await client.deleteSshKey({ params: { id } });
      this.remove(id);
    });
  }
}
