import { DEFAULT_BOARD_OPTIONS } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { MAX_SOURCES, parseScalarsState, parseWebviewMessage } from './protocol.js';

describe('TensorBoard page message contract', () => {
  it('accepts exactly the webview messages it declares, extra fields dropped', () => {
    expect(parseWebviewMessage({ type: 'ready', extra: 1 })).toEqual({ type: 'ready' });
    expect(parseWebviewMessage({ type: 'compare' })).toEqual({ type: 'compare' });
    expect(parseWebviewMessage({ type: 'openTensorBoard' })).toEqual({ type: 'openTensorBoard' });
    expect(parseWebviewMessage({ type: 'remove', path: 'home/runs' })).toEqual({ type: 'remove', path: 'home/runs' });
    for (const bad of [null, 'ready', 42, {}, { type: 'remove' }, { type: 'remove', path: '' }, { type: 'eval' }]) {
      expect(parseWebviewMessage(bad)).toBeUndefined();
    }
  });

  it('restores only a usable saved state', () => {
    const sources = [{ path: 'home/summaries/j-1', label: 'mnist', jobId: 'j-1' }];
    expect(parseScalarsState({ sources })).toEqual({ sources });
    const options = { ...DEFAULT_BOARD_OPTIONS, smoothing: 0.9, hidden: ['x'] };
    expect(parseScalarsState({ sources, options })).toEqual({ sources, options });
    const many = Array.from({ length: MAX_SOURCES + 1 }, (_, i) => ({ path: `home/${i}`, label: String(i) }));
    for (const bad of [
      undefined,
      { jobId: 'j-1' },
      { sources: [] },
      { sources: many },
      { sources: [{ path: '', label: 'x' }] },
      { sources, options: { ...options, smoothing: 2 } },
      { sources, options: { ...options, xAxis: 'sideways' } },
    ]) {
      expect(parseScalarsState(bad)).toBeUndefined();
    }
  });
});
