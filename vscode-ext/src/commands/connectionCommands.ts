import type { ConnectionState } from '@aiplat/api';
import * as vscode from 'vscode';
import { ConfigKeys } from '../configuration.js';
import { describeConnectionState, describeContainerRuntime } from '../connection/connectionMessages.js';
import type { ConnectionService } from '../connection/connectionService.js';
import { CommandIds } from './commandIds.js';

/** Registers the connection commands; the caller disposes what is returned. */
export function registerConnectionCommands(connection: ConnectionService): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.connect, () => connect(connection)),
    vscode.commands.registerCommand(CommandIds.showServerInfo, () => showServerInfo(connection)),
    vscode.commands.registerCommand(CommandIds.setServerUrl, () => setServerUrl(connection)),
    vscode.commands.registerCommand(CommandIds.setToken, () => setToken(connection)),
  ];
}

/** Asks for the server URL and stores it in the `aiplat.serverUrl` setting (user scope), then connects. */
async function setServerUrl(connection: ConnectionService): Promise<void> {
  const url = await vscode.window.showInputBox({
    title: vscode.l10n.t('AI Platform server URL'),
    prompt: vscode.l10n.t('The address of the AI Platform server, e.g. http://127.0.0.1:8080'),
    value: connection.serverUrl,
    ignoreFocusOut: true,
    validateInput: (value) =>
      /^https?:\/\/\S+$/.test(value.trim()) ? undefined : vscode.l10n.t('An http:// or https:// URL'),
  });
  if (url === undefined) return;
  await vscode.workspace
    .getConfiguration()
    .update(ConfigKeys.serverUrl, url.trim().replace(/\/+$/, ''), vscode.ConfigurationTarget.Global);
  await connect(connection);
}

/** Asks for the access token of the current server, keeps it in SecretStorage and reconnects. */
async function setToken(connection: ConnectionService): Promise<void> {
  const token = await vscode.window.showInputBox({
    title: vscode.l10n.t('AI Platform access token'),
    prompt: vscode.l10n.t('The access token for {0}. Leave empty to forget the stored one.', connection.serverUrl),
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return;
  await connection.setToken(token);
  if (token.trim()) await connect(connection);
  else connection.disconnect();
}

/** Connects with the stored token (or none); if the server rejects it, asks for one and retries once. */
async function connect(connection: ConnectionService): Promise<ConnectionState> {
  let state = await connectWithProgress(connection);
  if (state.status === 'error' && state.error.code === 'unauthorized') {
    const token = await vscode.window.showInputBox({
      title: vscode.l10n.t('AI Platform access token'),
      prompt: vscode.l10n.t(
        "The server at {0} needs an access token. It is kept in VS Code's secret storage.",
        connection.serverUrl,
      ),
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return state;
    await connection.setToken(token);
    state = await connectWithProgress(connection);
  }
  await report(state);
  return state;
}

function connectWithProgress(connection: ConnectionService): Thenable<ConnectionState> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Connecting to {0}…', connection.serverUrl),
    },
    () => connection.connect(),
  );
}

async function report(state: ConnectionState): Promise<void> {
  const message = describeConnectionState(state);
  if (!message) return;
  if (message.severity === 'info') {
    await vscode.window.showInformationMessage(message.text);
    return;
  }
  const openSettings = vscode.l10n.t('Open Settings');
  const choice = message.offerSettings
    ? await vscode.window.showErrorMessage(message.text, openSettings)
    : await vscode.window.showErrorMessage(message.text);
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', ConfigKeys.serverUrl);
  }
}

async function showServerInfo(connection: ConnectionService): Promise<void> {
  const state = connection.state;
  if (state.status === 'connected') {
    const { info } = state;
    const server = vscode.l10n.t(
      'AI Platform at {0}: server {1}, API {2}, user {3}, engine {4}.',
      state.serverUrl,
      info.serverVersion,
      info.apiVersion,
      info.user,
      info.engine,
    );
    await vscode.window.showInformationMessage(`${server} ${describeContainerRuntime(info.containerRuntime)}`);
    return;
  }
  const connectAction = vscode.l10n.t('Connect');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Not connected to the AI Platform.'),
    connectAction,
  );
  if (choice === connectAction) await vscode.commands.executeCommand(CommandIds.connect);
}
