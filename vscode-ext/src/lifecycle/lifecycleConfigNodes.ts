import { LIFECYCLE_SCRIPT_FIELDS, type LifecycleConfig, type LifecycleScriptField } from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../connection/errorMessage.js';
import { liveListRoots } from '../model/liveListModel.js';
import type { LifecycleConfigsModel } from './lifecycleConfigsModel.js';
import { scriptUri } from './lifecycleFileSystem.js';
import { SCRIPT_FILES, scriptsSummary } from './lifecycleScripts.js';

/** The Lifecycle Configs section of the Dev Machines view: the section, each config, each of its scripts. */
export type LifecycleConfigNode =
  | { kind: 'lifecycleConfigs' }
  | { kind: 'lifecycleConfig'; config: LifecycleConfig }
  | { kind: 'lifecycleScript'; config: LifecycleConfig; field: LifecycleScriptField }
  | { kind: 'lifecycleMessage'; text: string };

/** The `contextValue`s of the section and of a config (which actions their menus offer). */
export const LIFECYCLE_CONTEXT = {
  section: 'aiplat.lifecycleConfigs',
  config: 'aiplat.lifecycleConfig',
} as const;

/** The children of a node of the section. */
export function lifecycleConfigChildren(
  model: LifecycleConfigsModel,
  node: LifecycleConfigNode,
): LifecycleConfigNode[] {
  switch (node.kind) {
    case 'lifecycleConfigs':
      return liveListRoots<LifecycleConfig, LifecycleConfigNode>(model, {
        item: (config) => ({ kind: 'lifecycleConfig', config }),
        message: (text) => ({ kind: 'lifecycleMessage', text }),
        describe: describeError,
        empty: vscode.l10n.t('No lifecycle configs yet'),
      });
    case 'lifecycleConfig':
      return LIFECYCLE_SCRIPT_FIELDS.map((field) => ({ kind: 'lifecycleScript', config: node.config, field }));
    default:
      return [];
  }
}

export function lifecycleConfigItem(node: LifecycleConfigNode): vscode.TreeItem {
  switch (node.kind) {
    case 'lifecycleConfigs': {
      const item = new vscode.TreeItem(vscode.l10n.t('Lifecycle Configs'), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = 'lifecycleConfigs';
      item.iconPath = new vscode.ThemeIcon('symbol-event');
      item.tooltip = vscode.l10n.t(
        'Scripts a dev machine runs before its IDEs: on-create at its first start, on-start at every start.',
      );
      item.contextValue = LIFECYCLE_CONTEXT.section;
      return item;
    }
    case 'lifecycleConfig': {
      const { config } = node;
      const item = new vscode.TreeItem(config.spec.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `lifecycleConfig:${config.id}`;
      item.description =
        config.usedBy.length > 0
          ? vscode.l10n.t('used by {0}', config.usedBy.join(', '))
          : (scriptsSummary(config.spec) ?? vscode.l10n.t('no scripts yet'));
      item.tooltip = [config.spec.name, config.spec.description, scriptsSummary(config.spec)]
        .filter(Boolean)
        .join('\n');
      item.iconPath = new vscode.ThemeIcon('checklist');
      item.contextValue = LIFECYCLE_CONTEXT.config;
      return item;
    }
    case 'lifecycleScript': {
      const file = SCRIPT_FILES[node.field];
      const uri = scriptUri(node.config.spec.name, node.field);
      const item = new vscode.TreeItem(file);
      item.id = `lifecycleScript:${node.config.id}:${node.field}`;
      item.description = node.config.spec[node.field] ? undefined : vscode.l10n.t('empty');
      item.tooltip =
        node.field === 'onCreate'
          ? vscode.l10n.t("Runs at a dev machine's first start only, before the IDEs (5 minutes at most).")
          : vscode.l10n.t('Runs at every start of a dev machine, before the IDEs (5 minutes at most).');
      item.iconPath = new vscode.ThemeIcon('terminal');
      item.command = { command: 'vscode.open', title: vscode.l10n.t('Edit {0}', file), arguments: [uri] };
      return item;
    }
    case 'lifecycleMessage':
      return new vscode.TreeItem(node.text);
  }
}
