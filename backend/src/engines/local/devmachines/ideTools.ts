import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DevMachineIde } from '@aiplat/api';
import type { IdeTools } from './ideLaunch.js';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));

export interface IdeToolsConfig {
  jupyterPython?: string;
  jupyterServe?: string;
  codeServerEntry?: string;
  vscodeExtensionVsix?: string;
}

/** code-server as the repo installs it (vscode-host's dependency), or undefined when it is not. */
function repoCodeServerEntry(): string | undefined {
  try {
    const require = createRequire(path.join(REPO, 'vscode-host', 'package.json'));
    return path.join(path.dirname(require.resolve('code-server/package.json')), 'out', 'node', 'entry.js');
  } catch {
    return undefined;
  }
}

/**
 * The IDE programs: the configured ones, else the repo's builds (`npm run build` makes
 * jupyterlab-host's venv with our extension installed; `npm ci` installs code-server).
 */
export function ideTools(config: IdeToolsConfig = {}): IdeTools {
  return {
    jupyterPython: config.jupyterPython ?? path.join(REPO, 'jupyterlab-host', 'build', 'venv', 'bin', 'python'),
    jupyterServe: config.jupyterServe ?? path.join(REPO, 'jupyterlab-host', 'serve.py'),
    codeServerEntry: config.codeServerEntry ?? repoCodeServerEntry() ?? path.join(REPO, 'node_modules', 'code-server'),
    node: process.execPath,
    ...(config.vscodeExtensionVsix ? { vscodeExtensionVsix: config.vscodeExtensionVsix } : {}),
    vscodeExtensionBuild: {
      packageScript: path.join(REPO, 'vscode-ext', 'scripts', 'package.mjs'),
      builtBundle: path.join(REPO, 'vscode-ext', 'dist', 'main.js'),
    },
  };
}

/** What is missing for an IDE to run here, as a sentence that says what to do; undefined when nothing is. */
export function missingTool(tools: IdeTools, ide: DevMachineIde): string | undefined {
  const files = ide === 'jupyterlab' ? [tools.jupyterPython, tools.jupyterServe] : [tools.codeServerEntry, tools.node];
  const missing = files.find((file) => !existsSync(file));
  if (!missing) return undefined;
  return ide === 'jupyterlab'
    ? `JupyterLab is not installed here (no ${missing}): run npm run build, which builds jupyterlab-host and its venv, or set devMachines.jupyterPython and devMachines.jupyterServe`
    : `code-server is not installed here (no ${missing}): run npm ci, which installs it, or set devMachines.codeServerEntry`;
}
