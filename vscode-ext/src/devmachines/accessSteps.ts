import {
  DEV_MACHINE_MAX_REPOSITORIES,
  GitRepositorySchema,
  gitRepositoryFolder,
  gitUrlProblem,
  type ApiClient,
  type DevMachineSpec,
  type GitCredential,
  type GitRepository,
} from '@aiplat/api';
import * as vscode from 'vscode';
import type { StepItem, StepPrompt } from '../training/multiStepInput.js';
import type { Answers, FlowStep } from '../training/stepFlow.js';

/*
 * The Create Dev Machine steps that open the machine up: SSH (yes or no) and up to three Git
 * repositories cloned at its first start, each with a branch and, when the user has any, a
 * credential. The answers become the spec's `ssh` and `repositories`.
 */

type Index = 1 | 2 | 3;
const INDEXES: readonly Index[] = [1, 2, 3];

export type AccessStepId = 'ssh' | `repository${Index}` | `branch${Index}` | `credential${Index}`;

/** What the access steps offer: the user's Git credentials, and how many SSH keys they have. */
export interface AccessChoices {
  gitCredentials?: readonly GitCredential[];
  sshKeys?: number;
}

/** The answer of the credential step that means "none: a public repository". */
export const NO_CREDENTIAL = '';

const repositoryGiven = (answers: Readonly<Answers<string>>, index: Index) =>
  INDEXES.filter((i) => i <= index).every((i) => (answers[`repository${i}`]?.trim() ?? '') !== '');

/** The access steps, in order; the credential steps only when there are credentials to pick. */
export function accessSteps(choices: AccessChoices = {}): FlowStep<AccessStepId>[] {
  const credentials = (choices.gitCredentials?.length ?? 0) > 0;
  return [
    { id: 'ssh' },
    ...INDEXES.flatMap((i): FlowStep<AccessStepId>[] => [
      // The next repository is asked once the one before is given.
      { id: `repository${i}`, applies: (a) => i === 1 || repositoryGiven(a, (i - 1) as Index) },
      { id: `branch${i}`, applies: (a) => repositoryGiven(a, i) },
      ...(credentials
        ? [{ id: `credential${i}` as const, applies: (a: Readonly<Answers<string>>) => repositoryGiven(a, i) }]
        : []),
    ]),
  ];
}

export function isAccessStep(id: string): id is AccessStepId {
  return id === 'ssh' || /^(repository|branch|credential)[123]$/.test(id);
}

/** The contract's message for a value of one field, or undefined when the field takes it. */
function fieldProblem(
  schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
  value: unknown,
) {
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : (parsed.error?.issues[0]?.message ?? vscode.l10n.t('Not a valid value'));
}

/** The repository step's check: empty (no more), or a URL git can clone into a folder of its own. */
export function repositoryUrlCheck(value: string, earlier: readonly string[]): string | undefined {
  const url = value.trim();
  if (url === '') return undefined;
  const problem = gitUrlProblem(url) ?? fieldProblem(GitRepositorySchema.shape.url, url);
  if (problem) return problem;
  const folder = gitRepositoryFolder(url);
  if (earlier.some((other) => gitRepositoryFolder(other.trim()) === folder)) {
    return vscode.l10n.t('Another repository is cloned into the folder {0} already: their URLs end the same.', folder);
  }
  return undefined;
}

/** The branch step's check: empty (the default branch), or a valid branch name. */
export function branchCheck(value: string): string | undefined {
  const branch = value.trim();
  return branch === '' ? undefined : fieldProblem(GitRepositorySchema.shape.branch, branch);
}

function sshItems(defaults: Partial<DevMachineSpec>, sshKeys: number | undefined): StepItem[] {
  const yes: StepItem = {
    label: vscode.l10n.t('Yes'),
    description:
      sshKeys === 0
        ? vscode.l10n.t('you have no SSH key yet: add one with “Add SSH Key…”')
        : vscode.l10n.t('an SSH server opened by your SSH keys'),
    value: 'yes',
  };
  const no: StepItem = { label: vscode.l10n.t('No'), description: vscode.l10n.t('no SSH server'), value: 'no' };
  return defaults.ssh?.enabled ? [yes, no] : [no, yes];
}

