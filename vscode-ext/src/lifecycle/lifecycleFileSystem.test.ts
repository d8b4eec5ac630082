import { ApiError, encodeLifecycleScript, type ApiClient, type LifecycleConfig } from '@aiplat/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeStatusBarItem } from '../test/vscodeFake.js';
import { fake, FakeTextDocument, FileType, Uri } from '../test/vscodeFake.js';
import { createLifecycleConfigsModel } from './lifecycleConfigsModel.js';
import { LifecycleFileSystem, scriptUri } from './lifecycleFileSystem.js';
import { ScriptSizeStatusBar } from './scriptSizeStatusBar.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

const stored: LifecycleConfig = {
  id: 'lc-abc123',
  owner: 'alice',
  spec: { name: 'setup', onCreate: encodeLifecycleScript('echo once\n') },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-02T00:00:00Z',
  usedBy: ['box'],
};

function setUp(update: ApiClient['updateLifecycleConfig'] = ({ body }) => Promise.resolve({ ...stored, ...body })) {
  const updates = vi.fn(update);
  const client = {
    listLifecycleConfigs: () => Promise.resolve({ lifecycleConfigs: [stored] }),
    getLifecycleConfig: () => Promise.resolve(stored),
    updateLifecycleConfig: updates,
  } as unknown as ApiClient;
  const configs = createLifecycleConfigsModel(() => client);
  const errors: string[] = [];
  const fs = new LifecycleFileSystem({ client: () => client, configs, showError: (m) => errors.push(m) });
  return { fs, configs, updates, errors };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('lifecycle scripts as files', () => {
  it('lists each config as a folder of its two scripts, and reads a script decoded', async () => {
    const { fs } = setUp();
    expect(await fs.readDirectory(scriptUri('setup', 'onStart').with({ path: '/' }))).toEqual([
      ['setup', FileType.Directory],
    ]);
    expect(await fs.readDirectory(scriptUri('setup', 'onStart').with({ path: '/setup' }))).toEqual([
      ['on-create.sh', FileType.File],
      ['on-start.sh', FileType.File],
    ]);
    expect(new TextDecoder().decode(await fs.readFile(scriptUri('setup', 'onCreate')))).toBe('echo once\n');
    expect(new TextDecoder().decode(await fs.readFile(scriptUri('setup', 'onStart')))).toBe('');
    await expect(fs.readFile(scriptUri('other', 'onStart'))).rejects.toMatchObject({ code: 'FileNotFound' });
  });

  it('saves a script encoded into its config, keeping the other one', async () => {
    const { fs, configs, updates } = setUp();
    await fs.writeFile(scriptUri('setup', 'onStart'), bytes('pip install -e .\n'));
    expect(updates).toHaveBeenCalledWith({
      params: { id: 'lc-abc123' },
      body: { spec: { ...stored.spec, onStart: encodeLifecycleScript('pip install -e .\n') } },
    });
    expect(configs.items[0]?.spec.onStart).toBe(encodeLifecycleScript('pip install -e .\n'));
  });

  it('refuses a save over the encoded limit without asking the server, saying why', async () => {
    const { fs, updates, errors } = setUp();
    await expect(fs.writeFile(scriptUri('setup', 'onStart'), bytes('x'.repeat(12_289)))).rejects.toMatchObject({
      code: 'NoPermissions',
      message: expect.stringMatching(/^on-start\.sh: 16,388 \/ 16,384 characters encoded, over the limit/),
    });
    expect(updates).not.toHaveBeenCalled();
    expect(errors).toHaveLength(1);
  });

  it("fails the save with the server's refusal", async () => {
    const refusal = new ApiError('conflict', 'setup is used by box: it cannot be renamed');
    const { fs, errors } = setUp(() => Promise.reject(refusal));
    await expect(fs.writeFile(scriptUri('setup', 'onCreate'), bytes('true'))).rejects.toMatchObject({
      code: 'NoPermissions',
    });
    expect(errors).toEqual(['on-create.sh was not saved. setup is used by box: it cannot be renamed']);
  });
});

describe('the script size in the status bar', () => {
  it('shows the encoded size of a lifecycle script, in the error colour over the limit, and hides otherwise', () => {
    const bar = new ScriptSizeStatusBar();
    const item = fake.statusBarItems.at(-1) as FakeStatusBarItem;
    bar.update(new FakeTextDocument(scriptUri('setup', 'onStart'), 'x'.repeat(924)));
    expect(item).toMatchObject({ visible: true, text: '$(file-code) on-start.sh: 1,232 / 16,384 characters encoded' });
    expect(item.backgroundColor).toBeUndefined();
    bar.update(new FakeTextDocument(scriptUri('setup', 'onStart'), 'x'.repeat(12_289)));
    expect(item.backgroundColor).toBeDefined();
    bar.update(new FakeTextDocument(Uri.from({ scheme: 'file', path: '/setup/on-start.sh' }), 'x'));
    expect(item.visible).toBe(false);
    bar.dispose();
  });
});
