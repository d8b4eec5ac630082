import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsFromDockerConfig, loadDockerConfigCredentials } from './credentials.js';
import { UnsupportedCredentialsError } from './registryErrors.js';

describe('docker config.json credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-dockerconfig-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decodes auths[host].auth, whatever the key spelling (scheme, path)', async () => {
    const file = path.join(dir, 'config.json');
    const auth = Buffer.from('alice:pa:ss').toString('base64');
    await writeFile(file, JSON.stringify({ auths: { 'https://registry.example:5000/v1/': { auth } } }));
    expect(await loadDockerConfigCredentials(file, 'registry.example:5000')).toEqual({
      username: 'alice',
      password: 'pa:ss',
    });
    expect(await loadDockerConfigCredentials(file, 'other.example')).toBeUndefined();
  });

  it('takes username and password fields', () => {
    const config = { auths: { 'r.example': { username: 'bob', password: 'secret' } } };
    expect(credentialsFromDockerConfig(config, 'r.example')).toEqual({ username: 'bob', password: 'secret' });
  });

  it('says credential helpers are not supported and how to put the login in auths', () => {
    expect(() => credentialsFromDockerConfig({ credsStore: 'desktop' }, 'r.example')).toThrow(
      UnsupportedCredentialsError,
    );
    expect(() => credentialsFromDockerConfig({ credHelpers: { 'r.example': 'ecr-login' } }, 'r.example')).toThrow(
      /docker-credential-ecr-login.*put them in "auths"/,
    );
  });

  it('names the file it cannot read', async () => {
    await expect(loadDockerConfigCredentials(path.join(dir, 'missing.json'), 'r')).rejects.toThrow(/missing\.json/);
  });
});
