import path from 'node:path';
import type * as vscode from 'vscode';
import { loadWithCodeCache } from './codeCache.js';

/**
 * The extension's entry point (dist/extension.js): loads the bundle (dist/main.js, built from
 * extension.ts) through V8's code cache kept in the extension's global storage, so a window after
 * the first compiles next to nothing before activate() runs. The cache is written once the
 * extension has run a while (more functions compiled, a fuller cache) and never again while valid.
 */
interface Extension {
  activate(context: vscode.ExtensionContext): unknown;
  deactivate(): unknown;
}

const SAVE_CACHE_AFTER_MS = 5_000;
let main: Extension | undefined;

export function activate(context: vscode.ExtensionContext): unknown {
  const loaded = loadWithCodeCache<Extension>(path.join(__dirname, 'main.js'), context.globalStorageUri.fsPath);
  main = loaded.exports;
  const timer = setTimeout(() => loaded.save(), SAVE_CACHE_AFTER_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  return main.activate(context);
}

export function deactivate(): unknown {
  return main?.deactivate();
}
