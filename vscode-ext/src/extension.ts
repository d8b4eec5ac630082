import type * as vscode from 'vscode';
import { registerConnectionCommands } from './commands/connectionCommands.js';
import { createContainer } from './container.js';

/** Wiring only: build the container, register the command groups, hand everything to VS Code. */
export function activate(context: vscode.ExtensionContext): void {
  const container = createContainer(context);
  context.subscriptions.push(container, ...registerConnectionCommands(container.connection));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
