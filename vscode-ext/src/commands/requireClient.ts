import type { ApiClient } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { CommandIds } from './commandIds.js';

/** The connected client; connects first (through the Connect command, which asks for a token) if needed. */
export async function requireClient(connection: ConnectionService): Promise<ApiClient | undefined> {
  if (connection.client) return connection.client;
  await vscode.commands.executeCommand(CommandIds.connect);
  if (connection.client) return connection.client;
  return undefined;
}
