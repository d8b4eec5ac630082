import { ApiError, type GitCredential } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { GitCredentialFormModel, gitCredentialBodyOf, gitCredentialFieldOfPath } from './gitCredentialFormModel.js';

const offline = { client: undefined } as unknown as IConnectionModel;

const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';

const created: GitCredential = {
  id: 'gc-abcdef12',
  owner: 'alice',
  name: 'github',
  kind: 'token',
  username: 'alice',
  createdAt: '2026-12-06T06:00:00Z',
  usedBy: [],
};

describe('the Git credential form', () => {
  it('sends the chosen kind’s fields only', () => {
    const values = { kind: 'token', name: ' gh ', username: ' alice ', token: ' ghp_x ', privateKey: 'kept' } as const;
    expect(gitCredentialBodyOf(values)).toEqual({ kind: 'token', name: 'gh', username: 'alice', token: 'ghp_x' });
    expect(gitCredentialBodyOf({ ...values, kind: 'ssh-key', privateKey: `\n${PRIVATE_KEY}\n\n` })).toEqual({
      kind: 'ssh-key',
      name: 'gh',
      privateKey: `${PRIVATE_KEY}\n`,
    });
  });

  it('checks each field of the token kind as it is typed', () => {
    const form = new GitCredentialFormModel(offline);
    form.update({ username: 'alice smith' });
    expect([...form.errors.keys()]).toEqual(['username']);
    expect(form.errors.get('username')?.[0]).toBe('username must not contain spaces or ":"');
    form.update({ username: 'alice', token: 'two\nlines' });
    expect([...form.errors.keys()]).toEqual(['token']);
    expect(form.validate()).toBe(false);
    expect([...form.errors.keys()].sort()).toEqual(['name', 'token']);
    form.update({ name: 'github', token: 'ghp_0123' });
    expect(form.errors.size).toBe(0);
  });

  it('asks for a private key in the ssh-key kind, clearing the token kind’s problems', () => {
    const form = new GitCredentialFormModel(offline);
    form.update({ name: 'deploy', token: 'bad\ntoken' });
    expect(form.errors.has('token')).toBe(true);
    form.update({ kind: 'ssh-key' });
    expect([...form.errors.keys()]).toEqual(['privateKey']);
    form.update({ privateKey: 'ssh-ed25519 AAAA public' });
    expect(form.errors.get('privateKey')?.[0]).toMatch(/must be an unencrypted private key/);
    form.update({ privateKey: PRIVATE_KEY });
    expect(form.errors.size).toBe(0);
    expect(form.validate()).toBe(true);
  });

  it('creates it once, the server’s 409 at the name', async () => {
    const createGitCredential = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError('conflict', 'you already have a Git credential named github; pick another name', {
          issues: [{ path: 'body.name', message: 'already used by another of your credentials' }],
        }),
      )
      .mockResolvedValueOnce(created);
    const form = new GitCredentialFormModel({ client: { createGitCredential } } as unknown as IConnectionModel);
    form.update({ name: 'github', username: 'alice', token: 'ghp_0123' });
    expect(await form.create()).toBeUndefined();
    expect(form.errors.get('name')).toEqual(['already used by another of your credentials']);
    expect(createGitCredential).toHaveBeenCalledWith({
      body: { kind: 'token', name: 'github', username: 'alice', token: 'ghp_0123' },
    });
    form.update({ name: 'github' });
    expect(await form.create()).toEqual(created);
  });

  it('maps the API’s paths to its fields', () => {
    expect(gitCredentialFieldOfPath('body.token')).toBe('token');
    expect(gitCredentialFieldOfPath('privateKey')).toBe('privateKey');
    expect(gitCredentialFieldOfPath('body')).toBe('kind');
  });
});
