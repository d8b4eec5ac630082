import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { DevMachineLifecycle } from '../../../devmachines/engine.js';
import type { IdeTools } from './ideLaunch.js';

const run = promisify(execFile);

/**
 * Installs the AI Platform VS Code extension into the code-server extensions folder the dev
 * machines share: the configured .vsix, else one packaged from the repo's build. Installed again
 * only when the .vsix changed (a marker in the folder names the one installed).
 */
export async function ensureVsCodeExtension(tools: IdeTools, extensionsDir: string, homeDir: string): Promise<void> {
  const vsix = tools.vscodeExtensionVsix ?? (await packagedFromRepo(tools));
  if (!vsix) return;
  const stamp = `${path.resolve(vsix)} ${statSync(vsix).size} ${Math.round(statSync(vsix).mtimeMs)}\n`;
  const marker = path.join(extensionsDir, '.aiplat-vsix');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === stamp) return;
  await mkdir(extensionsDir, { recursive: true });
  await run(
    tools.node,
    [tools.codeServerEntry, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    {
      env: { PATH: process.env.PATH ?? '', HOME: homeDir, EXTENSIONS_GALLERY: '{}' },
      timeout: 120_000,
    },
  );
  await writeFile(marker, stamp);
}

/**
 * The repo's build as a .vsix beside it (`vscode-ext/aiplat-vscode.vsix`, as `npm run package`
 * writes one), packaged again when the build is newer; undefined without a build.
 */
async function packagedFromRepo(tools: IdeTools): Promise<string | undefined> {
  const { packageScript, builtBundle } = tools.vscodeExtensionBuild;
  if (!existsSync(packageScript) || !existsSync(builtBundle)) return undefined;
  const vsix = path.join(path.dirname(builtBundle), '..', 'aiplat-vscode.vsix');
  if (!existsSync(vsix) || statSync(vsix).mtimeMs < statSync(builtBundle).mtimeMs) {
    // Packaged under a temporary name, then renamed: dev machines starting together never see half a file.
    const partial = vsix.replace(/\.vsix$/, `.${process.pid}.partial.vsix`);
    await run(tools.node, [packageScript, '--out', partial], { timeout: 120_000 });
    await rename(partial, vsix);
  }
  return vsix;
}

/** A dev machine's code-server user settings: the platform's URL preset for the extension, first-run screens off. */
export async function presetCodeServerSettings(runtimeDir: string, serverUrl: string | undefined): Promise<void> {
  const settingsFile = path.join(runtimeDir, 'code-server', 'user-data', 'User', 'settings.json');
  await mkdir(path.dirname(settingsFile), { recursive: true });
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(await readFile(settingsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    settings = { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false };
  }
  if (serverUrl) settings['aiplat.serverUrl'] = serverUrl;
  await writeFile(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
}

/**
 * code-server's part of a start: the AI Platform extension in the shared extensions folder
 * (installed once per build; a failure is told as an event, the machine still starts), and its
 * server URL preset in this dev machine's user settings.
 */
export class CodeServerSetup {
  private extensionInstalled: Promise<void> | undefined;

  constructor(
    private readonly deps: { tools: IdeTools; dataDir: string; lifecycle: DevMachineLifecycle; log: Logger },
  ) {}

  async prepare(id: string, runtimeDir: string, platformEnv: Record<string, string>): Promise<void> {
    const shared = path.join(this.deps.dataDir, 'devmachines');
    this.extensionInstalled ??= ensureVsCodeExtension(
      this.deps.tools,
      path.join(shared, 'code-server-extensions'),
      shared,
    ).catch((error: unknown) => {
      this.extensionInstalled = undefined;
      this.deps.log.warn({ err: error }, 'could not install the AI Platform extension into code-server');
      this.deps.lifecycle.observed(id, {
        event: {
          type: 'ide-started',
          ide: 'code-server',
          message: `The AI Platform extension could not be installed into code-server: ${(error as Error).message}`,
        },
      });
    });
    await this.extensionInstalled;
    await presetCodeServerSettings(runtimeDir, platformEnv.AIPLAT_SERVER);
  }
}
