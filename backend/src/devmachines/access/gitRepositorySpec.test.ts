import { describe, expect, it } from 'vitest';
import { DevMachineSpecSchema, GitCredentialBodySchema, gitRepositoryFolder, gitUrlProblem } from '@aiplat/api';

const issues = (input: unknown) => {
  const parsed = DevMachineSpecSchema.safeParse({
    name: 'box',
    resources: { cpu: 1, memory: '1Gi' },
    ...(input as object),
  });
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('dev machine repositories', () => {
  it('take network URLs only, never a password in them', () => {
    expect(gitUrlProblem('https://github.com/owner/repo.git')).toBeUndefined();
    expect(gitUrlProblem('git@github.com:owner/repo.git')).toBeUndefined();
    expect(gitUrlProblem('ssh://git@host:2222/srv/repo.git')).toBeUndefined();
    expect(gitUrlProblem('file:///etc')).toMatch(/uses file:; use https, http, ssh or git/);
    expect(gitUrlProblem('/srv/repo.git')).toMatch(/is not a repository URL/);
    expect(gitUrlProblem('https://me:hunter2@host/r.git')).toMatch(/holds a password: put it in a Git credential/);
  });

  it('are cloned into a folder named after the URL', () => {
    expect(gitRepositoryFolder('https://github.com/owner/repo.git')).toBe('repo');
    expect(gitRepositoryFolder('git@host:team/models')).toBe('models');
    expect(gitRepositoryFolder('https://host/owner/repo/')).toBe('repo');
    expect(gitRepositoryFolder('https://host/..')).toBe('repository');
  });

  it('are at most 3, each in its own folder, with valid branches', () => {
    const url = (name: string) => ({ url: `https://host/${name}.git` });
    expect(issues({ repositories: [url('a'), url('b'), url('c')] })).toEqual([]);
    expect(issues({ repositories: [url('a'), url('b'), url('c'), url('d')] })).toEqual([
      'repositories: a dev machine clones at most 3 repositories',
    ]);
    expect(issues({ repositories: [url('a'), { url: 'https://other/a.git' }] })).toEqual([
      'repositories: two repositories would be cloned into the same folder: their URLs end with the same name',
    ]);
    expect(issues({ repositories: [{ url: 'https://host/a.git', branch: '--upload-pack=x' }] })).toEqual([
      'repositories.0.branch: branch "--upload-pack=x" is not a valid branch name',
    ]);
    expect(issues({ repositories: [{ url: 'https://host/a.git', token: 'x' }] })[0]).toMatch(
      /unknown field "token"; the fields here are url, branch, credential/,
    );
  });
});

describe('Git credentials', () => {
  it('take a username and token, or an unencrypted private key', () => {
    expect(GitCredentialBodySchema.safeParse({ kind: 'token', name: 'gh', username: 'me', token: 'abc' }).success).toBe(
      true,
    );
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(GitCredentialBodySchema.safeParse({ kind: 'ssh-key', name: 'deploy', privateKey: key }).success).toBe(true);
    const bad = GitCredentialBodySchema.safeParse({ kind: 'ssh-key', name: 'deploy', privateKey: 'ssh-ed25519 AAAA' });
    expect(bad.error?.issues[0]?.message).toMatch(/privateKey must be an unencrypted private key/);
    const noKind = GitCredentialBodySchema.safeParse({ name: 'x' });
    expect(noKind.error?.issues[0]?.message).toBe(
      'kind is required: token (a username and a token) or ssh-key (a private key)',
    );
  });
});
