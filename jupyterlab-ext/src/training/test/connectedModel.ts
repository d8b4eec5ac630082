import WebSocket from 'ws';
import type { WebSocketLike } from '@aiplat/api';
import { ConnectionModel } from '../../model/connectionModel.js';
import type { RealBackend } from '../../../../testing/src/realBackend.js';

/** A connection model connected to the real backend, its WebSocket through `ws` (node has none). */
export async function connectedModel(backend: RealBackend): Promise<ConnectionModel> {
  const model = new ConnectionModel({
    serverUrl: backend.url,
    createWebSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
  });
  model.setToken(backend.token);
  const state = await model.connect();
  if (state.status !== 'connected') throw new Error(`not connected: ${JSON.stringify(state)}`);
  await model.events?.ready();
  return model;
}

/** Resolves once `check()` holds, re-checking whenever `signal` emits; rejects after `timeoutMs`. */
export function waitFor<T>(
  signal: { connect(fn: () => void): unknown; disconnect(fn: () => void): unknown },
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = check();
    if (done) return resolve(done);
    const timer = setTimeout(() => {
      signal.disconnect(listener);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const listener = () => {
      const value = check();
      if (!value) return;
      clearTimeout(timer);
      signal.disconnect(listener);
      resolve(value);
    };
    signal.connect(listener);
  });
}
