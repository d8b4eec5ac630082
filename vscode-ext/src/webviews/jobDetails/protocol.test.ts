import { describe, expect, it } from 'vitest';
import { dispatch, JOB_ACTIONS, parseWebviewMessage, type MessageHandlers, type WebviewMessage } from './protocol.js';

describe('job details message contract', () => {
  it('accepts exactly the webview messages it declares', () => {
    expect(parseWebviewMessage({ type: 'ready' })).toEqual({ type: 'ready' });
    expect(parseWebviewMessage({ type: 'refresh', extra: 1 })).toEqual({ type: 'refresh' });
    for (const action of JOB_ACTIONS) {
      expect(parseWebviewMessage({ type: 'action', action })).toEqual({ type: 'action', action });
    }
    for (const bad of [
      null,
      'ready',
      42,
      {},
      { type: 'action' },
      { type: 'action', action: 'format-disk' },
      { type: 'eval' },
    ]) {
      expect(parseWebviewMessage(bad)).toBeUndefined();
    }
  });

  it('dispatches each message to the handler of its type', async () => {
    const seen: string[] = [];
    const handlers: MessageHandlers<WebviewMessage> = {
      ready: () => void seen.push('ready'),
      refresh: () => void seen.push('refresh'),
      action: async (message) => {
        await Promise.resolve();
        seen.push(`action:${message.action}`);
      },
    };
    await dispatch(handlers, { type: 'ready' });
    await dispatch(handlers, { type: 'action', action: 'stop' });
    await dispatch(handlers, { type: 'refresh' });
    expect(seen).toEqual(['ready', 'action:stop', 'refresh']);
  });
});
