import type { ConnectionState } from '@aiplat/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INCOMPATIBLE_API_VERSION, startInfoServer, type InfoServer } from '../../../testing/src/infoServer.js';
import { ConnectionModel } from './connectionModel.js';
import { memoryTokenStore, storageTokenStore, type TokenStore } from './tokenStore.js';

/** `sessionStorage` as a Map: what the page's session storage keeps across a reload of the tab. */
class MapStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe('ConnectionModel against a real HTTP server', () => {
  let server: InfoServer;
  let model: ConnectionModel;
  let seen: ConnectionState['status'][];
  let tokens: TokenStore;

  beforeEach(async () => {
    server = await startInfoServer('s3cret');
    tokens = memoryTokenStore();
    model = new ConnectionModel({ serverUrl: server.url, tokenStore: tokens });
    seen = [];
    model.stateChanged.connect((sender, state) => {
      expect(sender).toBe(model);
      seen.push(state.status);
    });
  });

  afterEach(async () => {
    model.dispose();
    await server.close();
  });

  it('connects to a compatible server and signals each state', async () => {
    model.setToken('s3cret');
    const state = await model.connect();
    expect(state.status === 'connected' && state.info.apiVersion).toBe('1.0');
    expect(model.state).toBe(state);
    expect(model.client?.baseUrl).toBe(server.url);
    expect(seen).toEqual(['connecting', 'connected']);
    expect(server.requests).toEqual([{ path: '/api/info', authorization: 'Bearer s3cret' }]);
  });

  it('reports a version mismatch when the server speaks another API major version', async () => {
    model.setToken('s3cret');
    await model.connect();
    server.apiVersion = INCOMPATIBLE_API_VERSION;

    const state = await model.connect();

    expect(state.status).toBe('version-mismatch');
    expect(state.status === 'version-mismatch' && state.error.message).toContain(INCOMPATIBLE_API_VERSION);
    expect(model.client).toBeUndefined();
    expect(seen).toEqual(['connecting', 'connected', 'connecting', 'version-mismatch']);
  });

  it('reports 401 as unauthorized until the right token is set', async () => {
    const rejected = await model.connect();
    expect(rejected.status === 'error' && rejected.error.code).toBe('unauthorized');
    expect(model.hasToken).toBe(false);

    model.setToken('s3cret');
    expect((await model.connect()).status).toBe('connected');

    model.setToken('');
    expect(model.hasToken).toBe(false);
  });

  it('tells a missing token (none sent) from a rejected one (one sent)', async () => {
    await model.connect();
    expect(server.requests.at(-1)?.authorization).toBeUndefined();
    expect(model.tokenProblem).toBe('missing');

    model.setToken('wrong');
    await model.connect();
    expect(server.requests.at(-1)?.authorization).toBe('Bearer wrong');
    expect(model.tokenProblem).toBe('rejected');
    // A rejected typed token is forgotten, so a reload asks again instead of sending it.
    expect(tokens.get(server.url)).toBeUndefined();

    model.setToken('s3cret');
    await model.connect();
    expect(model.tokenProblem).toBeUndefined();
  });

  it('asks at once when no token was sent, again when one is rejected, until connected', async () => {
    const asked: string[] = [];
    const answers = ['wrong', 's3cret'];
    const state = await model.connectAsking((problem) => {
      asked.push(problem);
      return Promise.resolve(answers.shift());
    });
    expect(state.status).toBe('connected');
    expect(asked).toEqual(['missing', 'rejected']);
    expect(server.requests.map((r) => r.authorization)).toEqual([undefined, 'Bearer wrong', 'Bearer s3cret']);
    expect(tokens.get(server.url)).toBe('s3cret');
  });

  it('stops asking when the user cancels, and does not ask a server that needs no new token', async () => {
    const asked: string[] = [];
    const cancelled = await model.connectAsking((problem) => {
      asked.push(problem);
      return Promise.resolve(undefined);
    });
    expect(cancelled.status === 'error' && cancelled.error.code).toBe('unauthorized');
    expect(asked).toEqual(['missing']);

    model.setToken('s3cret');
    expect((await model.connectAsking(() => Promise.reject(new Error('asked')))).status).toBe('connected');
  });

  it('keeps a typed token in the session store across a reload, per server URL', async () => {
    const session = new MapStorage();
    const first = new ConnectionModel({ serverUrl: server.url, tokenStore: storageTokenStore(session) });
    await first.connectAsking(() => Promise.resolve('s3cret'));
    first.dispose();

    // The reloaded page: a new model over the same session storage connects without asking.
    const reloaded = new ConnectionModel({ serverUrl: server.url, tokenStore: storageTokenStore(session) });
    const state = await reloaded.connectAsking(() => Promise.reject(new Error('asked after a reload')));
    expect(state.status).toBe('connected');
    // Another server does not get this server's token.
    reloaded.serverUrl = 'http://127.0.0.1:9';
    expect(reloaded.hasToken).toBe(false);
    reloaded.dispose();
    expect([...session.items.keys()]).toEqual([`aiplat:token:${server.url}`]);
  });

  it('uses the token stored in the settings unless one was typed; changing the setting replaces the typed one', async () => {
    model.settingsToken = 'wrong';
    model.setToken('s3cret');
    expect((await model.connect()).status).toBe('connected');

    // The same value read again (settings reloaded) keeps the typed token.
    model.settingsToken = 'wrong';
    expect((await model.connect()).status).toBe('connected');

    model.settingsToken = 'other';
    expect(tokens.get(server.url)).toBeUndefined();
    await model.connect();
    expect(server.requests.at(-1)?.authorization).toBe('Bearer other');
    expect(model.tokenProblem).toBe('rejected');
  });

  it('drops the connection when the server URL changes, not when it is set again', async () => {
    model.setToken('s3cret');
    await model.connect();
    model.serverUrl = server.url;
    expect(model.state.status).toBe('connected');

    model.serverUrl = 'http://127.0.0.1:9';
    expect(model.state.status).toBe('disconnected');
    expect(seen).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('is safe to dispose twice and emits nothing afterwards', async () => {
    model.dispose();
    model.dispose();
    expect(model.isDisposed).toBe(true);
    await model.connect();
    expect(seen).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
