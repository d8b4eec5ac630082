import type { DevMachine } from '@aiplat/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands/commandIds.js';
import { fake } from '../test/vscodeFake.js';
import { accessItem, accessNodes, SSH_READY_CONTEXT } from './accessNodes.js';
import { createDevMachinesModel } from './devMachinesModel.js';
import { DevMachinesTreeProvider } from './devMachinesTreeProvider.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

const SSH = {
  host: 'dev.example.com',
  port: 2222,
  user: 'alice',
  command: 'ssh -p 2222 alice@dev.example.com',
  hostKeyFingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  hostKeyType: 'ssh-ed25519',
};

function machine(overrides: Partial<DevMachine> = {}, spec: Partial<DevMachine['spec']> = {}): DevMachine {
  return {
    id: 'dm-abc123',
    owner: 'alice',
    state: 'Stopped',
    createdAt: '2026-01-01T00:00:00Z',
    urls: { jupyterlab: '/devmachines/dm-abc123/lab/' },
    spec: {
      name: 'box',
      tags: {},
      resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
      env: {},
      ides: ['jupyterlab'],
      workingDir: 'home',
      priority: 5,
      queue: 'default',
      ssh: { enabled: true },
      repositories: [
        { url: 'https://github.com/org/tools.git' },
        { url: 'git@github.com:org/model.git', branch: 'dev', credential: 'deploy' },
      ],
      ...spec,
    } as DevMachine['spec'],
    ...overrides,
  };
}

describe('SSH and repositories in the Dev Machines view', () => {
  it('shows nothing for a machine without SSH or repositories', () => {
    expect(accessNodes(machine({}, { ssh: undefined, repositories: undefined }))).toEqual([]);
  });

  it('shows SSH as a promise while stopped, and the repositories not cloned yet', () => {
    const [ssh, tools, model] = accessNodes(machine()).map(accessItem);
    expect(ssh).toMatchObject({ label: 'SSH', description: 'SSH while it runs' });
    expect(ssh?.command).toBeUndefined();
    expect(ssh?.contextValue).toBeUndefined();
    expect(tools).toMatchObject({ label: 'tools', description: 'cloned at the first start' });
    expect(model).toMatchObject({ label: 'model', description: 'cloned at the first start' });
    expect(model?.tooltip).toBe(
      'git@github.com:org/model.git\nBranch: dev\nCredential: deploy\ncloned at the first start',
    );
  });

  it('shows the command and host key of a running machine (a click copies it) and how each clone went', () => {
    const running = machine({
      state: 'Running',
      ssh: SSH,
      repositories: [
        { url: 'https://github.com/org/tools.git', path: 'home/tools', state: 'cloned', at: '2026-01-01T00:01:00Z' },
        {
          url: 'git@github.com:org/model.git',
          path: 'home/model',
          state: 'failed',
          message: 'Permission denied (publickey).',
          at: '2026-01-01T00:01:00Z',
        },
      ],
    });
    const [ssh, tools, model] = accessNodes(running).map(accessItem);
    expect(ssh).toMatchObject({
      label: 'ssh -p 2222 alice@dev.example.com',
      description: 'host key SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      contextValue: SSH_READY_CONTEXT,
      command: { command: CommandIds.copyDevMachineSshCommand, arguments: ['dm-abc123'] },
    });
    expect(tools).toMatchObject({ description: 'cloned into home/tools', iconPath: { id: 'repo' } });
    expect(model).toMatchObject({
      description: 'clone failed: Permission denied (publickey).',
      iconPath: { id: 'error' },
    });
    // Running, the SSH server not up yet.
    expect(accessItem({ kind: 'ssh', machine: machine({ state: 'Running' }) }).description).toBe(
      'SSH server starting…',
    );
  });

  it('lists them under the machine, after its IDEs, and puts SSH in its tooltip', async () => {
    const events = { subscribe: () => ({ dispose: () => undefined }) };
    const model = createDevMachinesModel({ client: () => undefined, events });
    const tree = new DevMachinesTreeProvider(model, () => undefined);
    const running = machine({ state: 'Running', ssh: SSH });
    const children = await tree.getChildren({ kind: 'machine', machine: running });
    expect(children.map((node) => node.kind)).toEqual(['open', 'ssh', 'repository', 'repository']);
    expect(String(tree.getTreeItem({ kind: 'machine', machine: running }).tooltip)).toContain(SSH.command);
  });
});
