import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandIds } from './commands/commandIds.js';
import { tokenKey } from './connection/connectionService.js';
import { activate } from './extension.js';
import { startInfoServer, type InfoServer } from '../../testing/src/infoServer.js';
import { MemorySecretStore } from './test/memorySecretStore.js';
import { commands, fake } from './test/vscodeFake.js';

vi.mock('vscode', () => import('./test/vscodeFake.js'));

describe('activate', () => {
  let context: { subscriptions: { dispose(): void }[]; secrets: MemorySecretStore };

  beforeEach(() => {
    fake.reset();
    context = { subscriptions: [], secrets: new MemorySecretStore() };
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
});
