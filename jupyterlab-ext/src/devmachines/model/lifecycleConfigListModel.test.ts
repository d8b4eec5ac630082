import type { DevMachine, DevMachineChange, EventMessage, LifecycleConfig } from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import { describe, expect, it, vi } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { configSizes, LifecycleConfigListModel, usageMayChange } from './lifecycleConfigListModel.js';

function config(name: string, usedBy: string[] = [], at = '2026-01-01T00:00:00Z'): LifecycleConfig {
  return {
    id: `lc-${name.padEnd(6, '0')}`,
    owner: 'alice',
    spec: { name, onStart: 'ZWNobyBoaQo=' },
    createdAt: at,
    updatedAt: at,
    usedBy,
  };
}

const machine = (name: string, lifecycleConfig?: string) =>
  ({ id: 'dm-abcdef', spec: { name, ...(lifecycleConfig ? { lifecycleConfig } : {}) } }) as unknown as DevMachine;
const updated = (m: DevMachine): DevMachineChange => ({ change: 'updated', devMachine: m });

/** A connected connection whose client serves `lists` in turn, and whose devmachines topic the test drives. */
function fake(lists: LifecycleConfig[][], remove?: () => Promise<unknown>) {
  let handler: ((event: EventMessage) => void) | undefined;
  const listLifecycleConfigs = vi.fn(() => Promise.resolve({ lifecycleConfigs: lists.shift() ?? [] }));
  const connection = {
    state: { status: 'connected' },
    stateChanged: new Signal<unknown, unknown>({}),
    client: { listLifecycleConfigs, deleteLifecycleConfig: remove ?? (() => Promise.resolve({})) },
    events: {
      subscribe: (topic: string, h: (event: EventMessage) => void) => {
        if (topic === 'devmachines') handler = h;
        return () => undefined;
      },
    },
  } as unknown as IConnectionModel;
  const send = (data: DevMachineChange) => handler?.({ kind: 'devmachines', data } as unknown as EventMessage);
  return { connection, listLifecycleConfigs, send };
}

describe('the lifecycle config list', () => {
  it('says which dev machine changes may change a config’s users', () => {
    const configs = [config('pip', ['box']), config('conda')];
    expect(usageMayChange(configs, updated(machine('box', 'pip')))).toBe(false);
    expect(usageMayChange(configs, updated(machine('new', 'pip')))).toBe(true);
    expect(usageMayChange(configs, updated(machine('new', 'conda')))).toBe(true);
    expect(usageMayChange(configs, updated(machine('plain')))).toBe(false);
    expect(usageMayChange(configs, updated(machine('x', 'gone')))).toBe(false);
    expect(usageMayChange(configs, { change: 'deleted', id: 'dm-abcdef' })).toBe(true);
    expect(usageMayChange([config('conda')], { change: 'deleted', id: 'dm-abcdef' })).toBe(false);
  });

  it('gives the scripts’ encoded sizes', () => {
    expect(configSizes(config('pip'))).toEqual({ onCreate: 0, onStart: 12 });
  });

  it('reads the configs newest first and again when a new dev machine names one', async () => {
    const { connection, listLifecycleConfigs, send } = fake([
      [config('old', [], '2026-01-01T00:00:00Z'), config('pip', [], '2026-02-01T00:00:00Z')],
      [config('old'), config('pip', ['box'], '2026-02-01T00:00:00Z')],
    ]);
    // Connected: it reads the list at once.
    const list = new LifecycleConfigListModel(connection);
    await vi.waitFor(() => expect(list.configs.map((c) => c.spec.name)).toEqual(['pip', 'old']));
    send(updated(machine('plain')));
    expect(listLifecycleConfigs).toHaveBeenCalledTimes(1);
    send(updated(machine('box', 'pip')));
    await vi.waitFor(() => expect(list.configs[0]?.usedBy).toEqual(['box']));
    expect(listLifecycleConfigs).toHaveBeenCalledTimes(2);
    list.dispose();
  });

  it('keeps a refused delete’s message on the config’s row', async () => {
    const refusal = new Error('pip is used by box: remove it from those dev machines (or delete them) first');
    const { connection } = fake([[config('pip', ['box'])]], () => Promise.reject(refusal));
    const list = new LifecycleConfigListModel(connection);
    await vi.waitFor(() => expect(list.configs).toHaveLength(1));
    await list.delete('lc-pip000');
    expect(list.configs).toHaveLength(1);
    expect(list.actionError('lc-pip000')).toMatch(/used by box/);
    list.dispose();
  });
});
