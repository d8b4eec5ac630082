import type { AssetsTreeProvider } from '../assets/assetsTreeProvider.js';
import type { DevMachinesTreeProvider } from '../devmachines/devMachinesTreeProvider.js';
import type { ImagesTreeProvider } from '../images/imagesTreeProvider.js';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { CommandIds, ViewIds } from '../commands/commandIds.js';
import { tokenKey } from '../connection/connectionService.js';
import { activate } from '../extension.js';
import type { JobsTreeProvider } from '../jobs/jobsTreeProvider.js';
import type { WorkspaceTreeProvider } from '../workspace/workspaceTreeProvider.js';
import { MemoryMemento } from './memoryMemento.js';
import { MemorySecretStore } from './memorySecretStore.js';
import { startRealBackend, type RealBackend } from '../../../testing/src/realBackend.js';
import { commands, fake, Uri } from './vscodeFake.js';
import { waitUntil } from './wait.js';

export interface ActivatedExtension {
  jobsTree: JobsTreeProvider;
  workspaceTree: WorkspaceTreeProvider;
  devMachinesTree: DevMachinesTreeProvider;
  imagesTree: ImagesTreeProvider;
  datasetsTree: AssetsTreeProvider;
  modelsTree: AssetsTreeProvider;
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
  const context = {
    subscriptions: [] as { dispose(): void }[],
    secrets,
    globalState: new MemoryMemento(),
    extensionUri: Uri.file('/ext'),
  };
  activate(context as never);
  await commands.executeCommand(CommandIds.connect);
  fake.messages.length = 0;
  fake.progressTitles.length = 0;
  return {
    jobsTree: fake.treeProviders.get(ViewIds.jobs) as JobsTreeProvider,
    workspaceTree: fake.treeProviders.get(ViewIds.workspace) as WorkspaceTreeProvider,
    devMachinesTree: fake.treeProviders.get(ViewIds.devMachines) as DevMachinesTreeProvider,
    imagesTree: fake.treeProviders.get(ViewIds.images) as ImagesTreeProvider,
    datasetsTree: fake.treeProviders.get(ViewIds.datasets) as AssetsTreeProvider,
    modelsTree: fake.treeProviders.get(ViewIds.models) as AssetsTreeProvider,
    dispose: () => {
      for (const disposable of context.subscriptions) disposable.dispose();
    },
  };
}

export interface ActivatedBackend {
  backend: RealBackend;
  /** Activated afresh for each test. */
  extension: ActivatedExtension;
}

/**
 * For a test file (after `vi.mock('vscode', ...)`): the real backend, started once (`seed` writes its
 * files; `backendOptions` e.g. its extra configuration) and closed after the file, and the extension activated against it for each test. The fields
 * are set before each test runs.
 */
export function useActivatedExtension(
  seed?: (backend: RealBackend) => Promise<void>,
  backendOptions?: Parameters<typeof startRealBackend>[0],
): ActivatedBackend {
  const live = {} as ActivatedBackend;
  beforeAll(async () => {
    live.backend = await startRealBackend(backendOptions);
    await seed?.(live.backend);
  });
  afterAll(() => live.backend?.close());
  beforeEach(async () => {
    live.extension = await activateAgainst(live.backend);
  });
  afterEach(() => live.extension.dispose());
  return live;
}

/** The jobs the Jobs view shows, as `name:state` by id. */
export function jobStates(tree: JobsTreeProvider): Map<string, string> {
  const states = new Map<string, string>();
  for (const node of tree.getChildren()) if (node.kind === 'job') states.set(node.job.id, node.job.state);
  return states;
}

/** Waits until the Jobs view shows job `id` in `state`; on failure, says what the view and the server had. */
export async function waitForJobState(
  extension: ActivatedExtension,
  backend: RealBackend,
  id: string,
  state: string,
): Promise<void> {
  try {
    await waitUntil(
      extension.jobsTree.onDidChangeTreeData,
      () => jobStates(extension.jobsTree).get(id) === state,
      state,
    );
  } catch (error) {
    const job = await backend.client().getJob({ params: { id } });
    const events = await backend.client().jobEvents({ params: { id }, query: {} });
    throw new Error(
      `${String(error)}; view: ${jobStates(extension.jobsTree).get(id)}; server: ${job.state}; ${JSON.stringify(events.events.map((e) => [e.time, e.type, e.message]))}; messages: ${JSON.stringify(fake.messages)}`,
    );
  }
}
