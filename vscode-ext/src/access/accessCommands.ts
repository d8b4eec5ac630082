import { ApiError, type ApiClient, type GitCredential, type SshKey } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { resolveDevMachine, type DevMachineArgument } from '../commands/devMachineCommands.js';
import { requireClient } from '../commands/requireClient.js';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import type { DevMachinesModel } from '../devmachines/devMachinesModel.js';
import { askGitCredentialBody, askPublicKey, accessNameProblem, suggestedKeyName } from './accessInput.js';
import { canCopySsh, copySshCommand, REMOTE_SSH_EXTENSION } from './devMachineSsh.js';

export interface AccessCommandDeps {
  connection: ConnectionService;
  devMachines: DevMachinesModel;
}

/** Runs `run` with the connected client; an error is shown, prefixed with `failed` when given. */
function withClient(deps: AccessCommandDeps, run: (client: ApiClient) => Promise<unknown>) {
  return async () => {
    const client = await requireClient(deps.connection);
    if (!client) return;
    try {
      await run(client);
    } catch (error) {
      await vscode.window.showErrorMessage(describeError(error));
    }
  };
}

/** One item picked among `items`, or undefined (nothing to pick says so). */
async function pickOne<T>(
  items: readonly T[],
  toItem: (item: T) => vscode.QuickPickItem,
  title: string,
  none: string,
): Promise<T | undefined> {
  if (items.length === 0) {
    await vscode.window.showInformationMessage(none);
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    items.map((item) => ({ ...toItem(item), item })),
    { title, matchOnDescription: true },
  );
  return chosen?.item;
}

/** Asks once, modally; true when confirmed. */
async function confirm(message: string, action: string): Promise<boolean> {
  return (await vscode.window.showWarningMessage(message, { modal: true }, action)) === action;
}

async function addSshKey(client: ApiClient): Promise<void> {
  const title = vscode.l10n.t('Add SSH Key');
  const key = await askPublicKey(title);
  if (!key) return;
  const taken = (await client.listSshKeys()).sshKeys.map((k) => k.name);
  const name = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Key name (letters, digits, _ and -)'),
    value: suggestedKeyName(key.comment, taken),
    ignoreFocusOut: true,
    validateInput: (value) => accessNameProblem(value, taken),
  });
  if (name === undefined) return;
  const added = await client.addSshKey({
    body: { name, publicKey: [key.line, key.comment].filter(Boolean).join(' ') },
  });
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Added the SSH key {0} ({1}). It opens your dev machines with SSH from their next start.',
      added.name,
      added.fingerprint,
    ),
  );
}

async function removeSshKey(client: ApiClient): Promise<void> {
  const { sshKeys } = await client.listSshKeys();
  const key = await pickOne<SshKey>(
    sshKeys,
    (k) => ({ label: k.name, description: `${k.type} ${k.bits}`, detail: k.fingerprint }),
    vscode.l10n.t('Remove SSH Key'),
    vscode.l10n.t('You have no SSH keys.'),
  );
  if (!key) return;
  const remove = vscode.l10n.t('Remove');
  const question = vscode.l10n.t(
    'Remove the SSH key {0}? Dev machines stop taking it from their next start.',
    key.name,
  );
  if (!(await confirm(question, remove))) return;
  await client.deleteSshKey({ params: { id: key.id } });
  void vscode.window.showInformationMessage(vscode.l10n.t('Removed the SSH key {0}.', key.name));
}

async function addGitCredential(client: ApiClient): Promise<void> {
  const taken = (await client.listGitCredentials()).gitCredentials.map((c) => c.name);
  const body = await askGitCredentialBody(vscode.l10n.t('Add Git Credential'), taken);
  if (!body) return;
  const created = await client.createGitCredential({ body });
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Created the Git credential {0}: pick it for a repository when you create a dev machine.',
      created.name,
    ),
  );
}

async function deleteGitCredential(client: ApiClient): Promise<void> {
  const { gitCredentials } = await client.listGitCredentials();
  const credential = await pickOne<GitCredential>(
    gitCredentials,
    (c) => ({
      label: c.name,
      description: c.kind === 'token' ? vscode.l10n.t('token of {0}', c.username ?? '?') : vscode.l10n.t('SSH key'),
      ...(c.usedBy.length > 0 ? { detail: vscode.l10n.t('used by {0}', c.usedBy.join(', ')) } : {}),
    }),
    vscode.l10n.t('Delete Git Credential'),
    vscode.l10n.t('You have no Git credentials.'),
  );
  if (!credential) return;
  const remove = vscode.l10n.t('Delete');
  if (!(await confirm(vscode.l10n.t('Delete the Git credential {0}?', credential.name), remove))) return;
  try {
    await client.deleteGitCredential({ params: { id: credential.id } });
  } catch (error) {
    // 409 while a dev machine names it: the server's message says which.
    if (!(error instanceof ApiError)) throw error;
    await vscode.window.showErrorMessage(
      vscode.l10n.t('{0} was not deleted. {1}', credential.name, describeError(error)),
    );
    return;
  }
  void vscode.window.showInformationMessage(vscode.l10n.t('Deleted the Git credential {0}.', credential.name));
}

/**
 * Registers Add/Remove SSH Key, Add/Delete Git Credential, and Copy SSH Command of a running dev
 * machine with SSH (offering Remote-SSH when it is installed).
 */
export function registerAccessCommands(deps: AccessCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.addSshKey, withClient(deps, addSshKey)),
    vscode.commands.registerCommand(CommandIds.removeSshKey, withClient(deps, removeSshKey)),
    vscode.commands.registerCommand(CommandIds.addGitCredential, withClient(deps, addGitCredential)),
    vscode.commands.registerCommand(CommandIds.deleteGitCredential, withClient(deps, deleteGitCredential)),
    vscode.commands.registerCommand(CommandIds.copyDevMachineSshCommand, async (arg?: DevMachineArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const machine = await resolveDevMachine(client, deps.devMachines, arg, canCopySsh);
        if (machine) await copySshCommand(machine, vscode.extensions.getExtension(REMOTE_SSH_EXTENSION) !== undefined);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    }),
  ];
}
