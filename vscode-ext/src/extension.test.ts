import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandIds, ViewIds } from './commands/commandIds.js';
import { tokenKey } from './connection/connectionService.js';
import { activate } from './extension.js';
import { startInfoServer, type InfoServer } from '../../testing/src/infoServer.js';
import { MemoryMemento } from './test/memoryMemento.js';
import { MemorySecretStore } from './test/memorySecretStore.js';
import { commands, fake } from './test/vscodeFake.js';
import type { WorkspaceNode, WorkspaceTreeProvider } from './workspace/workspaceTreeProvider.js';

vi.mock('vscode', () => import('./test/vscodeFake.js'));

describe('activate', () => {
  let context: { subscriptions: { dispose(): void }[]; secrets: MemorySecretStore; globalState: MemoryMemento };

  beforeEach(() => {
    fake.reset();
    context = { subscriptions: [], secrets: new MemorySecretStore(), globalState: new MemoryMemento() };
  });

  afterEach(() => {
    for (const disposable of context.subscriptions) disposable.dispose();
  });

  it('registers the commands and hands every disposable to the context', () => {
    activate(context as never);

    expect([...fake.commands.keys()].sort()).toEqual(Object.values(CommandIds).sort());
    expect(fake.configListeners.size).toBe(1);
    for (const disposable of context.subscriptions) disposable.dispose();
    expect(fake.commands.size).toBe(0);
    expect(fake.configListeners.size).toBe(0);
  });

  it('connects to the server URL setting and drops the connection when the setting changes', async () => {
    const server: InfoServer = await startInfoServer('s3cret');
    try {
      await context.secrets.store(tokenKey(server.url), 's3cret');
      fake.setConfig('aiplat.serverUrl', server.url);
      activate(context as never);

      await commands.executeCommand(CommandIds.connect);
      expect(fake.messages.at(-1)?.text).toBe(`Connected to ${server.url} as alice (server 0.1.0-test, API 1.0).`);

      fake.setConfig('aiplat.serverUrl', 'http://127.0.0.1:9');
      await commands.executeCommand(CommandIds.showServerInfo);
      expect(fake.messages.at(-1)?.text).toBe('Not connected to the AI Platform.');
    } finally {
      await server.close();
    }
  });

  describe('the Workspace view while it connects', () => {
    const HOME = { name: 'home', displayPath: '/work/home', writable: true };
    const MOUNT = { name: 'mount', displayPath: '/work/mount', writable: false };
    let server: InfoServer;
    let release: () => void;
    beforeEach(async () => {
      server = await startInfoServer('s3cret');
      await context.secrets.store(tokenKey(server.url), 's3cret');
      fake.setConfig('aiplat.serverUrl', server.url);
      // The connection waits on its token until the test lets it through.
      const gate = new Promise<void>((resolve) => (release = resolve));
      const get = context.secrets.get.bind(context.secrets);
      context.secrets.get = async (key) => {
        await gate;
        return get(key);
      };
    });
    afterEach(async () => {
      release();
      await server.close();
    });
    const labelsOf = (tree: WorkspaceTreeProvider, nodes: WorkspaceNode[]) =>
      nodes.map((node) => tree.getTreeItem(node).label);

    it('shows the roots of the last connection to this server at once, then the server’s', async () => {
      await context.globalState.update('aiplat.knownRoots', { serverUrl: `${server.url}/`, roots: [HOME, MOUNT] });
      activate(context as never);
      const tree = fake.treeProviders.get(ViewIds.workspace) as WorkspaceTreeProvider;

      const shown = await tree.getChildren();
      expect(labelsOf(tree, shown)).toEqual(['/work/home', '/work/mount', 'Datasets', 'Models']);
      // A known root opened before the connection is made waits for it (this server lists no files).
      const opened = tree.getChildren(shown[0]);
      const refreshed = new Promise((resolve) => tree.onDidChangeTreeData(resolve));
      release();
      expect(labelsOf(tree, await opened).join()).toMatch(/no route GET \/api\/files/);
      await refreshed;
      expect(labelsOf(tree, await tree.getChildren())).toEqual(['/work/home', 'Datasets', 'Models']);
      expect(context.globalState.get('aiplat.knownRoots')).toEqual({ serverUrl: server.url, roots: [HOME] });
    });

    it('shows no roots remembered from another server: it waits for this one', async () => {
      await context.globalState.update('aiplat.knownRoots', { serverUrl: 'http://127.0.0.1:9', roots: [HOME, MOUNT] });
      activate(context as never);
      const tree = fake.treeProviders.get(ViewIds.workspace) as WorkspaceTreeProvider;

      let answered = false;
      const shown = tree.getChildren().finally(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(answered).toBe(false);
      release();
      expect(labelsOf(tree, await shown)).toEqual(['/work/home', 'Datasets', 'Models']);
    });
  });
});
