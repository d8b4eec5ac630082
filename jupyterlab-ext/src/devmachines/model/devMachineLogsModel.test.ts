import type { EventMessage, LogLine } from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import { describe, expect, it, vi } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { DevMachineLogsModel } from './devMachineLogsModel.js';

const line = (seq: number, text: string, stream: LogLine['stream'] = 'stdout') =>
  ({ instance: 0, seq, time: '2026-01-01T00:00:00Z', stream, text }) as LogLine;

describe('a dev machine’s lifecycle log', () => {
  it('reads a page, then follows devmachine-logs/<id> from its cursor without repeating a line', async () => {
    let handler: ((event: EventMessage) => void) | undefined;
    const subscribe = vi.fn((_topic: string, h: (event: EventMessage) => void, _options?: { cursor?: string }) => {
      handler = h;
      return () => undefined;
    });
    const devMachineLogs = vi.fn(() =>
      Promise.resolve({ lines: [line(1, 'Running the onStart script')], nextCursor: 'c1', more: false }),
    );
    const connection = {
      state: { status: 'connected' },
      stateChanged: new Signal<unknown, unknown>({}),
      client: { devMachineLogs },
      events: { subscribe },
    } as unknown as IConnectionModel;
    const model = new DevMachineLogsModel(connection, 'dm-abcdef');
    await vi.waitFor(() => expect(subscribe).toHaveBeenCalled());
    expect(devMachineLogs).toHaveBeenCalledWith({ params: { id: 'dm-abcdef' }, query: { limit: 1000 } });
    expect(subscribe.mock.calls[0]?.[0]).toBe('devmachine-logs/dm-abcdef');
    expect(subscribe.mock.calls[0]?.[2]).toEqual({ cursor: 'c1' });
    handler?.({
      kind: 'devmachine-logs',
      data: { lines: [line(1, 'Running the onStart script'), line(2, 'oops', 'stderr')], cursor: 'c2' },
    } as unknown as EventMessage);
    expect(model.logs.lines().map((l) => l.text)).toEqual(['Running the onStart script', 'oops']);
    model.dispose();
  });
});
