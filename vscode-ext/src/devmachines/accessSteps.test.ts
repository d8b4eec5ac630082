import type { GitCredential } from '@aiplat/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../test/vscodeFake.js';
import { accessOfAnswers, accessSteps, accessToOffer, branchCheck, repositoryUrlCheck } from './accessSteps.js';
import { askDevMachineSpec, devMachineStepPrompt } from './devMachineFlow.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

const credential = (name: string, kind: GitCredential['kind'], username?: string): GitCredential => ({
  id: `gc-${name}0000`,
  owner: 'alice',
  name,
  kind,
  ...(username ? { username } : {}),
  createdAt: '2026-01-01T00:00:00Z',
  usedBy: [],
});
const credentials = [credential('github', 'token', 'alice'), credential('deploy', 'ssh-key')];

/** The answers of every step before SSH, for a plain JupyterLab machine. */
function answerTheBasics(): void {
  fake.quickPickAnswers.push('JupyterLab', 'none', '5');
  fake.inputBoxAnswers.push('box', '1', '1Gi', '', 'default', 'home', '', '');
}

describe('the SSH and repository steps of Create Dev Machine', () => {
  it.each([
    ['file:///srv/repo.git', /use https, http, ssh or git/],
    ['/srv/repo.git', /not a repository URL/],
    ['https://alice:secret@github.com/org/repo.git', /holds a password/],
    ['https://github.com/other/tools.git', /folder tools already/],
  ])('refuses the repository %s at its step', (url, message) => {
    expect(repositoryUrlCheck(url, ['https://github.com/org/tools.git'])).toMatch(message);
  });

  it('takes no repository, an https one and an scp-like one; checks the branch', () => {
    expect(repositoryUrlCheck('  ', [])).toBeUndefined();
    expect(
      repositoryUrlCheck('https://github.com/org/model.git', ['https://github.com/org/tools.git']),
    ).toBeUndefined();
    expect(repositoryUrlCheck('git@github.com:org/private.git', [])).toBeUndefined();
    expect(branchCheck('')).toBeUndefined();
    expect(branchCheck('feature/ssh')).toBeUndefined();
    expect(branchCheck('-rf')).toMatch(/not a valid branch name/);
    expect(branchCheck('a..b')).toMatch(/not a valid branch name/);
  });

  it('asks SSH, then up to three repositories with a branch and a credential each, and builds the spec', async () => {
    answerTheBasics();
    fake.quickPickAnswers.push('Yes', 'github', 'None');
    fake.inputBoxAnswers.push('https://github.com/org/model.git', 'dev', 'https://github.com/org/tools.git', '', '');
    const spec = await askDevMachineSpec('Create Dev Machine', {}, [], [], { gitCredentials: credentials, sshKeys: 2 });
    expect(spec?.ssh).toEqual({ enabled: true });
    expect(spec?.repositories).toEqual([
      { url: 'https://github.com/org/model.git', branch: 'dev', credential: 'github' },
      { url: 'https://github.com/org/tools.git' },
    ]);
    const ssh = fake.quickPicks.find((pick) => pick.placeHolder?.startsWith('SSH access'));
    expect(ssh).toMatchObject({ labels: ['No', 'Yes'], step: 12 });
    const credentialPick = fake.quickPicks.find((pick) => pick.placeHolder?.startsWith('The Git credential'));
    expect(credentialPick).toMatchObject({
      placeHolder: 'The Git credential that opens https://github.com/org/model.git',
      labels: ['None', 'github', 'deploy'],
    });
    const repositories = fake.inputBoxes.filter((box) => box.prompt?.startsWith('Git repository'));
    expect(repositories.map((box) => box.prompt)).toEqual([
      'Git repository to clone into the working dir at the first start (1 of 3; empty: none)',
      'Git repository to clone into the working dir at the first start (2 of 3; empty: none)',
      'Git repository to clone into the working dir at the first start (3 of 3; empty: none)',
    ]);
    // The third left empty: nothing more is asked.
    expect(fake.inputBoxes.at(-1)).toMatchObject({ step: 19, totalSteps: 19 });
  });

  it('asks no credential when the user has none, and says when there is no SSH key to open it', async () => {
    expect(accessSteps({}).map((step) => step.id)).toEqual([
      'ssh',
      'repository1',
      'branch1',
      'repository2',
      'branch2',
      'repository3',
      'branch3',
    ]);
    const prompt = devMachineStepPrompt('ssh', {}, [], [], { sshKeys: 0 });
    expect(prompt.kind === 'pick' && prompt.items[1]).toMatchObject({
      label: 'Yes',
      description: 'you have no SSH key yet: add one with “Add SSH Key…”',
    });
    answerTheBasics();
    fake.quickPickAnswers.push('No');
    fake.inputBoxAnswers.push('git@github.com:org/private.git', 'main', '');
    const spec = await askDevMachineSpec('Create Dev Machine', {}, [], [], {});
    expect(spec).not.toHaveProperty('ssh');
    expect(spec?.repositories).toEqual([{ url: 'git@github.com:org/private.git', branch: 'main' }]);
  });

  it('offers a copy its SSH and repositories, and keeps its own public keys', () => {
    const defaults = {
      ssh: { enabled: true, publicKeys: ['ssh-ed25519 AAAA colleague'] },
      repositories: [{ url: 'https://github.com/org/model.git', branch: 'dev', credential: 'deploy' }],
    };
    const ssh = devMachineStepPrompt('ssh', defaults);
    expect(ssh.kind === 'pick' && ssh.items.map((item) => item.value)).toEqual(['yes', 'no']);
    expect(devMachineStepPrompt('repository1', defaults)).toMatchObject({
      initial: 'https://github.com/org/model.git',
    });
    const answers = { repository1: 'https://github.com/org/model.git' };
    expect(devMachineStepPrompt('branch1', defaults, [], [], {}, answers)).toMatchObject({ initial: 'dev' });
    const pick = devMachineStepPrompt('credential1', defaults, [], [], { gitCredentials: credentials }, answers);
    expect(pick.kind === 'pick' && pick.items[0]?.label).toBe('deploy');
    expect(accessOfAnswers({ ssh: 'yes', repository1: '' }, defaults)).toEqual({
      ssh: { enabled: true, publicKeys: ['ssh-ed25519 AAAA colleague'] },
    });
  });

  it('offers nothing it cannot read', async () => {
    const failing = {
      listGitCredentials: () => Promise.reject(new Error('offline')),
      listSshKeys: () => Promise.reject(new Error('offline')),
    };
    await expect(accessToOffer(failing)).resolves.toEqual({ gitCredentials: [] });
    const listing = {
      listGitCredentials: () => Promise.resolve({ gitCredentials: credentials }),
      listSshKeys: () => Promise.resolve({ sshKeys: [] }),
    };
    await expect(accessToOffer(listing)).resolves.toEqual({ gitCredentials: credentials, sshKeys: 0 });
  });
});
