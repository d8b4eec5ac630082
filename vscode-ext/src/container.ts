import * as vscode from 'vscode';
import { ConfigKeys, readServerUrl } from './configuration.js';
import { ConnectionService } from './connection/connectionService.js';

/** The extension's long-lived objects, built once in `activate` and disposed with it. */
export interface Container extends vscode.Disposable {
  readonly connection: ConnectionService;
}

export function createContainer(context: Pick<vscode.ExtensionContext, 'secrets'>): Container {
  const connection = new ConnectionService({ serverUrl: readServerUrl, secrets: context.secrets });
  // A new URL makes the current connection stale; the user reconnects when they need it.
  const configWatch = vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(ConfigKeys.serverUrl)) connection.disconnect();
  });
  return {
    connection,
    dispose() {
      configWatch.dispose();
      connection.dispose();
    },
  };
}
