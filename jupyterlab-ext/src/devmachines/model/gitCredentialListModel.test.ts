import type { DevMachine, DevMachineChange, EventMessage, GitCredential } from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import { describe, expect, it, vi } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { credentialUsageMayChange, GitCredentialListModel } from './gitCredentialListModel.js';

function credential(name: string, usedBy: string[] = [], at = '2026-01-01T00:00:00Z'): GitCredential {
  return { id: `gc-${name.padEnd(6, '0')}`, owner: 'alice', name, kind: 'token', username: 'u', createdAt: at, usedBy };
}

const machine = (name: string, ...credentials: (string | undefined)[]) =>
  ({
    id: 'dm-abcdef',
    spec: {
      name,
      repositories: credentials.map((c, i) => ({ url: `https://h/r${i}.git`, ...(c ? { credential: c } : {}) })),
    },
  }) as unknown as DevMachine;
const updated = (m: DevMachine): DevMachineChange => ({ change: 'updated', devMachine: m });

function fake(lists: GitCredential[][], remove?: () => Promise<unknown>) {
  let handler: ((event: EventMessage) => void) | undefined;
  const listGitCredentials = vi.fn(() => Promise.resolve({ gitCredentials: lists.shift() ?? [] }));
  const connection = {
    state: { status: 'connected' },
    stateChanged: new Signal<unknown, unknown>({}),
    client: { listGitCredentials, deleteGitCredential: remove ?? (() => Promise.resolve({})) },
    events: {
      subscribe: (topic: string, h: (event: EventMessage) => void) => {
        if (topic === 'devmachines') handler = h;
        return () => undefined;
      },
    },
  } as unknown as IConnectionModel;
  const send = (data: DevMachineChange) => handler?.({ kind: 'devmachines', data } as unknown as EventMessage);
  return { connection, listGitCredentials, send };
}

describe('the Git credential list', () => {
  it('says which dev machine changes may change a credential’s users', () => {
    const credentials = [credential('gh', ['box']), credential('gl')];
    expect(credentialUsageMayChange(credentials, updated(machine('box', 'gh')))).toBe(false);
    expect(credentialUsageMayChange(credentials, updated(machine('new', undefined, 'gh')))).toBe(true);
    expect(credentialUsageMayChange(credentials, updated(machine('box', 'gh', 'gl')))).toBe(true);
    expect(credentialUsageMayChange(credentials, updated(machine('plain')))).toBe(false);
    expect(credentialUsageMayChange(credentials, updated(machine('x', 'gone')))).toBe(false);
    expect(credentialUsageMayChange(credentials, { change: 'deleted', id: 'dm-abcdef' })).toBe(true);
    expect(credentialUsageMayChange([credential('gl')], { change: 'deleted', id: 'dm-abcdef' })).toBe(false);
  });

  it('reads the credentials newest first and again when a new dev machine names one', async () => {
    const { connection, listGitCredentials, send } = fake([
      [credential('old'), credential('gh', [], '2026-02-01T00:00:00Z')],
      [credential('old'), credential('gh', ['box'], '2026-02-01T00:00:00Z')],
    ]);
    const list = new GitCredentialListModel(connection);
    await vi.waitFor(() => expect(list.credentials.map((c) => c.name)).toEqual(['gh', 'old']));
    send(updated(machine('plain')));
    expect(listGitCredentials).toHaveBeenCalledTimes(1);
    send(updated(machine('box', 'gh')));
    await vi.waitFor(() => expect(list.credentials[0]?.usedBy).toEqual(['box']));
    list.dispose();
  });

  it('keeps a refused delete’s message on the credential’s row', async () => {
    const refusal = new Error('gh is used by box: remove it from their repositories (or delete them) first');
    const { connection } = fake([[credential('gh', ['box'])]], () => Promise.reject(refusal));
    const list = new GitCredentialListModel(connection);
    await vi.waitFor(() => expect(list.credentials).toHaveLength(1));
    await list.delete('gc-gh0000');
    expect(list.credentials).toHaveLength(1);
    expect(list.actionError('gc-gh0000')).toMatch(/used by box/);
    list.dispose();
  });
});
