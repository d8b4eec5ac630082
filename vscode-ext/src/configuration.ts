import * as vscode from 'vscode';

/** The settings this extension contributes (`package.json` `contributes.configuration`). */
export const ConfigKeys = {
  serverUrl: 'aiplat.serverUrl',
} as const;

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

export function readServerUrl(): string {
  return vscode.workspace.getConfiguration().get<string>(ConfigKeys.serverUrl) || DEFAULT_SERVER_URL;
}
