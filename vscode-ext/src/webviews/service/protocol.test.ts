import { describe, expect, it } from 'vitest';
import { parseServicePageState, parseWebviewMessage } from './protocol.js';
import { SERVICE_ACTIONS } from './serviceActions.js';

describe('service page message contract', () => {
  it('accepts exactly the page messages it declares', () => {
    const good = [
      { type: 'ready' },
      { type: 'refresh' },
      ...SERVICE_ACTIONS.map((action) => ({ type: 'action', action })),
      { type: 'createToken', description: 'ci', tokensPerMinute: 100 },
      { type: 'setTokenEnabled', id: 'tk-0123456789ab', enabled: false },
      { type: 'deleteToken', id: 'tk-0123456789ab' },
      { type: 'createAppKey' },
      { type: 'setAppKeyEnabled', appKey: 'ak-0123456789abcdef', enabled: true },
      { type: 'deleteAppKey', appKey: 'ak-0123456789abcdef' },
      { type: 'signCurl', appKey: 'ak-0123456789abcdef', appSecret: 's', path: '/predict', body: '{}' },
      { type: 'copy', text: 'curl ...' },
      { type: 'testRequest', method: 'POST', path: '/predict', body: '{}' },
      { type: 'chat', id: 'c1', messages: [{ role: 'user', content: 'hi' }] },
      { type: 'stopChat', id: 'c1' },
    ];
    for (const message of good) expect(parseWebviewMessage(message), message.type).toEqual(message);
    for (const bad of [
      null,
      'ready',
      {},
      { type: 'action', action: 'format-disk' },
      { type: 'deleteToken', id: '../../etc' },
      { type: 'createToken', tokensPerDay: -1 },
      { type: 'testRequest', method: 'TRACE', path: '/', body: '' },
      { type: 'chat', id: 'c1', messages: [] },
      { type: 'chat', id: 'c1', messages: [{ role: 'tool', content: 'x' }] },
      { type: 'signCurl', appKey: 'ak-0123456789abcdef', appSecret: '', path: '/' },
      { type: 'eval', code: '1' },
    ]) {
      expect(parseWebviewMessage(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('restores only a saved state naming a service', () => {
    expect(parseServicePageState({ name: 'tiny' })).toEqual({ name: 'tiny' });
    for (const bad of [undefined, null, {}, { name: '' }, { name: 'Bad Name' }, { name: 42 }]) {
      expect(parseServicePageState(bad)).toBeUndefined();
    }
  });
});
