import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionService, tokenKey } from '../connection/connectionService.js';
import { INCOMPATIBLE_API_VERSION, startInfoServer, type InfoServer } from '../../../testing/src/infoServer.js';
import { MemorySecretStore } from '../test/memorySecretStore.js';
import { commands, fake } from '../test/vscodeFake.js';
import { CommandIds } from './commandIds.js';
import { registerConnectionCommands } from './connectionCommands.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

describe('connection commands', () => {
  let server: InfoServer;
  let secrets: MemorySecretStore;
  let serverUrl: string;
  let service: ConnectionService;
  let disposables: { dispose(): void }[];

  beforeEach(async () => {
    fake.reset();
    server = await startInfoServer('s3cret');
    secrets = new MemorySecretStore();
    serverUrl = server.url;
    service = new ConnectionService({ serverUrl: () => serverUrl, secrets });
    disposables = registerConnectionCommands(service);
  });

  afterEach(async () => {
    for (const disposable of disposables) disposable.dispose();
    service.dispose();
    await server.close();
  });

  it('registers the connection commands and unregisters them on dispose', () => {
    expect([...fake.commands.keys()].sort()).toEqual(
      [CommandIds.connect, CommandIds.showServerInfo, CommandIds.setServerUrl, CommandIds.setToken].sort(),
    );
    for (const disposable of disposables) disposable.dispose();
    expect(fake.commands.size).toBe(0);
  });

  it('asks for a token when the server answers 401, stores it as a secret and connects', async () => {
    fake.inputBoxAnswers.push('s3cret');

    await commands.executeCommand(CommandIds.connect);

    expect(fake.inputBoxes).toHaveLength(1);
    expect(fake.inputBoxes[0]?.password).toBe(true);
    expect(secrets.values.get(tokenKey(server.url))).toBe('s3cret');
    expect(service.state.status).toBe('connected');
    expect(fake.progressTitles).toEqual([`Connecting to ${server.url}…`, `Connecting to ${server.url}…`]);
    expect(fake.messages).toEqual([
      { severity: 'info', text: `Connected to ${server.url} as alice (server 0.1.0-test, API 1.0).`, items: [] },
    ]);
  });

  it('does not ask again while the stored token works', async () => {
    await service.setToken('s3cret');
    await commands.executeCommand(CommandIds.connect);
    expect(fake.inputBoxes).toHaveLength(0);
    expect(service.state.status).toBe('connected');
  });

  it('stops when the token prompt is cancelled', async () => {
    fake.inputBoxAnswers.push(undefined);
    await commands.executeCommand(CommandIds.connect);
    expect(service.state.status).toBe('error');
    expect(secrets.values.size).toBe(0);
    expect(fake.messages).toEqual([]);
  });

  it('shows a version mismatch as an error', async () => {
    await service.setToken('s3cret');
    server.apiVersion = INCOMPATIBLE_API_VERSION;

    await commands.executeCommand(CommandIds.connect);

    expect(service.state.status).toBe('version-mismatch');
    expect(fake.messages[0]?.severity).toBe('error');
    expect(fake.messages[0]?.text).toContain('incompatible API version (this extension speaks API 1.0)');
  });

  it('offers the server URL setting when the server cannot be reached', async () => {
    await server.close();
    fake.messageAnswers.push('Open Settings');

    await commands.executeCommand(CommandIds.connect);

    expect(fake.messages[0]).toMatchObject({ severity: 'error', items: ['Open Settings'] });
    expect(fake.executed.at(-1)).toEqual({ command: 'workbench.action.openSettings', args: ['aiplat.serverUrl'] });
    server = await startInfoServer('s3cret'); // for afterEach
  });

  it('shows the server info when connected, and offers to connect otherwise', async () => {
    await service.setToken('s3cret');
    fake.messageAnswers.push('Connect');
    await commands.executeCommand(CommandIds.showServerInfo);
    expect(fake.messages[0]).toEqual({
      severity: 'warning',
      text: 'Not connected to the AI Platform.',
      items: ['Connect'],
    });
    expect(service.state.status).toBe('connected');

    await commands.executeCommand(CommandIds.showServerInfo);
    expect(fake.messages.at(-1)?.text).toBe(
      `AI Platform at ${server.url}: server 0.1.0-test, API 1.0, user alice, engine local. ` +
        'Containers: none — dev machines run as processes. Details: no container runtime (test server)',
    );
  });
});