function credentialItems(credentials: readonly GitCredential[], current: string | undefined): StepItem[] {
  const items: StepItem[] = [
    { label: vscode.l10n.t('None'), description: vscode.l10n.t('a public repository'), value: NO_CREDENTIAL },
    ...credentials.map((credential) => ({
      label: credential.name,
      description:
        credential.kind === 'token'
          ? vscode.l10n.t('token of {0}', credential.username ?? '?')
          : vscode.l10n.t('SSH key'),
      value: credential.name,
    })),
  ];
  const first = items.find((item) => item.value === (current ?? NO_CREDENTIAL));
  return first ? [first, ...items.filter((item) => item !== first)] : items;
}

/** How an access step is asked and checked; `answers`: the flow's answers so far (earlier repositories). */
export function accessStepPrompt(
  id: AccessStepId,
  defaults: Partial<DevMachineSpec>,
  choices: AccessChoices = {},
  answers: Readonly<Answers<string>> = {},
): StepPrompt {
  if (id === 'ssh') {
    return {
      kind: 'pick',
      placeholder: vscode.l10n.t('SSH access (ssh, scp, VS Code Remote-SSH) while it runs?'),
      items: sshItems(defaults, choices.sshKeys),
    };
  }
  const index = Number(id.slice(-1)) as Index;
  const copied = defaults.repositories?.[index - 1];
  const url = answers[`repository${index}`]?.trim() ?? '';
  if (id.startsWith('repository')) {
    const earlier = INDEXES.filter((i) => i < index).map((i) => answers[`repository${i}`] ?? '');
    return {
      kind: 'input',
      prompt: vscode.l10n.t(
        'Git repository to clone into the working dir at the first start ({0} of {1}; empty: none)',
        index,
        DEV_MACHINE_MAX_REPOSITORIES,
      ),
      initial: copied?.url ?? '',
      validate: (value) => repositoryUrlCheck(value, earlier),
    };
  }
  if (id.startsWith('branch')) {
    return {
      kind: 'input',
      prompt: vscode.l10n.t('Branch of {0} (empty: its default branch)', url),
      initial: copied?.url === url ? (copied.branch ?? '') : '',
      validate: branchCheck,
    };
  }
  return {
    kind: 'pick',
    placeholder: vscode.l10n.t('The Git credential that opens {0}', url),
    items: credentialItems(choices.gitCredentials ?? [], copied?.url === url ? copied.credential : undefined),
  };
}

/** The spec's `ssh` and `repositories` the answers ask for; a copy keeps its own public keys. */
export function accessOfAnswers(
  answers: Readonly<Answers<string>>,
  defaults: Partial<DevMachineSpec> = {},
): Pick<DevMachineSpec, 'ssh' | 'repositories'> {
  const repositories: GitRepository[] = [];
  for (const i of INDEXES) {
    const url = answers[`repository${i}`]?.trim() ?? '';
    if (url === '') break;
    const branch = answers[`branch${i}`]?.trim() ?? '';
    const credential = answers[`credential${i}`] ?? NO_CREDENTIAL;
    repositories.push({
      url,
      ...(branch !== '' ? { branch } : {}),
      ...(credential !== NO_CREDENTIAL ? { credential } : {}),
    });
  }
  const publicKeys = defaults.ssh?.publicKeys;
  return {
    ...(answers.ssh === 'yes' ? { ssh: { enabled: true, ...(publicKeys?.length ? { publicKeys } : {}) } } : {}),
    ...(repositories.length > 0 ? { repositories } : {}),
  };
}

/** The user's Git credentials and SSH key count to offer; none when they cannot be read. */
export async function accessToOffer(
  client: Pick<ApiClient, 'listGitCredentials' | 'listSshKeys'>,
): Promise<AccessChoices> {
  const [gitCredentials, sshKeys] = await Promise.all([
    client.listGitCredentials().then(
      (list) => list.gitCredentials,
      () => [],
    ),
    client.listSshKeys().then(
      (list) => list.sshKeys.length,
      () => undefined,
    ),
  ]);
  return { gitCredentials, ...(sshKeys === undefined ? {} : { sshKeys }) };
}
