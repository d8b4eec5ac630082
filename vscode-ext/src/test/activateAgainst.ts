import { CommandIds, ViewIds } from '../commands/commandIds.js';
import { tokenKey } from '../connection/connectionService.js';
import { activate } from '../extension.js';
import type { JobsTreeProvider } from '../jobs/jobsTreeProvider.js';
import type { WorkspaceTreeProvider } from '../workspace/workspaceTreeProvider.js';
import { MemorySecretStore } from './memorySecretStore.js';
import type { RealBackend } from '../../../testing/src/realBackend.js';
import { commands, fake, Uri } from './vscodeFake.js';

export interface ActivatedExtension {
  jobsTree: JobsTreeProvider;
  workspaceTree: WorkspaceTreeProvider;
  dispose(): void;
}

/**
 * Activates the extension (the real `activate`, with the `vscode` fake) against a real backend:
 * the server URL setting points at it, its token is in the secret store, and it is connected.
 * Call after `vi.mock('vscode', ...)` in the test file.
 */
export async function activateAgainst(backend: RealBackend): Promise<ActivatedExtension> {
  fake.reset();
  fake.setConfig('aiplat.serverUrl', backend.url);
  const secrets = new MemorySecretStore();
  await secrets.store(tokenKey(backend.url), backend.token);
  const context = { subscriptions: [] as { dispose(): void }[], secrets, extensionUri: Uri.file('/ext') };
  activate(context as never);
  await commands.executeCommand(CommandIds.connect);
  fake.messages.length = 0;
  fake.progressTitles.length = 0;
  return {
    jobsTree: fake.treeProviders.get(ViewIds.jobs) as JobsTreeProvider,
    workspaceTree: fake.treeProviders.get(ViewIds.workspace) as WorkspaceTreeProvider,
    dispose: () => {
      for (const disposable of context.subscriptions) disposable.dispose();
    },
  };
}

/** The jobs the Jobs view shows, as `name:state` by id. */
export function jobStates(tree: JobsTreeProvider): Map<string, string> {
  const states = new Map<string, string>();
  for (const node of tree.getChildren()) if (node.kind === 'job') states.set(node.job.id, node.job.state);
  return states;
}
