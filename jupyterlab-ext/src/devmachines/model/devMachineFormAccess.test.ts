import { describe, expect, it, vi } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { ECDSA_384, ED25519, RSA_1024 } from './test/sshKeyFixtures.js';
import { DevMachineFormModel, fieldOfPath } from './devMachineFormModel.js';

const offline = { client: undefined } as unknown as IConnectionModel;

describe('the dev machine form’s SSH', () => {
  it('is off by default and sends no ssh', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    expect(form.values.sshEnabled).toBe(false);
    expect(form.input()).not.toHaveProperty('ssh');
  });

  it('checks the extra keys as they are typed, each bad line by its number, and sends the good ones', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    form.update({ sshEnabled: true });
    expect(form.errors.size).toBe(0);
    expect(form.input().ssh).toEqual({ enabled: true });
    form.update({ sshPublicKeys: `${ED25519}\n${RSA_1024}` });
    expect([...form.errors.keys()]).toEqual(['sshPublicKeys']);
    expect(form.errors.get('sshPublicKeys')).toEqual([
      expect.stringMatching(/^line 2: the RSA key has 1024 bits; at least 2048 are needed/),
    ]);
    expect(form.validate()).toBe(false);
    form.update({ sshPublicKeys: `${ED25519}\n${ECDSA_384}\n` });
    expect(form.errors.size).toBe(0);
    expect(form.validate()).toBe(true);
    expect(form.input().ssh).toEqual({ enabled: true, publicKeys: [ED25519, ECDSA_384] });
  });

  it('clears the keys’ problems when SSH is turned off', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    form.update({ sshEnabled: true, sshPublicKeys: 'not a key' });
    expect(form.errors.has('sshPublicKeys')).toBe(true);
    form.update({ sshEnabled: false });
    expect(form.errors.size).toBe(0);
    expect(form.input()).not.toHaveProperty('ssh');
  });

  it('maps the API’s ssh paths to their fields', () => {
    expect(fieldOfPath('body.spec.ssh.publicKeys.0')).toBe('sshPublicKeys');
    expect(fieldOfPath('body.spec.ssh')).toBe('ssh');
    expect(fieldOfPath('body.spec.repositories.1.credential')).toBe('repositories.1.credential');
    expect(fieldOfPath('body.spec.repositories')).toBe('repositories');
  });
});

describe('the dev machine form’s repositories', () => {
  it('takes up to three rows, each checked at its own fields, and sends them', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    expect(form.addRepository()).toBe(true);
    form.updateRepository(0, { url: 'file:///etc' });
    expect([...form.errors.keys()]).toEqual(['repositories.0.url']);
    expect(form.errors.get('repositories.0.url')?.[0]).toMatch(/uses file:; use https, http, ssh or git/);
    form.updateRepository(0, { url: 'https://git.example.com/team/data.git', branch: '-x' });
    expect([...form.errors.keys()]).toEqual(['repositories.0.branch']);
    form.updateRepository(0, { branch: 'dev' });
    expect(form.addRepository()).toBe(true);
    form.updateRepository(1, { url: 'git@git.example.com:team/model.git', credential: 'deploy' });
    expect(form.addRepository()).toBe(true);
    form.updateRepository(2, { url: 'https://git.example.com/other/model' });
    // The third ends in the same folder as the second.
    expect([...form.errors.keys()]).toEqual(['repositories']);
    expect(form.errors.get('repositories')?.[0]).toMatch(/same folder/);
    expect(form.addRepository()).toBe(false);
    expect(form.values.repositories).toHaveLength(3);
    form.removeRepository(2);
    expect(form.errors.size).toBe(0);
    expect(form.validate()).toBe(true);
    expect(form.input().repositories).toEqual([
      { url: 'https://git.example.com/team/data.git', branch: 'dev' },
      { url: 'git@git.example.com:team/model.git', credential: 'deploy' },
    ]);
  });

  it('moves the problems with the rows when one before them is removed', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    form.addRepository();
    form.addRepository();
    form.updateRepository(0, { url: 'https://h/a.git' });
    form.updateRepository(1, { url: 'nowhere' });
    expect([...form.errors.keys()]).toEqual(['repositories.1.url']);
    form.removeRepository(0);
    expect([...form.errors.keys()]).toEqual(['repositories.0.url']);
  });

  it('offers the user’s credentials by name, a copied machine’s first', async () => {
    const listGitCredentials = vi.fn(() =>
      Promise.resolve({ gitCredentials: [{ name: 'gitlab' }, { name: 'github' }] }),
    );
    const connection = {
      client: { listLifecycleConfigs: () => Promise.resolve({ lifecycleConfigs: [] }), listGitCredentials },
    } as unknown as IConnectionModel;
    const form = new DevMachineFormModel(connection, {
      name: 'box-copy',
      repositories: [{ url: 'https://h/a.git', credential: 'old' }],
    });
    expect(form.credentialNames).toEqual(['old']);
    await form.loadCredentialNames();
    expect(form.credentialNames).toEqual(['old', 'github', 'gitlab']);
    expect(form.input().repositories).toEqual([{ url: 'https://h/a.git', credential: 'old' }]);
  });
});
