import path from 'node:path';
import type * as vscode from 'vscode';
import { loadWithCodeCache } from './codeCache.js';

/**
 * The extension's entry point (dist/extension.js): loads the bundle (dist/main.js, built from
 * extension.ts) through V8's code cache kept in the extension's global storage, so a window after
 * the first compiles next to nothing before activate() runs. The cache is written a second after
 * activation (the start-up functions compiled by then are in it too), or when the window closes
 * sooner, and never again while valid.
 */
interface Extension {
  activate(context: vscode.ExtensionContext): unknown;
  deactivate(): unknown;
}

const SAVE_CACHE_AFTER_MS = 1_000;
let main: Extension | undefined;
let saveCache: (() => void) | undefined;

export function activate(context: vscode.ExtensionContext): unknown {
  const loaded = loadWithCodeCache<Extension>(path.join(__dirname, 'main.js'), context.globalStorageUri.fsPath);
  main = loaded.exports;
  let saved = false;
  saveCache = () => {
    if (saved) return;
    saved = true;
    loaded.save();
  };
  const timer = setTimeout(saveCache, SAVE_CACHE_AFTER_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  return main.activate(context);
}

export function deactivate(): unknown {
  saveCache?.();
  return main?.deactivate();
}
