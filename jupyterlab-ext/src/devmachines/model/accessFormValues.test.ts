import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../../training/model/jobFormValues.js';
import {
  accessFieldOfPath,
  accessValuesFromSpec,
  parsePublicKeyLines,
  repositoriesInput,
  REPOSITORY_FIELDS,
  sshInput,
  withRepositoryAdded,
  withRepositoryChanged,
  withRepositoryRemoved,
} from './accessFormValues.js';
import { ECDSA_384, ED25519, RSA_1024 } from './test/sshKeyFixtures.js';

const row = (url: string, branch = '', credential = '') => ({ url, branch, credential });

describe('the dev machine form’s SSH values', () => {
  it('reads one key a line, skipping blank lines, and numbers the lines that are no key', () => {
    const issues: FieldIssue[] = [];
    const keys = parsePublicKeyLines(`${ED25519}\n\n  ${ECDSA_384}  \n${RSA_1024}\nhello`, issues);
    expect(keys).toEqual([ED25519, ECDSA_384]);
    expect(issues.map((i) => i.field)).toEqual(['sshPublicKeys', 'sshPublicKeys']);
    expect(issues[0]?.message).toMatch(/^line 4: the RSA key has 1024 bits; at least 2048 are needed/);
    expect(issues[1]?.message).toMatch(/^line 5: unsupported key type "hello"/);
  });

  it('sends no ssh when off, and the keys that read when on', () => {
    const values = { sshEnabled: false, sshPublicKeys: ED25519, repositories: [] };
    expect(sshInput(values)).toBeUndefined();
    expect(sshInput({ ...values, sshEnabled: true })).toEqual({ enabled: true, publicKeys: [ED25519] });
    expect(sshInput({ ...values, sshEnabled: true, sshPublicKeys: ' \n' })).toEqual({ enabled: true });
  });

  it('starts from a copy’s SSH and repositories', () => {
    expect(
      accessValuesFromSpec({
        ssh: { enabled: true, publicKeys: [ED25519, ECDSA_384] },
        repositories: [{ url: 'https://h/a.git', branch: 'dev', credential: 'gh' }, { url: 'https://h/b.git' }],
      }),
    ).toEqual({
      sshEnabled: true,
      sshPublicKeys: `${ED25519}\n${ECDSA_384}`,
      repositories: [row('https://h/a.git', 'dev', 'gh'), row('https://h/b.git')],
    });
    expect(accessValuesFromSpec()).toEqual({ sshEnabled: false, sshPublicKeys: '', repositories: [] });
  });
});

describe('the dev machine form’s repository rows', () => {
  it('adds rows up to three, and refuses a fourth', () => {
    let rows = withRepositoryAdded([]);
    rows = withRepositoryAdded(withRepositoryAdded(rows));
    expect(rows).toHaveLength(3);
    expect(withRepositoryAdded(rows)).toHaveLength(3);
  });

  it('changes and removes a row by its place', () => {
    const rows = [row('https://h/a.git'), row('https://h/b.git'), row('https://h/c.git')];
    expect(withRepositoryChanged(rows, 1, { branch: 'main' })[1]).toEqual(row('https://h/b.git', 'main'));
    expect(withRepositoryRemoved(rows, 1).map((r) => r.url)).toEqual(['https://h/a.git', 'https://h/c.git']);
  });

  it('sends the rows trimmed, leaving out an empty branch or credential, and none when there is no row', () => {
    expect(repositoriesInput([])).toBeUndefined();
    expect(repositoriesInput([row(' https://h/a.git ', ' dev '), row('git@h:o/b.git', '', 'deploy')])).toEqual([
      { url: 'https://h/a.git', branch: 'dev' },
      { url: 'git@h:o/b.git', credential: 'deploy' },
    ]);
  });

  it('maps spec paths to the fields that show them', () => {
    expect(accessFieldOfPath('ssh')).toBe('ssh');
    expect(accessFieldOfPath('ssh.enabled')).toBe('ssh');
    expect(accessFieldOfPath('ssh.publicKeys')).toBe('sshPublicKeys');
    expect(accessFieldOfPath('ssh.publicKeys.3')).toBe('sshPublicKeys');
    expect(accessFieldOfPath('repositories')).toBe('repositories');
    expect(accessFieldOfPath('repositories.2')).toBe('repositories.2.url');
    expect(accessFieldOfPath('repositories.1.branch')).toBe('repositories.1.branch');
    expect(accessFieldOfPath('repositories.0.credential')).toBe('repositories.0.credential');
    expect(accessFieldOfPath('repositories.0.token')).toBe('repositories.0.url');
    expect(accessFieldOfPath('queue')).toBeUndefined();
    expect(REPOSITORY_FIELDS).toHaveLength(10);
  });
});
