import { ApiError, type SshKey } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { SshKeyFormModel, sshKeyFieldOfPath } from './sshKeyFormModel.js';
import { SshKeyListModel } from './sshKeyListModel.js';
import { ED25519, RSA_1024 } from './test/sshKeyFixtures.js';
import { Signal } from '@lumino/signaling';

const offline = { client: undefined } as unknown as IConnectionModel;

const added: SshKey = {
  id: 'sk-abcdef12',
  owner: 'alice',
  name: 'laptop',
  publicKey: ED25519,
  type: 'ssh-ed25519',
  bits: 256,
  fingerprint: 'SHA256:1wvTjlEwNkyc2KYsHVEYaUodEmbIwbgzwktYKssiMt8',
  addedAt: '2026-12-06T06:00:00Z',
};

describe('the SSH key add form', () => {
  it('checks the key as it is pasted, saying what is wrong before anything is sent', () => {
    const form = new SshKeyFormModel(offline);
    form.update({ publicKey: RSA_1024 });
    expect([...form.errors.keys()]).toEqual(['publicKey']);
    expect(form.errors.get('publicKey')?.[0]).toMatch(/^publicKey: the RSA key has 1024 bits; at least 2048/);
    expect(form.keyInfo).toBeUndefined();
    form.update({ publicKey: `${ED25519}\n${ED25519}` });
    expect(form.errors.get('publicKey')?.[0]).toMatch(/paste one public key, on one line/);
    form.update({ publicKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----' });
    expect(form.errors.get('publicKey')?.[0]).toMatch(/this is a private key/);
    form.update({ publicKey: `  ${ED25519}\n` });
    expect(form.errors.size).toBe(0);
    expect(form.keyInfo).toMatchObject({ type: 'ssh-ed25519', bits: 256, comment: 'alice@laptop' });
    // The name is only judged once typed, or at the add.
    expect(form.validate()).toBe(false);
    expect([...form.errors.keys()]).toEqual(['name']);
    form.update({ name: 'my laptop' });
    expect(form.errors.get('name')?.[0]).toMatch(/name/);
    form.update({ name: 'laptop' });
    expect(form.validate()).toBe(true);
  });

  it('adds the key trimmed, and puts the server’s refusal at its field', async () => {
    const addSshKey = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError('conflict', 'you already have an SSH key named laptop; pick another name', {
          issues: [{ path: 'body.name', message: 'already used by another of your keys' }],
        }),
      )
      .mockResolvedValueOnce(added);
    const form = new SshKeyFormModel({ client: { addSshKey } } as unknown as IConnectionModel);
    form.update({ name: ' laptop ', publicKey: `${ED25519}\n` });
    expect(await form.add()).toBeUndefined();
    expect(form.errors.get('name')).toEqual(['already used by another of your keys']);
    expect(addSshKey).toHaveBeenCalledWith({ body: { name: 'laptop', publicKey: ED25519 } });
    form.update({ name: 'laptop' });
    expect(await form.add()).toEqual(added);
  });

  it('maps the API’s paths to its fields', () => {
    expect(sshKeyFieldOfPath('body.publicKey')).toBe('publicKey');
    expect(sshKeyFieldOfPath('body.name')).toBe('name');
    expect(sshKeyFieldOfPath('body')).toBe('publicKey');
  });
});

describe('the SSH key list', () => {
  it('reads the keys newest first and removes one', async () => {
    const older = { ...added, id: 'sk-older000', name: 'old', addedAt: '2026-01-01T00:00:00Z' };
    const deleteSshKey = vi.fn(() => Promise.resolve({ deleted: 'sk-abcdef12' }));
    const connection = {
      state: { status: 'connected' },
      stateChanged: new Signal<unknown, unknown>({}),
      client: { listSshKeys: () => Promise.resolve({ sshKeys: [older, added] }), deleteSshKey },
      events: { subscribe: () => () => undefined },
    } as unknown as IConnectionModel;
    const list = new SshKeyListModel(connection);
    await vi.waitFor(() => expect(list.keys.map((k) => k.name)).toEqual(['laptop', 'old']));
    await list.delete('sk-abcdef12');
    expect(deleteSshKey).toHaveBeenCalledWith({ params: { id: 'sk-abcdef12' } });
    expect(list.keys.map((k) => k.name)).toEqual(['old']);
    list.dispose();
  });
});
