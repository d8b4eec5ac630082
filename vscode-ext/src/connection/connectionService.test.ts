import type { ConnectionState } from '@aiplat/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INCOMPATIBLE_API_VERSION, startInfoServer, type InfoServer } from '../../../testing/src/infoServer.js';
import { MemorySecretStore } from '../test/memorySecretStore.js';
import { ConnectionService, tokenKey } from './connectionService.js';

describe('ConnectionService against a real HTTP server', () => {
  let server: InfoServer;
  let secrets: MemorySecretStore;
  let serverUrl: string;
  let service: ConnectionService;
  let seen: ConnectionState['status'][];

  beforeEach(async () => {
    server = await startInfoServer('s3cret');
    secrets = new MemorySecretStore();
    serverUrl = server.url;
    service = new ConnectionService({ serverUrl: () => serverUrl, secrets });
    seen = [];
    service.onDidChangeState((state) => seen.push(state.status));
  });

  afterEach(async () => {
    service.dispose();
    await server.close();
  });

  it('uses the token the platform handed a dev machine, for that server only, until one is stored', async () => {
    const handed = new ConnectionService({
      serverUrl: () => serverUrl,
      secrets,
      handedOver: { server: `${server.url}/`, token: 's3cret' },
    });
    try {
      expect((await handed.connect()).status).toBe('connected');
      expect(server.requests.at(-1)?.authorization).toBe('Bearer s3cret');
      await handed.setToken('typed-later');
      expect(await handed.token()).toBe('typed-later');
      serverUrl = 'http://127.0.0.1:9';
      expect(await handed.token()).toBeUndefined();
    } finally {
      handed.dispose();
    }
  });

  it('connects to a compatible server with the stored token', async () => {
    expect(service.state.status).toBe('disconnected');
    await service.setToken('s3cret');
    expect(secrets.values.get(tokenKey(server.url))).toBe('s3cret');

    const state = await service.connect();

    expect(state.status).toBe('connected');
    expect(state.status === 'connected' && state.info.user).toBe('alice');
    expect(seen).toEqual(['connecting', 'connected']);
    expect(server.requests).toEqual([{ path: '/api/info', authorization: 'Bearer s3cret' }]);
    expect(service.client?.baseUrl).toBe(server.url);
  });

  it('reports a version mismatch when the server speaks another API major version', async () => {
    await service.setToken('s3cret');
    expect((await service.connect()).status).toBe('connected');

    server.apiVersion = INCOMPATIBLE_API_VERSION;
    const state = await service.connect();

    expect(state.status).toBe('version-mismatch');
    expect(state.status === 'version-mismatch' && state.error.code).toBe('version_mismatch');
    expect(service.client).toBeUndefined();
    expect(seen).toEqual(['connecting', 'connected', 'connecting', 'version-mismatch']);
  });

  it('reports 401 as an unauthorized error, with and without a token', async () => {
    const withoutToken = await service.connect();
    expect(withoutToken.status === 'error' && withoutToken.error.code).toBe('unauthorized');
    expect(server.requests[0]?.authorization).toBeUndefined();

    await service.setToken('wrong');
    const withWrongToken = await service.connect();
    expect(withWrongToken.status === 'error' && withWrongToken.error.status).toBe(401);
    expect(service.client).toBeUndefined();
  });

  it('keeps one token per server URL and forgets it when set empty', async () => {
    await service.setToken('s3cret');
    serverUrl = `${server.url}/other/`;
    expect(await service.hasToken()).toBe(false);
    serverUrl = server.url;
    expect(await service.hasToken()).toBe(true);
    await service.setToken('  ');
    expect(await service.hasToken()).toBe(false);
  });

  it('reports a URL that is not http(s) without sending anything', async () => {
    serverUrl = 'ftp://example.invalid';
    const state = await service.connect();
    expect(state.status === 'error' && state.error.code).toBe('bad_request');
    expect(server.requests).toHaveLength(0);
  });

  it('reports an unreachable server as a network error', async () => {
    await server.close();
    const state = await service.connect();
    expect(state.status === 'error' && state.error.code).toBe('network');
    server = await startInfoServer('s3cret'); // for afterEach
  });

  it('lets disconnect() supersede an attempt still in flight', async () => {
    await service.setToken('s3cret');
    const pending = service.connect();
    service.disconnect();
    expect((await pending).status).toBe('disconnected');
    expect(service.client).toBeUndefined();
    expect(seen).toEqual(['connecting', 'disconnected']);
  });

  it('is safe to dispose twice and stays silent afterwards', async () => {
    service.dispose();
    service.dispose();
    await service.connect();
    expect(seen).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
