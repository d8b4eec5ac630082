import type { ConnectionState } from '@aiplat/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INCOMPATIBLE_API_VERSION, startInfoServer, type InfoServer } from '../../../testing/src/infoServer.js';
import { ConnectionModel } from './connectionModel.js';

describe('ConnectionModel against a real HTTP server', () => {
  let server: InfoServer;
  let model: ConnectionModel;
  let seen: ConnectionState['status'][];

  beforeEach(async () => {
    server = await startInfoServer('s3cret');
    model = new ConnectionModel({ serverUrl: server.url });
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
