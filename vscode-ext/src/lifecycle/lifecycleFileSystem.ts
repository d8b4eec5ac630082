import { LIFECYCLE_SCRIPT_FIELDS, type ApiClient, type LifecycleConfig } from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../connection/errorMessage.js';
import { findLifecycleConfig, type LifecycleConfigsModel } from './lifecycleConfigsModel.js';
import {
  LIFECYCLE_SCHEME,
  parseScriptPath,
  SCRIPT_FILES,
  scriptPath,
  scriptText,
  scriptTooLong,
  specWithScript,
  type ScriptLocation,
} from './lifecycleScripts.js';

export interface LifecycleFileSystemDeps {
  client: () => ApiClient | undefined;
  configs: LifecycleConfigsModel;
  /** Tells the user why a save was refused (besides failing the save). */
  showError?: (message: string) => void;
}

/** The document of a config's script: `aiplat-lifecycle:/<config>/on-start.sh`. */
export function scriptUri(config: string, field: (typeof LIFECYCLE_SCRIPT_FIELDS)[number]): vscode.Uri {
  return vscode.Uri.from({ scheme: LIFECYCLE_SCHEME, path: scriptPath(config, field) });
}

const time = (iso: string) => Date.parse(iso) || 0;

/**
 * The user's lifecycle configs as folders of two shell scripts (`on-create.sh`, `on-start.sh`), so
 * they are edited as files: reading decodes the config's script, saving encodes the document and
 * replaces the config (`PUT /api/lifecycle-configs/:id`). A script over the encoded limit, or one the
 * server refuses, fails the save with the reason.
 */
export class LifecycleFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  constructor(private readonly deps: LifecycleFileSystemDeps) {}

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const at = this.locate(uri);
    if (at.kind === 'root') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const config = await this.config(uri, at.config);
    const times = { ctime: time(config.createdAt), mtime: time(config.updatedAt) };
    if (at.kind === 'config') return { type: vscode.FileType.Directory, ...times, size: 0 };
    const size = new TextEncoder().encode(scriptText(config.spec, at.field)).length;
    return { type: vscode.FileType.File, ...times, size };
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const at = this.locate(uri);
    if (at.kind === 'script') throw vscode.FileSystemError.FileNotADirectory(uri);
    if (at.kind === 'root') {
      await this.deps.configs.refresh();
      return this.deps.configs.items.map((config) => [config.spec.name, vscode.FileType.Directory]);
    }
    await this.config(uri, at.config);
    return LIFECYCLE_SCRIPT_FIELDS.map((field) => [SCRIPT_FILES[field], vscode.FileType.File]);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const at = this.locate(uri);
    if (at.kind !== 'script') throw vscode.FileSystemError.FileIsADirectory(uri);
    const config = await this.fresh(uri, at.config);
    return new TextEncoder().encode(scriptText(config.spec, at.field));
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const at = this.locate(uri);
    if (at.kind !== 'script') throw vscode.FileSystemError.FileIsADirectory(uri);
    const text = new TextDecoder().decode(content);
    const tooLong = scriptTooLong(at.field, text);
    if (tooLong) this.refuse(tooLong);
    const config = await this.fresh(uri, at.config);
    let updated: LifecycleConfig;
    try {
      updated = await this.api().updateLifecycleConfig({
        params: { id: config.id },
        body: { spec: specWithScript(config.spec, at.field, text) },
      });
    } catch (error) {
      this.refuse(vscode.l10n.t('{0} was not saved. {1}', SCRIPT_FILES[at.field], describeError(error)));
    }
    this.deps.configs.apply({ change: 'updated', lifecycleConfig: updated });
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('Create lifecycle configs with "New Lifecycle Config…".'));
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions(
      vscode.l10n.t('Delete lifecycle configs with "Delete Lifecycle Config"; empty a script to remove it.'),
    );
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('Lifecycle configs and their scripts cannot be renamed.'));
  }

  dispose(): void {
    this.changed.dispose();
  }

  private locate(uri: vscode.Uri): ScriptLocation {
    const at = parseScriptPath(uri.path);
    if (!at) throw vscode.FileSystemError.FileNotFound(uri);
    return at;
  }

  private api(): ApiClient {
    const client = this.deps.client();
    if (!client) throw vscode.FileSystemError.Unavailable(vscode.l10n.t('Not connected to the AI Platform.'));
    return client;
  }

  /** The config named `name` from the list (read when needed). */
  private async config(uri: vscode.Uri, name: string): Promise<LifecycleConfig> {
    this.api();
    const config = await findLifecycleConfig(this.deps.configs, name);
    if (!config) throw vscode.FileSystemError.FileNotFound(uri);
    return config;
  }

  /** The config named `name` as the server has it now (another window may have saved it). */
  private async fresh(uri: vscode.Uri, name: string): Promise<LifecycleConfig> {
    const listed = await this.config(uri, name);
    try {
      return await this.api().getLifecycleConfig({ params: { id: listed.id } });
    } catch (error) {
      throw vscode.FileSystemError.Unavailable(describeError(error));
    }
  }

  private refuse(message: string): never {
    this.deps.showError?.(message);
    throw vscode.FileSystemError.NoPermissions(message);
  }
}
