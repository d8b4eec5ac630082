import { LIFECYCLE_SCRIPT_FIELDS, LifecycleConfigSpecSchema, type ApiClient, type LifecycleConfig } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { requireClient } from '../commands/requireClient.js';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import type { LifecycleConfigNode } from './lifecycleConfigNodes.js';
import { findLifecycleConfig, type LifecycleConfigsModel } from './lifecycleConfigsModel.js';
import { scriptUri } from './lifecycleFileSystem.js';
import { scriptsSummary } from './lifecycleScripts.js';

export interface LifecycleConfigCommandDeps {
  connection: ConnectionService;
  configs: LifecycleConfigsModel;
}

/** What the commands accept: a view item, a config's name, or nothing (asks). */
export type LifecycleConfigArgument = LifecycleConfigNode | string | undefined;

/** The message of a name the contract refuses, or undefined when it takes it. */
export function lifecycleConfigNameProblem(name: string): string | undefined {
  const parsed = LifecycleConfigSpecSchema.shape.name.safeParse(name);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}

/** Opens a config's two scripts as editors (on-create.sh, then on-start.sh beside it focused). */
async function openScripts(name: string): Promise<void> {
  for (const field of LIFECYCLE_SCRIPT_FIELDS) {
    await vscode.window.showTextDocument(scriptUri(name, field), { preview: false });
  }
}

/** Registers New, Edit, Delete and Refresh of lifecycle configs. */
export function registerLifecycleConfigCommands(deps: LifecycleConfigCommandDeps): vscode.Disposable[] {
  const withConfig =
    (run: (client: ApiClient, config: LifecycleConfig) => Promise<unknown>) =>
    async (arg?: LifecycleConfigArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const config = await resolveLifecycleConfig(deps.configs, arg);
        if (config) await run(client, config);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    };

  return [
    vscode.commands.registerCommand(CommandIds.refreshLifecycleConfigs, () => deps.configs.refresh()),
    vscode.commands.registerCommand(CommandIds.newLifecycleConfig, async () => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      const name = await vscode.window.showInputBox({
        title: vscode.l10n.t('New Lifecycle Config'),
        prompt: vscode.l10n.t('Lifecycle config name (letters, digits, _ and -)'),
        placeHolder: 'setup-env',
        validateInput: (value) =>
          lifecycleConfigNameProblem(value) ??
          (deps.configs.items.some((config) => config.spec.name === value)
            ? vscode.l10n.t('You have a lifecycle config named {0} already.', value)
            : undefined),
      });
      if (name === undefined) return;
      try {
        const created = await client.createLifecycleConfig({ body: { spec: { name } } });
        deps.configs.apply({ change: 'updated', lifecycleConfig: created });
      } catch (error) {
        await vscode.window.showErrorMessage(
          vscode.l10n.t('The lifecycle config was not created. {0}', describeError(error)),
        );
        return;
      }
      await openScripts(name);
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Created {0}: write its scripts and save them; each save updates the config.', name),
      );
    }),
    vscode.commands.registerCommand(
      CommandIds.editLifecycleConfig,
      withConfig((_client, config) => openScripts(config.spec.name)),
    ),
    vscode.commands.registerCommand(
      CommandIds.deleteLifecycleConfig,
      withConfig(async (client, config) => {
        const confirm = vscode.l10n.t('Delete');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t('Delete the lifecycle config {0} and its scripts?', config.spec.name),
          { modal: true },
          confirm,
        );
        if (answer !== confirm) return;
        try {
          await client.deleteLifecycleConfig({ params: { id: config.id } });
        } catch (error) {
          // 409 while dev machines use it: the server's message names them.
          await vscode.window.showErrorMessage(
            vscode.l10n.t('{0} was not deleted. {1}', config.spec.name, describeError(error)),
          );
          return;
        }
        deps.configs.apply({ change: 'deleted', id: config.id });
      }),
    ),
  ];
}

/** The config a command is about: the item's, the one named, or one the user picks. */
export async function resolveLifecycleConfig(
  model: LifecycleConfigsModel,
  arg: LifecycleConfigArgument,
): Promise<LifecycleConfig | undefined> {
  if (typeof arg === 'object' && (arg.kind === 'lifecycleConfig' || arg.kind === 'lifecycleScript')) return arg.config;
  if (typeof arg === 'string') return findLifecycleConfig(model, arg);
  if (!model.loaded) await model.refresh();
  if (model.items.length === 0) {
    await vscode.window.showInformationMessage(vscode.l10n.t('No lifecycle config to choose from.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    model.items.map((config) => ({
      label: config.spec.name,
      description: scriptsSummary(config.spec) ?? vscode.l10n.t('no scripts yet'),
      config,
    })),
    { title: vscode.l10n.t('Choose a lifecycle config') },
  );
  return chosen?.config;
}
