import type { DevMachineChange, GitCredential } from '@aiplat/api';
import { LiveListModel, type ListChange } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

function newestFirst(a: GitCredential, b: GitCredential): number {
  return b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);
}

/**
 * Whether a dev machine's change may change a credential's `usedBy`: a machine whose repositories
 * name a credential that does not list it yet, or a deleted machine while any credential is in use.
 * Credentials have no topic of their own, so the list reads itself again then.
 */
export function credentialUsageMayChange(credentials: readonly GitCredential[], change: DevMachineChange): boolean {
  if (change.change === 'deleted') return credentials.some((c) => c.usedBy.length > 0);
  const { name, repositories = [] } = change.devMachine.spec;
  return repositories.some((repository) => {
    const credential = credentials.find((c) => c.name === repository.credential);
    return credential !== undefined && !credential.usedBy.includes(name);
  });
}

/** The user's Git credentials (never their secrets), newest first, kept current as dev machines come and go. */
export class GitCredentialListModel extends LiveListModel<GitCredential> {
  constructor(connection: IConnectionModel) {
    // The options are made before `this` exists; their change reads the list once it does.
    const list: { model?: GitCredentialListModel } = {};
    super(connection, {
      topic: 'devmachines',
      load: async (client) => (await client.listGitCredentials()).gitCredentials,
      changeOf: (event): ListChange<GitCredential> => {
        if (event.kind !== 'devmachines') return undefined;
        return list.model && credentialUsageMayChange(list.model.items, event.data) ? { reload: true } : undefined;
      },
      keyOf: (credential) => credential.id,
      order: newestFirst,
    });
    list.model = this;
  }

  get credentials(): readonly GitCredential[] {
    return this.items;
  }

  /** Deletes it; a refusal (named by a dev machine's repository: 409) is kept as its action error. */
  delete(id: string): Promise<void> {
    return this.act(id, async (client) => {
      await client.deleteGitCredential({ params: { id } });
      this.remove(id);
    });
  }
}
