import type { DevMachine, DevMachineSsh } from '@aiplat/api';
import * as vscode from 'vscode';
import { devMachineStateLabel, devMachineTitle } from '../devmachines/devMachinePresentation.js';

/** The Remote-SSH extension: when installed, Copy SSH Command offers to open the machine in it. */
export const REMOTE_SSH_EXTENSION = 'ms-vscode-remote.remote-ssh';

/** A machine SSH reaches now: running, with SSH enabled and its server up. */
export const canCopySsh = (machine: DevMachine): boolean =>
  machine.state === 'Running' && machine.spec.ssh?.enabled === true;

/** Why a machine cannot be reached with SSH now, or undefined when it can. */
export function sshProblem(machine: DevMachine): string | undefined {
  const title = devMachineTitle(machine);
  if (!machine.spec.ssh?.enabled) {
    return vscode.l10n.t('{0} has no SSH: it is enabled when a dev machine is created (or copied).', title);
  }
  if (machine.state !== 'Running') {
    return vscode.l10n.t('{0} is {1}: SSH is there while it runs.', title, devMachineStateLabel(machine.state));
  }
  if (!machine.ssh) return vscode.l10n.t('The SSH server of {0} is starting; try again in a moment.', title);
  return undefined;
}

/**
 * Remote-SSH's name for a host with a user and a port (`ssh-remote+` and the hex of a JSON with
 * `hostName`, `user`, `port`), so nothing has to go into ~/.ssh/config first.
 */
export function remoteSshAuthority(ssh: Pick<DevMachineSsh, 'host' | 'port' | 'user'>): string {
  const json = JSON.stringify({ hostName: ssh.host, user: ssh.user, port: ssh.port });
  const hex = [...new TextEncoder().encode(json)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `ssh-remote+${hex}`;
}

/**
 * Copy SSH Command: the command on the clipboard, and the host key to compare with what ssh shows
 * at the first connection; with Remote-SSH installed, a button that opens the machine in a new window.
 */
export async function copySshCommand(machine: DevMachine, hasRemoteSsh: boolean): Promise<void> {
  const problem = sshProblem(machine);
  if (problem || !machine.ssh) {
    await vscode.window.showWarningMessage(problem ?? '');
    return;
  }
  const ssh = machine.ssh;
  await vscode.env.clipboard.writeText(ssh.command);
  const open = vscode.l10n.t('Open in Remote-SSH');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Copied: {0}. The host key of {1} is {2} {3}: ssh shows it at the first connection, it must be the same.',
      ssh.command,
      machine.spec.name,
      ssh.hostKeyType,
      ssh.hostKeyFingerprint,
    ),
    ...(hasRemoteSsh ? [open] : []),
  );
  if (answer === open) {
    await vscode.commands.executeCommand('vscode.newWindow', { remoteAuthority: remoteSshAuthority(ssh) });
  }
}
