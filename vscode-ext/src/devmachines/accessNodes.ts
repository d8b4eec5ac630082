import { gitRepositoryFolder, type DevMachine, type GitRepository, type GitRepositoryStatus } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';

/** A dev machine's SSH access and its repositories, as children of its item in the Dev Machines view. */
export type AccessNode =
  | { kind: 'ssh'; machine: DevMachine }
  | { kind: 'repository'; machine: DevMachine; repository: GitRepository; status?: GitRepositoryStatus };

/** The `contextValue` of the SSH item of a machine that can be reached now: Copy SSH Command. */
export const SSH_READY_CONTEXT = 'aiplat.devMachineSsh';

/** The SSH item (when SSH is enabled), then one item per repository of the spec. */
export function accessNodes(machine: DevMachine): AccessNode[] {
  const ssh: AccessNode[] = machine.spec.ssh?.enabled ? [{ kind: 'ssh', machine }] : [];
  const repositories = (machine.spec.repositories ?? []).map((repository): AccessNode => {
    const status = machine.repositories?.find((s) => s.url === repository.url);
    return { kind: 'repository', machine, repository, ...(status ? { status } : {}) };
  });
  return [...ssh, ...repositories];
}

/** One line on a machine's SSH: its command while it can be reached, or why not. */
export function sshSummary(machine: DevMachine): string | undefined {
  if (!machine.spec.ssh?.enabled) return undefined;
  if (machine.ssh) return machine.ssh.command;
  return machine.state === 'Running' ? vscode.l10n.t('SSH server starting…') : vscode.l10n.t('SSH while it runs');
}

/** How a repository's clone went, for people. */
export function repositoryStateText(status: GitRepositoryStatus | undefined): string {
  if (!status) return vscode.l10n.t('cloned at the first start');
  return status.state === 'cloned'
    ? vscode.l10n.t('cloned into {0}', status.path)
    : vscode.l10n.t('clone failed: {0}', status.message ?? '?');
}

function sshItem(machine: DevMachine): vscode.TreeItem {
  const ssh = machine.ssh;
  const item = new vscode.TreeItem(ssh ? ssh.command : vscode.l10n.t('SSH'));
  item.iconPath = new vscode.ThemeIcon('remote');
  if (!ssh) {
    item.description = sshSummary(machine);
    return item;
  }
  item.description = vscode.l10n.t('host key {0}', ssh.hostKeyFingerprint);
  item.tooltip = [
    ssh.command,
    vscode.l10n.t('Host key: {0} {1}', ssh.hostKeyType, ssh.hostKeyFingerprint),
    vscode.l10n.t('Click to copy the command.'),
  ].join('\n');
  item.contextValue = SSH_READY_CONTEXT;
  item.command = {
    command: CommandIds.copyDevMachineSshCommand,
    title: vscode.l10n.t('Copy SSH Command'),
    arguments: [machine.id],
  };
  return item;
}

function repositoryItem(repository: GitRepository, status: GitRepositoryStatus | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(gitRepositoryFolder(repository.url));
  item.description = repositoryStateText(status);
  item.iconPath = new vscode.ThemeIcon(status?.state === 'failed' ? 'error' : status ? 'repo' : 'repo-clone');
  item.tooltip = [
    repository.url,
    repository.branch ? vscode.l10n.t('Branch: {0}', repository.branch) : undefined,
    repository.credential ? vscode.l10n.t('Credential: {0}', repository.credential) : undefined,
    repositoryStateText(status),
  ]
    .filter(Boolean)
    .join('\n');
  return item;
}

export function accessItem(node: AccessNode): vscode.TreeItem {
  return node.kind === 'ssh' ? sshItem(node.machine) : repositoryItem(node.repository, node.status);
}
