import { ApiError, type Asset, type AssetTask, type AssetVersion, type EventMessage } from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import type { IConnectionModel } from '../../../tokens.js';

export function asset(name: string, patch: Partial<Asset> = {}): Asset {
  return {
    id: `as-${Buffer.from(name).toString('hex').padStart(12, '0').slice(-12)}`,
    kind: 'datasets',
    name,
    owner: 'alice',
    createdAt: '2026-12-01T00:00:00Z',
    readOnly: false,
    versions: [],
    ...patch,
  };
}

export function version(name: string, patch: Partial<AssetVersion> = {}): AssetVersion {
  return {
    version: name,
    state: 'ready',
    createdAt: '2026-12-02T00:00:00Z',
    path: `home/.catalog/datasets/x/${name}`,
    fileCount: 1,
    sizeBytes: 10,
    source: { type: 'publish' },
    ...patch,
  };
}

export function task(id: string, patch: Partial<AssetTask> = {}): AssetTask {
  return {
    id: `at-${id.padStart(12, '0')}`,
    action: 'import',
    kind: 'datasets',
    assetId: 'as-000000000001',
    assetName: 'x',
    owner: 'alice',
    source: 'upload a.jsonl',
    state: 'running',
    phase: 'uploading',
    bytesDone: 0,
    filesDone: 0,
    createdAt: `2026-12-03T00:00:0${id}Z`,
    ...patch,
  };
}

type Call = { method: string; input: unknown };

/**
 * A connection whose client answers from `state` (and records each call), with the `asset-tasks`
 * topic the test drives through `send`.
 */
export function fakeConnection(initial: { assets?: Asset[]; tasks?: AssetTask[] } = {}) {
  const handlers = new Map<string, (event: EventMessage) => void>();
  const state = { assets: [...(initial.assets ?? [])], tasks: [...(initial.tasks ?? [])], loads: 0 };
  const calls: Call[] = [];
  const answers: Record<string, (input: never) => unknown> = {};
  const client = new Proxy(
    {},
    {
      get: (_, method: string) => (input: unknown) => {
        calls.push({ method, input });
        const answer = answers[method];
        if (answer) return Promise.resolve().then(() => answer(input as never));
        if (method === 'listAssets') {
          state.loads++;
          return Promise.resolve({ items: [...state.assets] });
        }
        if (method === 'listAssetTasks') return Promise.resolve({ items: [...state.tasks] });
        if (method === 'getAsset') {
          const id = (input as { params: { id: string } }).params.id;
          const found = state.assets.find((a) => a.id === id);
          return found ? Promise.resolve(found) : Promise.reject(new ApiError('not_found', `no ${id}`));
        }
        return Promise.reject(new Error(`unexpected call ${method}`));
      },
    },
  );
  const connection = {
    state: { status: 'connected' },
    stateChanged: new Signal<unknown, unknown>({}),
    client,
    events: {
      subscribe: (topic: string, handler: (event: EventMessage) => void) => {
        handlers.set(topic, handler);
        return () => handlers.delete(topic);
      },
    },
  };
  const send = (data: AssetTask) =>
    handlers.get('asset-tasks')?.({ type: 'event', topic: 'asset-tasks', kind: 'asset-tasks', data } as EventMessage);
  return { connection: connection as unknown as IConnectionModel, state, calls, answers, send };
}

export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
