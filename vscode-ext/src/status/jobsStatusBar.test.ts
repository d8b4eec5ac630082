import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionService } from '../connection/connectionService.js';
import type { EventSource } from '../connection/liveEvents.js';
import { JobsModel } from '../jobs/jobsModel.js';
import { startInfoServer, type InfoServer } from '../../../testing/src/infoServer.js';
import { MemorySecretStore } from '../test/memorySecretStore.js';
import { fake } from '../test/vscodeFake.js';
import { JobsStatusBar } from './jobsStatusBar.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const noEvents: EventSource = { subscribe: () => ({ dispose: () => undefined }) };

describe('status bar', () => {
  let server: InfoServer;
  let secrets: MemorySecretStore;
  let connection: ConnectionService;
  let bar: JobsStatusBar;

  beforeEach(async () => {
    fake.reset();
    server = await startInfoServer('s3cret');
    secrets = new MemorySecretStore();
    connection = new ConnectionService({ serverUrl: () => server.url, secrets });
    bar = new JobsStatusBar(connection, new JobsModel({ client: () => undefined, events: noEvents }));
  });

  afterEach(async () => {
    bar.dispose();
    connection.dispose();
    await server.close();
  });

  it('offers to connect while disconnected', () => {
    expect(bar.item.text).toBe('$(plug) AI Platform');
    expect(bar.item.command).toBe('aiplat.connect');
    expect(fake.statusBarItems[0]?.visible).toBe(true);
  });

  it('says the token was refused, and points at Set Token', async () => {
    await connection.connect();
    expect(bar.item.text).toBe('$(error) AI Platform');
    expect(bar.item.tooltip).toBe(`The server at ${server.url} rejected the access token.`);
    expect(bar.item.command).toBe('aiplat.setToken');
  });

  it('says the server cannot be reached', async () => {
    await server.close();
    await connection.connect();
    expect(String(bar.item.tooltip)).toMatch(
      /^Cannot reach the AI Platform at http:\/\/127\.0\.0\.1:\d+\. Check the server URL/,
    );
    expect(bar.item.command).toBe('aiplat.connect');
    server = await startInfoServer('s3cret'); // for afterEach
  });

  it('counts running jobs once connected, and reports a token refused by the live socket', async () => {
    await secrets.store(`aiplat.token:${server.url}`, 's3cret');
    await connection.connect();
    expect(bar.item.text).toBe('$(beaker) 0 running');
    expect(bar.item.command).toBe('aiplat.jobs.focus');
    bar.socketClosed(4401);
    expect(bar.item.tooltip).toBe(`The server at ${server.url} rejected the access token.`);
    expect(bar.item.command).toBe('aiplat.setToken');
  });
});
